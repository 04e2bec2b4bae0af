"""One idea, one implementation: helpers that existed two or three times now exist once."""

from __future__ import annotations

import ast
from collections import defaultdict

import pytest

from tests.conftest import REPO

PACKAGES = ("connector_spec", "certify", "registry", "policies", "flows")


def _definitions() -> dict[str, list[str]]:
    """Top-level functions, classes and assigned names of every module, by name."""
    found: dict[str, list[str]] = defaultdict(list)
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "runtime" in path.relative_to(REPO).parts:
                continue  # copied verbatim into generated connectors
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                names: list[str] = []
                if isinstance(node, ast.FunctionDef | ast.ClassDef):
                    names = [node.name]
                elif isinstance(node, ast.Assign):
                    names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    names = [node.target.id]
                for name in names:
                    found[name].append(path.relative_to(REPO).as_posix())
    return found


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("sha256_hex", "connector_spec/digests.py"),
        ("check_replaceable_dir", "connector_spec/atomic.py"),
        ("write_report_file", "flows/report_file.py"),
        ("Notice", "flows/notice.py"),
        ("SEMVER_PATTERN", "connector_spec/versions.py"),
    ],
)
def test_defined_exactly_once(name: str, home: str) -> None:
    assert _definitions()[name] == [home]


def test_credential_formats_are_listed_once_in_the_runtime() -> None:
    """Generated clients redact error bodies with the same list the leak check and the policy
    gate use: it lives in the runtime (which generated packages carry) and nowhere else."""
    from connector_spec import secrets
    from connector_spec.runtime import tokens

    assert "TOKEN_PATTERNS" not in _definitions()  # outside the runtime
    assert secrets.TOKEN_PATTERNS is tokens.TOKEN_PATTERNS


@pytest.mark.parametrize("name", ["check_out_dir", "SEMVER_RE", "check_report_path"])
def test_retired_copies_are_gone(name: str) -> None:
    assert name not in _definitions()


def test_semver_is_parsed_only_by_the_versions_module() -> None:
    users = [
        p.relative_to(REPO).as_posix()
        for package in PACKAGES
        for p in (REPO / package).rglob("*.py")
        if "import semver" in p.read_text(encoding="utf-8")
    ]
    assert users == ["connector_spec/versions.py"]


def test_harvest_node_is_split_along_its_seams() -> None:
    """``_harvest_node`` was 214 lines; its parts (skip, auth, base URL and check, operations,
    default responses, spec assembly) are functions of their own. The golden harvest tests and
    a byte-for-byte comparison over n8n-nodes-base 2.41.2 show the output is unchanged."""
    tree = ast.parse((REPO / "flows" / "harvest" / "harvest.py").read_text(encoding="utf-8"))
    sizes = {
        node.name: (node.end_lineno or node.lineno) - node.lineno + 1
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }
    assert sizes["_harvest_node"] <= 60
    parts = ("_skip_finding", "_choose_auth", "_find_base", "_collect_operations", "_emit_spec")
    assert all(sizes[part] <= 80 for part in parts), sizes
