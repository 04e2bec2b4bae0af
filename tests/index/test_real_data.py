"""The catalog over real data: every spec the harvester derives from n8n-nodes-base 2.41.2.

Whole-catalog run: marked slow, skipped when the package is absent ($FLOWS_N8N_CATALOG or
../../data/n8n-nodes-base beside the work tree).
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import pytest
import yaml

from registry import catalog
from registry.site import render
from tests.conftest import REPO


def n8n_package() -> Path | None:
    for candidate in (
        os.environ.get("FLOWS_N8N_CATALOG"),
        REPO.parents[1] / "data" / "n8n-nodes-base",
    ):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    return None


@pytest.mark.slow
def test_every_harvested_spec_gets_a_faithful_catalog_page() -> None:
    package = n8n_package()
    if package is None:
        pytest.skip("n8n-nodes-base is not available (set FLOWS_N8N_CATALOG)")
    from flows.harvest.harvest import harvest_n8n

    specs = {
        path: data
        for path, data in harvest_n8n(package).files.items()
        if path.endswith("/connector.yaml")
    }
    assert len(specs) >= 50
    for path, data in specs.items():
        fast = catalog._spec_facts(data)
        full = catalog._spec_facts(b"# \n" + yaml.safe_dump(yaml.safe_load(data)).encode())
        assert fast.pop("source") == "n8n", path
        full.pop("source")
        assert fast == full, path
        name = path.split("/")[0]
        record = {"files": ["connector.yaml"], "digest": "sha256:x"}
        entry = catalog.version_entry(
            name,
            "0.1.0",
            record,
            {},
            {"connector.yaml": data}.__getitem__,
            statement=None,
            signer=None,
        )
        page = render.connector_files(name, [(entry, None)], render.Links())[
            f"c/{name}/0.1.0.html"
        ].decode()
        for op in entry["operations"]:
            assert f"<code>{escape(op['path'])}</code>" in page, (path, op["id"])
