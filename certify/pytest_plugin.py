"""pytest plugin: run flows certification checks inside a connector author's test suite.

Two ways in:

* ``pytest --flows-certify connectors/acme/connector.yaml`` adds one test item per check
  (``certify[contract.auth_401:create_thing]``); a failed check fails its item with the
  check's message. Repeat the option for several connectors; ``--flows-certify-only``
  narrows the checks like ``flows certify connector --only``.
* The ``flows_certify`` fixture returns :func:`certify.certify_connector` for tests that
  want the result object itself.

Nothing is imported or run unless one of these is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--flows-certify`` and ``--flows-certify-only``."""
    group = parser.getgroup("flows-certify", "flows connector certification")
    group.addoption(
        "--flows-certify",
        action="append",
        default=[],
        metavar="SPEC",
        help="certify this connector spec; one test item per check",
    )
    group.addoption(
        "--flows-certify-only",
        action="append",
        default=[],
        metavar="CHECK",
        help="only these checks (id, prefix or glob)",
    )


class CertifyCheckFailed(Exception):
    """A certification check failed (its message says what the client did wrong)."""


class CertifyItem(pytest.Item):
    """One certification check as a pytest item."""

    def __init__(self, *, check: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check

    def runtest(self) -> None:
        """Fail when the check failed; skip when it was skipped."""
        if self.check.status == "skipped":
            pytest.skip(self.check.message)
        if self.check.failed:
            raise CertifyCheckFailed(self.check.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """Just the check's message, no traceback."""
        if isinstance(excinfo.value, CertifyCheckFailed):
            return f"{self.check.id} failed: {excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Any, int | None, str]:
        """Where the item comes from (the spec)."""
        return self.path, None, self.name


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Append one item per check of every ``--flows-certify`` spec."""
    specs: list[str] = config.getoption("flows_certify") or []
    if not specs:
        return
    from certify import certify_connector

    only = config.getoption("flows_certify_only") or None
    for spec in specs:
        result = certify_connector(spec, only=only)
        for check in result.checks:
            name = f"certify[{result.provider}:{check.id}:{check.operation or 'connector'}]"
            items.append(CertifyItem.from_parent(session, name=name, check=check))


@pytest.fixture
def flows_certify() -> Callable[..., Any]:
    """:func:`certify.certify_connector`, for tests that inspect the result."""
    from certify import certify_connector

    return certify_connector
