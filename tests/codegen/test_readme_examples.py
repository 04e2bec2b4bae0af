"""Every example in a generated package's README.md and module docstrings runs as written.

The examples construct clients the way a user would (``StripeClient()``); here the package's
client classes are swapped for subclasses that add a ``httpx.MockTransport`` answering each
operation with a body that matches its response schema, test credentials and a virtual clock.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from certify.examples import success_body
from certify.harness import secret_refs
from connector_spec.codegen import generate_to_directory, render_package
from connector_spec.loader import load_spec
from connector_spec.model import ConnectorSpec, Operation
from connector_spec.runtime.clock import VirtualClock
from tests.codegen.client_spec import payco_spec
from tests.codegen.specs import write_spec
from tests.conftest import CONNECTORS, import_generated

SPECS = sorted(CONNECTORS.glob("*/connector.yaml"))
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
USAGE = re.compile(r"Usage::\n\n((?:    .*\n|\n)+)")


def _matcher(op: Operation) -> re.Pattern[str]:
    path = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(op.path))
    return re.compile(f".*{path}$")


def _handler(spec: ConnectorSpec) -> Any:
    routes = [(op.method, _matcher(op), op) for op in spec.operations]

    def handle(request: httpx.Request) -> httpx.Response:
        token_url = getattr(spec.auth, "token_url", None)
        if token_url and str(request.url).startswith(token_url):
            return httpx.Response(200, json={"access_token": "at-1", "expires_in": 3600})
        for method, pattern, op in routes:
            if method == request.method and pattern.match(request.url.path):
                status = op.response.status
                if op.response.content == "binary":
                    return httpx.Response(status, content=b"\x00\x01")
                if op.response.content == "text":
                    return httpx.Response(status, text="text body")
                if op.response.schema_ is None:
                    return httpx.Response(status)
                if op.response.streamed:
                    event = json.dumps(success_body(spec, op))
                    text = f"data: {event}\n\n" if op.response.content == "sse" else event
                    return httpx.Response(status, text=text)
                return httpx.Response(status, json=success_body(spec, op))
        return httpx.Response(404, json={"error": {"message": "no such route"}})

    return handle


def _patch_clients(package: ModuleType, spec: ConnectorSpec) -> Iterator[None]:
    names = {r.env or r.store or "" for r in secret_refs(spec)}
    credentials = {name: f"test-{name.lower()}-0123456789" for name in names if name}
    handler = _handler(spec)
    originals = {}
    for name in package.__all__:
        cls = getattr(package, name)
        if not (isinstance(cls, type) and name.endswith("Client")):
            continue
        originals[name] = cls

        def init(self: Any, *args: Any, __cls: type = cls, **kwargs: Any) -> None:
            kwargs.setdefault("credentials", credentials)
            kwargs.setdefault("clock", VirtualClock(0))
            if "http_client" not in kwargs:
                kwargs.setdefault("transport", httpx.MockTransport(handler))
            __cls.__init__(self, *args, **kwargs)  # type: ignore[misc]

        setattr(package, name, type(name, (cls,), {"__init__": init}))
    try:
        yield
    finally:
        for name, cls in originals.items():
            setattr(package, name, cls)


def _examples(directory: Path, package: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    readme = (directory / "README.md").read_text(encoding="utf-8")
    found += [(f"README.md block {i + 1}", code) for i, code in enumerate(BLOCK.findall(readme))]
    for path in sorted((directory / package).glob("*.py")):
        for index, block in enumerate(USAGE.findall(path.read_text(encoding="utf-8"))):
            code = "\n".join(line[4:] for line in block.splitlines())
            found.append((f"{path.name} usage {index + 1}", code.replace("...", "pass")))
    return found


def _run_all(directory: Path, spec_path: Path) -> int:
    loaded = load_spec(spec_path)
    package_name = render_package(loaded).package
    package = import_generated(directory, package_name)
    examples = _examples(directory, package_name)
    assert len(examples) >= 6, [name for name, _ in examples]
    for name, code in examples:
        with contextlib.contextmanager(_patch_clients)(package, loaded.spec):
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out):
                    exec(compile(code, name, "exec"), {"__name__": "__example__"})
            except Exception as exc:  # pragma: no cover - the failure message
                pytest.fail(f"{spec_path.parent.name} {name} raised {exc!r}:\n{code}")
    return len(examples)


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.parent.name for p in SPECS])
def test_every_readme_example_of_a_seed_runs(spec_path: Path) -> None:
    assert _run_all(spec_path.parent, spec_path) >= 6


def test_every_readme_example_of_the_client_features_spec_runs(tmp_path: Path) -> None:
    spec_path = write_spec(tmp_path, payco_spec())
    generate_to_directory(spec_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "| `CardError` | 402 | The card was declined. |" in readme
    assert "client.charges.iter()" in readme and "client.global_.import_()" in readme
    assert "for event in client.charges.stream_events():" in readme
    assert _run_all(tmp_path, spec_path) >= 8
