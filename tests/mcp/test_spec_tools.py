"""spec_*, connector_*, policy_check and the safety rules, through a real MCP session."""

from __future__ import annotations

import os
import re
from pathlib import Path

from connector_spec import load_spec
from connector_spec.errors import SpecError
from tests.mcp.conftest import McpClient, text_of

EXPECTED_TOOLS = {
    "spec_validate",
    "spec_schema",
    "spec_diff",
    "connector_generate",
    "connector_certify",
    "policy_check",
    "registry_search",
    "registry_show",
    "registry_verify",
    "n8n_import",
    "graph_visualize",
}
SPEC = "connectors/stripe/connector.yaml"
BAD_SPEC = """apiVersion: flows.dev/v1
kind: ConnectorSpec
provider:
  name: acme
  version: not-a-version
"""


def test_lists_every_tool_with_a_schema_and_no_publish(client: McpClient) -> None:
    tools = {t.name: t for t in client.list_tools().tools}
    assert set(tools) == EXPECTED_TOOLS
    assert not any("publish" in name for name in tools)
    for tool in tools.values():
        assert tool.input_schema["type"] == "object"
        assert tool.description
    assert "paths" in tools["spec_validate"].input_schema["properties"]
    assert tools["spec_validate"].input_schema["additionalProperties"] is False
    assert tools["registry_verify"].annotations.read_only_hint is True
    assert tools["connector_generate"].annotations.read_only_hint is False


def test_validate_seed_spec_by_path(client: McpClient) -> None:
    result = client.call("spec_validate", {"paths": [SPEC]})
    assert not result.is_error
    data = result.structured_content
    assert data["ok"] is True
    assert data["files"][0]["summary"] == "stripe 1.0.0, 4 operations"


def test_validate_bad_spec_reports_located_diagnostics_like_the_cli(
    client: McpClient, root: Path
) -> None:
    (root / "bad.yaml").write_text(BAD_SPEC)
    result = client.call("spec_validate", {"paths": ["bad.yaml"]})
    assert result.is_error
    try:
        load_spec(root / "bad.yaml")
    except SpecError as error:
        cli_text = error.diagnostics()
    assert text_of(result) == cli_text
    diagnostics = result.structured_content["files"][0]["diagnostics"]
    version = next(d for d in diagnostics if d["path"] == "provider.version")
    assert (version["line"], version["column"]) == (5, 3)


def test_validate_inline_text(client: McpClient, root: Path) -> None:
    good = client.call("spec_validate", {"text": (root / SPEC).read_text(), "name": "draft.yaml"})
    assert not good.is_error
    assert good.structured_content["files"][0]["path"] == "draft.yaml"
    bad = client.call("spec_validate", {"text": BAD_SPEC, "name": "draft.yaml"})
    assert bad.is_error
    assert "draft.yaml:5:3: provider.version" in text_of(bad)


def test_path_escapes_are_refused(client: McpClient, root: Path) -> None:
    outside = root.parent / "outside.yaml"
    outside.write_text((root / SPEC).read_text())
    for path in ["../outside.yaml", str(outside), "connectors/../../outside.yaml"]:
        result = client.call("spec_validate", {"paths": [path]})
        assert result.is_error, path
        assert result.structured_content["error"] == "PathOutsideRoots"
        assert result.structured_content["exit_code"] == 2
        assert "outside the directories this server may use" in text_of(result)


def test_symlink_out_of_the_root_is_refused(client: McpClient, root: Path) -> None:
    outside = root.parent / "elsewhere"
    outside.mkdir(exist_ok=True)
    (outside / "connector.yaml").write_text((root / SPEC).read_text())
    link = root / "sneaky"
    if not link.exists():
        os.symlink(outside, link)
    result = client.call("spec_validate", {"paths": ["sneaky/connector.yaml"]})
    assert result.is_error
    assert result.structured_content["error"] == "PathOutsideRoots"


def test_oversized_inputs_are_refused(client: McpClient, root: Path) -> None:
    big = "#" * (1024 * 1024 + 1)
    result = client.call("spec_validate", {"text": big})
    assert result.is_error
    assert result.structured_content["error"] == "InputTooLarge"
    assert "1048577 bytes" in text_of(result)
    (root / "big.yaml").write_text(big)
    result = client.call("spec_validate", {"paths": ["big.yaml"]})
    assert result.structured_content["error"] == "InputTooLarge"


