"""docs/comparison.md: the generated Stripe client's column is what the package really does."""

from __future__ import annotations

import ast
import inspect
import re
import sys
import tomllib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from connector_spec.loader import load_spec
from tests.conftest import CONNECTORS, REPO

STRIPE = CONNECTORS / "stripe"
TABLE = REPO / "docs" / "comparison.md"
ROWS = [
    "Coverage",
    "Docs in code",
    "Naming",
    "Raw access",
    "Typed errors",
    "Pagination",
    "Retries and idempotency",
    "Async",
    "Dependencies",
    "Offline proof",
    "Import time",
]


@pytest.fixture
def stripe(generated: Callable[..., ModuleType]) -> ModuleType:
    return generated(STRIPE, "flows_stripe")


def _table() -> dict[str, list[str]]:
    """The table: row name → its cells (flows, Stripe SDK, openapi-python-client)."""
    rows: dict[str, list[str]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        name = re.fullmatch(r"\*\*(.+?)\*\*.*", cells[0]) if cells else None
        if name:
            rows[name.group(1)] = cells[1:]
    return rows


def _methods(resource: Any) -> dict[str, Any]:
    return {
        name: getattr(resource, name)
        for name in dir(resource)
        if not name.startswith("_") and inspect.isroutine(getattr(resource, name))
    }


def test_the_table_compares_the_three_on_every_row_the_issue_names() -> None:
    table = _table()
    assert list(table) == ROWS
    assert all(len(cells) == 3 and all(cells) for cells in table.values())
    assert table["Dependencies"][0] == "httpx, pydantic **(tested)**"


def test_the_package_depends_on_httpx_and_pydantic_only() -> None:
    project = tomllib.loads((STRIPE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=!~ \[]", d, maxsplit=1)[0] for d in project["dependencies"]}
    assert names == {"httpx", "pydantic"}
    imported: set[str] = set()
    for source in (STRIPE / "flows_stripe").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) == {"httpx", "pydantic"}


def test_every_operation_is_a_documented_method_of_its_resource(stripe: ModuleType) -> None:
    spec = load_spec(STRIPE / "connector.yaml").spec
    client = stripe.StripeClient(credentials={"STRIPE_API_KEY": "sk_test_x"})
    resources = {op.resource for op in spec.operations}
    assert resources == {
        "charges",
        "customers",
        "payment_intents",
        "refunds",
        "invoices",
        "subscriptions",
        "products",
        "prices",
    }
    for op in spec.operations:
        documented = [
            name
            for name, method in _methods(getattr(client, op.resource)).items()
            if (method.__doc__ or "").startswith(op.summary)
        ]
        assert documented, f"{op.id}: no method of client.{op.resource} documents it"
    client.close()


def test_the_async_client_has_the_same_surface(stripe: ModuleType) -> None:
    sync = stripe.StripeClient(credentials={"STRIPE_API_KEY": "sk_test_x"})
    asynchronous = stripe.AsyncStripeClient(credentials={"STRIPE_API_KEY": "sk_test_x"})
    for resource in ("charges", "customers", "payment_intents", "invoices"):
        mine = _methods(getattr(sync, resource))
        theirs = _methods(getattr(asynchronous, resource))
        assert set(mine) == set(theirs)
        calls = [n for n, m in mine.items() if not inspect.isgeneratorfunction(m)]
        assert all(inspect.iscoroutinefunction(theirs[name]) for name in calls if name in theirs)
    sync.close()
