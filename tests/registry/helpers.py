"""Shared test helpers: a fixed clock, a small spec and a hand-made statement."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from registry import Publication

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SPEC = (REPO / "tests" / "data" / "small_seeds" / "stripe" / "connector.yaml").read_bytes()
T0 = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


class Clock:
    """A settable clock."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def spec_bytes(name: str = "stripe", version: str = "1.0.0") -> bytes:
    """The stripe seed spec, renamed and re-versioned."""
    text = SPEC.decode()
    text = re.sub(r"(?m)^  version: .*$", f"  version: {version}", text, count=1)
    text = re.sub(r"(?m)^  name: stripe$", f"  name: {name}", text, count=1)
    text = text.replace("stripe.", f"{name}.")
    return text.encode()


def statement(name: str = "stripe", version: str = "1.0.0", level: str = "gold") -> dict[str, Any]:
    """A small in-toto Statement v1 with the predicate fields `show` uses."""
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": f"{name}-{version}.whl", "digest": {"sha256": "00" * 32}}],
        "predicateType": "https://flows.dev/certification/v1",
        "predicate": {
            "level": level,
            "connector": {"provider": name, "version": version, "description": "payments"},
            "checks": [
                {
                    "id": "auth.works",
                    "status": "pass",
                    "duration_ms": 12,
                    "message": "ok",
                    "operation": "list_charges",
                }
            ],
            "policy": None,
            "waivers": [{"rule": "no-deletes", "reason": "the API has no deletes"}],
        },
    }


def publication(
    name: str = "stripe", version: str = "1.0.0", *, wheel: bytes = b"PK wheel", **kw: Any
) -> Publication:
    """A publication of ``name@version`` with tiny fake wheel bytes."""
    return Publication(
        name=name,
        version=version,
        spec_bytes=kw.pop("spec", None) or spec_bytes(name, version),
        wheel_filename=f"flows_connector_{name.replace('-', '_')}-{version}-py3-none-any.whl",
        wheel_bytes=wheel,
        statement=kw.pop("stmt", None) or statement(name, version),
        extra_files=kw.pop("extra", None) or {"summary.md": b"# summary\n"},
    )


def run_registry_cli(*args: str) -> tuple[int, str]:
    """``flows registry ARGS``: exit code and output (never a traceback)."""
    from typer.testing import CliRunner

    from flows.cli.app import app

    result = CliRunner().invoke(app, ["registry", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output
