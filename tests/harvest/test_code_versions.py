"""A node whose code changes between two catalog versions gets the smallest bump needed.

Tiny self-written n8n-nodes-base catalogs (nodes.json + compiled-looking JS, not n8n's code)
are harvested and farmed into one registry in turn: an unchanged node is not published again,
an added operation is an additive change, a changed path a breaking one. Harvested specs start
at 0.1.0, where ``flows spec diff`` asks a patch bump for additive changes and a minor bump for
breaking ones (semver's 0.x rule); the farm publishes exactly that next version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.farm.helpers import by_key, flows
from tests.harvest.test_code_harvest import CREDENTIALS, HELPER, acme_code_node, node_code

UPDATE = (
    b"const contactId = this.getNodeParameter('contactId', i);\n"
    b"responseData = await GenericFunctions_1.acmeApiRequest.call(this, 'PATCH', "
    b"`/%s/${contactId}`, body, qs);"
)
DELETE = (
    b"responseData = await GenericFunctions_1.acmeApiRequest.call(this, 'DELETE', "
    b"`/contacts/${this.getNodeParameter('contactId', i)}`);"
)


def write_code_catalog(root: Path, version: str, branches: dict[str, bytes]) -> Path:
    """An unpacked package: nodes.json, credentials.json and ``dist/nodes/Acme/*.js``."""
    node = acme_code_node(list(branches))
    node["properties"][2]["displayOptions"] = {"show": {"resource": ["contact"]}}
    types = root / "dist" / "types"
    types.mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"name": "n8n-nodes-base", "version": version}))
    (types / "nodes.json").write_text(json.dumps([node]))
    (types / "credentials.json").write_text(json.dumps(list(CREDENTIALS.values())))
    code = root / "dist" / "nodes" / "Acme"
    code.mkdir(parents=True)
    (code / "Acme.node.js").write_bytes(node_code(branches))
    (code / "GenericFunctions.js").write_bytes(HELPER)
    return root


def _harvest_and_farm(tmp_path: Path, name: str, branches: dict[str, bytes]) -> dict[str, Any]:
    catalog = write_code_catalog(tmp_path / f"catalog-{name}", name, branches)
    specs = tmp_path / f"harvested-{name}"
    run = flows("harvest", "n8n", "--catalog", catalog, "--out", specs, "--json")
    assert run.code == 0, run.stdout + run.stderr
    farm = flows("farm", "--specs", specs, "--registry", tmp_path / "reg", "--jobs", "1", "--json")
    assert farm.code == 0, farm.stdout + farm.stderr
    outcome: dict[str, Any] = by_key(farm.json())["acme"]
    return outcome


def test_code_changes_get_the_smallest_bump_spec_diff_requires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOWS_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("FLOWS_TRUST_DIR", str(tmp_path / "trusted"))
    monkeypatch.delenv("FLOWS_REGISTRY", raising=False)
    first = _harvest_and_farm(tmp_path, "1.0.0", {"update": UPDATE % b"contacts"})
    assert (first["status"], first["version"]) == ("published", "0.1.0"), first

    same = _harvest_and_farm(tmp_path, "1.0.1", {"update": UPDATE % b"contacts"})
    assert (same["status"], same["version"]) == ("unchanged", "0.1.0")

    added = {"update": UPDATE % b"contacts", "delete": DELETE}
    additive = _harvest_and_farm(tmp_path, "1.1.0", added)
    assert (additive["status"], additive["version"], additive["bump"]) == (
        "published",
        "0.1.1",
        "patch",
    )
    assert "contact_delete" in additive["version_note"]

    moved = {"update": UPDATE % b"people", "delete": DELETE}
    breaking = _harvest_and_farm(tmp_path, "2.0.0", moved)
    assert (breaking["status"], breaking["version"], breaking["bump"]) == (
        "published",
        "0.2.0",
        "minor",
    )
    assert "contact_update" in breaking["version_note"]

    # what `flows spec diff` says between the published versions
    targets = tmp_path / "reg" / "targets" / "acme"
    old, new = targets / "0.1.1" / "connector.yaml", targets / "0.2.0" / "connector.yaml"
    diff = flows("spec", "diff", old, new, "--json")
    assert (diff.json()["required_bump"], diff.json()["minimum_next_version"]) == (
        "minor",
        "0.2.0",
    )


def test_hostile_code_files_are_skipped_not_followed(tmp_path: Path) -> None:
    import os

    from flows.harvest import load_catalog
    from flows.harvest.catalog import MAX_CODE_FILE_BYTES

    root = write_code_catalog(tmp_path / "catalog", "1.0.0", {"update": UPDATE % b"contacts"})
    nodes = root / "dist" / "nodes"
    (nodes / "loop").symlink_to(nodes, target_is_directory=True)
    os.mkfifo(nodes / "Acme" / "Fifo.node.js")
    (nodes / "Acme" / "Big.node.js").write_bytes(b" " * (MAX_CODE_FILE_BYTES + 1))
    (nodes / "Acme" / "Link.node.js").symlink_to("/etc/hostname")
    catalog = load_catalog(root)
    assert sorted(catalog.code_files) == ["Acme/Acme.node.js", "Acme/GenericFunctions.js"]
