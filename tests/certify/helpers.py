"""Helpers for certify tests: copy a seed connector into tmp, regenerate, break things."""

from __future__ import annotations

import shutil
from pathlib import Path

from connector_spec.codegen import generate_to_directory

REPO = Path(__file__).resolve().parents[2]
# the small seeds (tests/data/small_seeds/README.md): harness tests need a realistic subject,
# not the real-size seeds
CONNECTORS = REPO / "tests" / "data" / "small_seeds"
PACKAGES = {"stripe": "flows_stripe", "slack": "flows_slack", "sendgrid": "flows_sendgrid"}


def copy_connector(
    tmp_path: Path,
    provider: str,
    *,
    fixtures: bool = True,
    spec_edit: tuple[str, str] | None = None,
) -> Path:
    """A copy of ``connectors/<provider>`` (spec, fixtures, freshly generated package)."""
    target = tmp_path / provider
    target.mkdir()
    text = (CONNECTORS / provider / "connector.yaml").read_text()
    if spec_edit is not None:
        old, new = spec_edit
        assert old in text, f"spec edit target not found: {old!r}"
        text = text.replace(old, new)
    spec = target / "connector.yaml"
    spec.write_text(text)
    if fixtures:
        shutil.copytree(CONNECTORS / provider / "fixtures", target / "fixtures")
    if (CONNECTORS / provider / "provider").is_dir():  # the provider's own description
        shutil.copytree(CONNECTORS / provider / "provider", target / "provider")
    generate_to_directory(spec, target)
    return spec


def patch_file(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) with ``new`` in ``path``."""
    text = path.read_text()
    assert old in text, f"patch target not found in {path.name}: {old!r}"
    path.write_text(text.replace(old, new))


def runtime_file(spec: Path, provider: str, name: str) -> Path:
    """The package's own copy of a runtime module."""
    return spec.parent / PACKAGES[provider] / "_runtime" / name


def failed_ids(result: object) -> set[str]:
    """Ids of the failed checks."""
    return {c.id for c in result.checks if c.failed}  # type: ignore[attr-defined]


def messages(result: object, check_id: str) -> list[str]:
    """Messages of every failed result of ``check_id``."""
    return [
        c.message
        for c in result.checks  # type: ignore[attr-defined]
        if c.id == check_id and c.failed
    ]
