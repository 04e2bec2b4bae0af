"""registry_search / registry_show / registry_verify over a real local registry."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry import Publication, Registry
from tests.mcp.conftest import SEED, McpClient, mcp_server, snapshot, text_of


def _statement() -> dict[str, object]:
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "stripe-1.0.0.whl", "digest": {"sha256": "00" * 32}}],
        "predicateType": "https://flows.dev/certification/v1",
        "predicate": {
            "level": "gold",
            "connector": {"provider": "stripe", "version": "1.0.0", "description": "payments"},
            "checks": [{"id": "auth.works", "status": "pass", "duration_ms": 3, "message": "ok"}],
            "policy": None,
            "waivers": [],
        },
    }


@pytest.fixture(scope="module")
def reg_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("mcp-registry")
    root = base / "work"
    registry = Registry.init(root / "registry", key_dir=base / "keys")
    registry.publish(
        Publication(
            name="stripe",
            version="1.0.0",
            spec_bytes=(SEED / "connector.yaml").read_bytes(),
            wheel_filename="flows_connector_stripe-1.0.0-py3-none-any.whl",
            wheel_bytes=b"PK wheel",
            statement=_statement(),
        )
    )
    return root


@pytest.fixture(scope="module")
def reg_client(reg_root: Path) -> Iterator[McpClient]:
    with mcp_server(reg_root) as session:
        yield session


def test_search_show_verify(reg_client: McpClient, reg_root: Path) -> None:
    args = {"registry": "registry"}
    before = snapshot(reg_root)
    found = reg_client.call("registry_search", {**args, "query": "stripe"})
    assert not found.is_error, text_of(found)
    hits = found.structured_content["results"]
    assert [(h["name"], h["latest"]) for h in hits] == [("stripe", "1.0.0")]
    shown = reg_client.call("registry_show", {**args, "ref": "stripe@1.0.0"})
    assert not shown.is_error, text_of(shown)
    assert shown.structured_content["level"] == "gold"
    verified = reg_client.call("registry_verify", args)
    assert not verified.is_error, text_of(verified)
    assert verified.structured_content["ok"] is True
    # read-only for the project: the trust store lives in the per-user state directory
    assert snapshot(reg_root) == before
    assert not (reg_root / ".flows").exists()
    stores = list((reg_root.parent / "state" / "flows" / "trusted").glob("*/timestamp.json"))
    assert len(stores) == 1


def test_search_leaves_the_root_byte_identical(tmp_path: Path, reg_root: Path) -> None:
    root = tmp_path / "work"
    shutil.copytree(reg_root / "registry", root / "registry")
    before = snapshot(root)
    with mcp_server(root) as session:
        found = session.call("registry_search", {"registry": "registry", "query": "stripe"})
        assert not found.is_error, text_of(found)
    assert snapshot(root) == before
    assert sorted(p.name for p in root.iterdir()) == ["registry"]


def test_trust_dir_argument_is_gone(reg_client: McpClient) -> None:
    tools = {t.name: t for t in reg_client.list_tools().tools}
    for name in ("registry_search", "registry_show", "registry_verify"):
        assert tools[name].annotations.read_only_hint is True
        assert "trust_dir" not in tools[name].input_schema["properties"]
    result = reg_client.call("registry_verify", {"registry": "registry", "trust_dir": "t"})
    assert result.is_error
    assert result.structured_content["error"] == "ToolArgumentError"


def test_trust_store_inside_a_root_falls_back_to_a_temporary_one(
    tmp_path: Path, reg_root: Path
) -> None:
    root = tmp_path / "work"
    shutil.copytree(reg_root / "registry", root / "registry")
    before = snapshot(root)
    env = {"XDG_STATE_HOME": str(root / "state")}  # would be inside the root
    with mcp_server(root, env=env) as session:
        verified = session.call("registry_verify", {"registry": "registry"})
        assert not verified.is_error, text_of(verified)
    assert snapshot(root) == before


def test_unknown_connector_is_an_error(reg_client: McpClient) -> None:
    result = reg_client.call("registry_show", {"registry": "registry", "ref": "nope"})
    assert result.is_error
    assert "nope" in text_of(result)


def test_tampered_registry_fails_verification(reg_client: McpClient, reg_root: Path) -> None:
    copy = reg_root / "tampered"

    shutil.copytree(reg_root / "registry", copy)
    wheel = next(copy.rglob("*.whl"))
    wheel.write_bytes(b"PK evil")
    result = reg_client.call("registry_verify", {"registry": "tampered"})
    assert result.is_error
    assert result.structured_content["ok"] is False


def test_registry_urls_and_outside_paths_are_refused(reg_client: McpClient) -> None:
    url = reg_client.call("registry_search", {"registry": "https://example.com/r", "query": "x"})
    assert url.is_error
    assert "only a local registry directory" in text_of(url)
    outside = reg_client.call("registry_search", {"registry": "/", "query": "x"})
    assert outside.structured_content["error"] == "PathOutsideRoots"
    missing = reg_client.call("registry_search", {"query": "x"})
    assert missing.is_error
    assert ".flows/registry: no such directory" in text_of(missing)


def test_python_m_flows_mcp_is_not_fooled_by_a_registry_folder(reg_root: Path) -> None:
    # The working directory holds ``registry/``; `python -m` must still use the real package.
    command = [sys.executable, "-m", "flows.mcp"]
    with mcp_server(reg_root, command=command) as session:
        result = session.call("registry_verify", {"registry": "registry"})
    assert not result.is_error, text_of(result)
