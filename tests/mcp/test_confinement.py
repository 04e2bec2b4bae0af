"""Directories the tools read whole (packs, fixtures/, flows_*/, .flows/policies) stay inside
the roots: every file in them is resolved, symlinks included, and size-checked."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from flows.mcp import FlowsMcp, InputTooLarge, PathOutsideRoots, Sandbox
from tests.mcp.conftest import make_root, mcp_server, text_of

SPEC = "connectors/stripe/connector.yaml"
OUTSIDE_PACK = textwrap.dedent(
    """\
    apiVersion: flows.dev/v1
    kind: PolicyPack
    name: outside
    rules:
      - id: outside.secret-marker
        description: OUTSIDE-SECRET-MARKER
        applies_to: provider
        condition: "false"
        message: OUTSIDE-SECRET-MARKER
    """
)


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A root with the stripe seed connector, and a directory outside it."""
    root = make_root(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    return root, outside


def _server(root: Path, max_bytes: int = 1024 * 1024) -> FlowsMcp:
    return FlowsMcp(Sandbox.create([root], max_bytes=max_bytes))


# --- Sandbox.input_tree / check_tree -----------------------------------------------------------


def test_tree_refuses_a_file_linked_out_of_the_roots(layout: tuple[Path, Path]) -> None:
    root, outside = layout
    (root / "pk").mkdir()
    (outside / "evil.yaml").write_text(OUTSIDE_PACK)
    os.symlink(outside / "evil.yaml", root / "pk" / "evil.yaml")
    box = Sandbox.create([root])
    assert box.resolve("pk", field="packs") == (root / "pk").resolve()  # the old, shallow check
    with pytest.raises(PathOutsideRoots, match=r"packs: pk: evil\.yaml leads outside"):
        box.input_tree("pk", field="packs")


def test_tree_refuses_a_folder_linked_out_and_files_inside_it(layout: tuple[Path, Path]) -> None:
    root, outside = layout
    (root / "pk" / "sub").mkdir(parents=True)
    os.symlink(outside, root / "pk" / "sub" / "elsewhere")
    box = Sandbox.create([root])
    with pytest.raises(PathOutsideRoots, match="sub/elsewhere leads outside"):
        box.input_tree("pk", field="packs")


def test_tree_allows_links_inside_the_roots_and_survives_loops(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    (root / "pk").mkdir()
    (root / "real.yaml").write_text("x: 1\n")
    os.symlink(root / "real.yaml", root / "pk" / "a.yaml")
    os.symlink(root / "pk", root / "pk" / "loop")
    box = Sandbox.create([root])
    assert box.input_tree("pk", field="packs") == (root / "pk").resolve()


def test_tree_refuses_an_oversized_file(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    (root / "pk").mkdir()
    (root / "pk" / "big.yaml").write_bytes(b"#" * 101)
    box = Sandbox.create([root], max_bytes=100)
    with pytest.raises(InputTooLarge, match=r"packs: pk: big\.yaml is 101 bytes"):
        box.input_tree("pk", field="packs")


# --- the tools ---------------------------------------------------------------------------------


def test_policy_check_refuses_a_pack_dir_with_a_link_out(layout: tuple[Path, Path]) -> None:
    # The reported escape, through a real MCP session: pk/evil.yaml links to a file outside.
    root, outside = layout
    (root / "pk").mkdir()
    (outside / "evil.yaml").write_text(OUTSIDE_PACK)
    os.symlink(outside / "evil.yaml", root / "pk" / "evil.yaml")
    with mcp_server(root) as session:
        result = session.call("policy_check", {"spec": SPEC, "packs": ["pk"]})
    assert result.is_error
    assert result.structured_content["error"] == "PathOutsideRoots"
    assert "OUTSIDE-SECRET-MARKER" not in text_of(result)
    assert "outside.secret-marker" not in str(result.structured_content)


def test_policy_check_and_certify_refuse_a_fixture_linked_out(layout: tuple[Path, Path]) -> None:
    root, outside = layout
    fixture = root / "connectors" / "stripe" / "fixtures" / "list_charges" / "happy_path.yaml"
    (outside / "happy_path.yaml").write_bytes(fixture.read_bytes())
    fixture.unlink()
    os.symlink(outside / "happy_path.yaml", fixture)
    server = _server(root)
    for tool in ("policy_check", "connector_certify"):
        result = server.call(tool, {"spec": SPEC})
        assert not result.ok, tool
        assert result.data["error"] == "PathOutsideRoots", (tool, result.data)
        assert "fixtures next to connector.yaml" in result.data["message"]
        assert "list_charges/happy_path.yaml leads outside" in result.data["message"]
    assert not (root / ".flows").exists()  # certify wrote no evidence


def test_a_fixtures_folder_linked_out_is_refused(layout: tuple[Path, Path]) -> None:
    root, outside = layout
    fixtures = root / "connectors" / "stripe" / "fixtures"
    fixtures.rename(outside / "fixtures")
    os.symlink(outside / "fixtures", fixtures)
    result = _server(root).call("policy_check", {"spec": SPEC})
    assert result.data["error"] == "PathOutsideRoots"


def test_an_oversized_fixture_is_refused(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    fixture = root / "connectors" / "stripe" / "fixtures" / "list_charges" / "happy_path.yaml"
    fixture.write_bytes(fixture.read_bytes() + b"#" * 20_000)
    result = _server(root, max_bytes=16_000).call("policy_check", {"spec": SPEC})
    assert result.data["error"] == "InputTooLarge"
    assert "list_charges/happy_path.yaml is" in result.data["message"]


def test_a_generated_package_file_linked_out_is_refused(layout: tuple[Path, Path]) -> None:
    root, outside = layout
    manifest = root / "connectors" / "stripe" / "flows_stripe" / "manifest.json"
    (outside / "manifest.json").write_bytes(manifest.read_bytes())
    manifest.unlink()
    os.symlink(outside / "manifest.json", manifest)
    result = _server(root).call("policy_check", {"spec": SPEC})
    assert result.data["error"] == "PathOutsideRoots"
    assert (
        "flows_stripe next to connector.yaml: manifest.json leads outside"
        in (result.data["message"])
    )


def test_organisation_packs_under_the_root_are_walked_too(
    layout: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLOWS_POLICY_DIR", raising=False)
    root, outside = layout
    (root / ".flows" / "policies").mkdir(parents=True)
    (outside / "evil.yaml").write_text(OUTSIDE_PACK)
    os.symlink(outside / "evil.yaml", root / ".flows" / "policies" / "evil.yaml")
    result = _server(root).call("policy_check", {"spec": SPEC})
    assert result.data["error"] == "PathOutsideRoots"
    assert "OUTSIDE-SECRET-MARKER" not in result.data["message"]


def test_n8n_import_refuses_a_catalog_spec_linked_out(layout: tuple[Path, Path]) -> None:
    root, outside = layout
    (outside / "connector.yaml").write_bytes((root / SPEC).read_bytes())
    (root / "connectors" / "evil").mkdir()
    os.symlink(outside / "connector.yaml", root / "connectors" / "evil" / "connector.yaml")
    workflow = {"name": "w", "nodes": [], "connections": {}}
    result = _server(root).call("n8n_import", {"workflow": workflow})
    assert result.data["error"] == "PathOutsideRoots"