def test_bad_arguments_are_a_structured_error_and_the_server_lives_on(
    client: McpClient,
) -> None:
    result = client.call("spec_validate", {"paths": "not-a-list", "colour": "red"})
    assert result.is_error
    data = result.structured_content
    assert data["error"] == "ToolArgumentError"
    assert {d["path"] for d in data["diagnostics"]} == {"paths", "colour"}
    assert "tool spec_validate: colour: Extra inputs are not permitted" in text_of(result)
    missing = client.call("spec_validate", {})
    assert missing.is_error
    assert "give `paths` or `text`" in text_of(missing)
    unknown = client.call("flows_publish", {})
    assert unknown.is_error
    assert "no tool named 'flows_publish'" in text_of(unknown)
    assert not client.call("spec_validate", {"paths": [SPEC]}).is_error


def test_spec_schema(client: McpClient) -> None:
    result = client.call("spec_schema")
    assert not result.is_error
    schema = result.structured_content["schema"]
    assert schema["$id"] == "https://flows.dev/schemas/connector-spec-v1.json"
    assert "provider" in schema["properties"]


def test_spec_diff_names_the_bump_and_a_too_low_version(client: McpClient, root: Path) -> None:
    text = (root / SPEC).read_text()
    (root / "same.yaml").write_text(text)
    same = client.call("spec_diff", {"old": SPEC, "new": "same.yaml"})
    assert not same.is_error
    assert same.structured_content["required_bump"] == "none"
    lower = re.sub(r"(?m)^  version: .*$", "  version: 0.9.0", text, count=1)
    (root / "lower.yaml").write_text(lower)
    result = client.call("spec_diff", {"old": SPEC, "new": "lower.yaml"})
    assert result.is_error
    assert result.structured_content["version_problem"]
    assert "versions never go backwards" in text_of(result)


def test_generate_into_a_confined_directory(client: McpClient, root: Path) -> None:
    result = client.call("connector_generate", {"spec": SPEC, "out": "generated/stripe"})
    assert not result.is_error, text_of(result)
    data = result.structured_content
    out = root / "generated" / "stripe"
    assert (out / "flows_stripe" / "__init__.py").is_file()
    assert Path(data["out_dir"]).resolve() == out.resolve()
    check = client.call(
        "connector_generate", {"spec": SPEC, "out": "generated/stripe", "check": True}
    )
    assert not check.is_error
    assert check.structured_content["up_to_date"] is True


def test_generate_outside_the_roots_writes_nothing(client: McpClient, root: Path) -> None:
    result = client.call("connector_generate", {"spec": SPEC, "out": "../escaped"})
    assert result.is_error
    assert result.structured_content["error"] == "PathOutsideRoots"
    assert not (root.parent / "escaped").exists()


def test_generate_a_bad_spec_gives_the_cli_diagnostic(client: McpClient, root: Path) -> None:
    (root / "bad.yaml").write_text(BAD_SPEC)
    result = client.call("connector_generate", {"spec": "bad.yaml", "out": "gen-bad"})
    assert result.is_error
    assert result.structured_content["error"] == "SpecError"
    assert "bad.yaml:5:3: provider.version" in text_of(result)
    assert not (root / "gen-bad").exists()


def test_certify_seed_connector(client: McpClient, root: Path) -> None:
    result = client.call("connector_certify", {"spec": SPEC})
    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert data["ok"] is True
    assert data["provider"] == "stripe"
    assert data["checks"]
    evidence = [Path(p) for p in data["evidence"]]
    assert evidence
    for path in evidence:
        assert path.is_file()
        assert path.resolve().is_relative_to(root.resolve())


def test_certify_evidence_cannot_go_outside(client: McpClient, root: Path) -> None:
    result = client.call("connector_certify", {"spec": SPEC, "out": "/tmp/evidence-escape"})
    assert result.is_error
    assert result.structured_content["error"] == "PathOutsideRoots"


def test_policy_check_seed_connector(client: McpClient) -> None:
    result = client.call("policy_check", {"spec": SPEC})
    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert data["passed"] is True
    assert data["packs"][0]["name"] == "default"
    assert data["results"]


def test_policy_check_pack_outside_is_refused(client: McpClient) -> None:
    result = client.call("policy_check", {"spec": SPEC, "packs": ["/etc"]})
    assert result.is_error
    assert result.structured_content["error"] == "PathOutsideRoots"


def test_generate_refuses_an_output_dir_whose_links_lead_out(client: McpClient, root: Path) -> None:
    victim = root.parent / "victim"
    victim.mkdir(exist_ok=True)
    out = root / "linked-out"
    out.mkdir(exist_ok=True)
    if not (out / "flows_stripe").exists():
        os.symlink(victim, out / "flows_stripe")
    result = client.call("connector_generate", {"spec": SPEC, "out": "linked-out"})
    assert result.is_error
    assert result.structured_content["error"] == "PathOutsideRoots"
    assert list(victim.iterdir()) == []
