"""A generated package works with flows uninstalled: only httpx, pydantic and the stdlib.

The package is generated into a temporary directory and driven from a separate interpreter
in which ``connector_spec``, ``flows``, ``certify``, ``registry`` and ``policies`` cannot be
imported (a meta-path finder refuses them and records every attempt). The scripted calls go
through ``httpx.MockTransport`` on the package's own ``VirtualClock``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from connector_spec.codegen import render_package, write_package
from connector_spec.loader import load_spec
from tests.conftest import SMALL_SEEDS

BLOCKED = ("connector_spec", "flows", "certify", "registry", "policies")

PRELUDE = textwrap.dedent(
    """
    import importlib.abc
    import json
    import sys

    BLOCKED = {blocked!r}
    ATTEMPTS = []


    class Uninstalled(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                ATTEMPTS.append(name)
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None


    sys.meta_path.insert(0, Uninstalled())
    try:
        import connector_spec  # noqa: F401
    except ModuleNotFoundError:
        pass
    else:
        raise SystemExit("the blocker does not block")
    ATTEMPTS.clear()
    PRELOADED = sorted(m for m in sys.modules if m.partition(".")[0] in BLOCKED)

    import random
    import sysconfig

    import httpx  # with whatever it imports itself (its optional CLI: click, rich, ...)
    import pydantic

    BEFORE = set(sys.modules)
    sys.path.insert(0, {package_dir!r})
    """
)

EPILOGUE = textwrap.dedent(
    """
    STDLIB = {{sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}}


    def third_party(name):
        if name in sys.stdlib_module_names or name == {package!r}:
            return False
        where = getattr(sys.modules.get(name), "__file__", None) or ""
        in_stdlib = any(where.startswith(p + "/") for p in STDLIB)
        return not (in_stdlib and "-packages" not in where)


    NEW = sorted(
        n for n in {{m.partition(".")[0] for m in set(sys.modules) - BEFORE}} if third_party(n)
    )
    OUT["attempts"] = ATTEMPTS
    OUT["preloaded"] = PRELOADED
    OUT["third_party"] = NEW
    print(json.dumps(OUT))
    """
)


def _run(package_dir: Path, package: str, body: str) -> dict[str, Any]:
    script = (
        PRELUDE.format(blocked=BLOCKED, package_dir=str(package_dir))
        + textwrap.dedent(body)
        + EPILOGUE.format(package=package)
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", script],
        cwd=package_dir,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert out.pop("attempts") == [], "the package tried to import a flows module"
    assert out.pop("preloaded") == []
    _assert_only_httpx_and_pydantic(out.pop("third_party"))
    return out


def _requirement_closure(roots: list[str]) -> set[str]:
    """The distributions ``roots`` need (no extras), normalised names."""

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    seen: set[str] = set()
    todo = [norm(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for requirement in requires:
            if "extra ==" in requirement.replace('"', "").replace("'", ""):
                continue
            todo.append(norm(re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0]))
    return seen


def _assert_only_httpx_and_pydantic(modules: list[str]) -> None:
    allowed = _requirement_closure(["httpx", "pydantic"])
    owners = metadata.packages_distributions()
    for module in modules:
        distributions = {re.sub(r"[-_.]+", "-", d).lower() for d in owners.get(module, [])}
        assert distributions & allowed, (
            f"the generated package imported {module} ({sorted(distributions) or 'unknown'}), "
            f"which is neither httpx, pydantic nor one of their dependencies {sorted(allowed)}"
        )


def _generate(spec_path: Path, out: Path) -> str:
    generated = render_package(load_spec(spec_path))
    write_package(generated, out)
    for path in (out / generated.package).rglob("*.py"):
        text = path.read_text()
        found = re.findall(rf"^\s*(?:from|import)\s+({'|'.join(BLOCKED)})\b", text, re.M)
        assert not found, f"{path} imports {found}"
    return generated.package


def _oauth_spec() -> dict[str, Any]:
    return {
        "apiVersion": "flows.dev/v1",
        "kind": "ConnectorSpec",
        "provider": {
            "name": "solo",
            "version": "0.1.0",
            "description": "Synthetic provider for the standalone test.",
            "docs_url": "https://example.com/docs",
        },
        "base_url": "https://api.solo.example.com",
        "auth": {
            "type": "oauth2_refresh_token",
            "token_url": "https://auth.solo.example.com/token",
            "client_id": {"env": "SOLO_CLIENT_ID"},
            "client_secret": {"env": "SOLO_CLIENT_SECRET"},
            "refresh_token": {"store": "solo/refresh"},
            "scopes": ["notes"],
        },
        "transport": {
            "rate_limit": {"requests": 2, "window_seconds": 10},
            "retry": {"max_attempts": 3, "backoff_base": 1, "jitter": "none"},
        },
        "capabilities": [
            {"name": "solo.notes:read"},
            {"name": "solo.notes:write", "implies": ["solo.notes:read"]},
        ],
        "pagination": {
            "cursor": {
                "type": "cursor",
                "items": "/data",
                "cursor_param": "after",
                "next_cursor": "/next",
            }
        },
        "schemas": {
            "Note": {
                "type": "object",
                "required": ["id", "text"],
                "properties": {"id": {"type": "integer"}, "text": {"type": "string"}},
            }
        },
        "operations": [
            {
                "id": "list_notes",
                "resource": "notes",
                "summary": "List notes.",
                "method": "GET",
                "path": "/notes",
                "params": [{"name": "after", "in": "query"}],
                "response": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "data": {"type": "array", "items": {"$ref": "#/schemas/Note"}},
                            "next": {"type": ["string", "null"]},
                        },
                    }
                },
                "effects": "read",
                "determinism": {"mode": "strict"},
                "pagination": "cursor",
                "capabilities": ["solo.notes:read"],
            },
            {
                "id": "create_note",
                "resource": "notes",
                "summary": "Create a note.",
                "method": "POST",
                "path": "/notes",
                "body": {
                    "schema": {
                        "type": "object",
                        "required": ["text"],
                        "properties": {"text": {"type": "string"}},
                    }
                },
                "response": {"status": 201, "schema": {"$ref": "#/schemas/Note"}},
                "effects": "write",
                "determinism": {"mode": "stable", "volatile": ["/id"]},
                "idempotency": {"kind": "key", "header": "Idempotency-Key"},
                "capabilities": ["solo.notes:write"],
            },
        ],
    }


def test_generated_oauth_package_runs_without_flows(tmp_path: Path) -> None:
    spec = tmp_path / "connector.yaml"
    spec.write_text(yaml.safe_dump(_oauth_spec(), sort_keys=False))
    package = _generate(spec, tmp_path)
    out = _run(
        tmp_path,
        package,
        """
        import asyncio

        import flows_solo

        OUT = {"requests": [], "auth": []}
        api = [
            httpx.Response(200, json={"data": [{"id": 1, "text": "a"}], "next": "n2"}),
            httpx.Response(200, json={"data": [{"id": 2, "text": "b"}], "next": None}),
            httpx.Response(503),
            httpx.Response(201, json={"id": 3, "text": "c"}),
            httpx.Response(401, json={"error": {"message": "bad tok-1 for cid-1"}}),
        ]


        def handler(request):
            if request.url.host == "auth.solo.example.com":
                OUT["token_body"] = request.content.decode()
                return httpx.Response(200, json={"access_token": "tok-1", "expires_in": 600})
            OUT["requests"].append(
                [request.method, str(request.url), request.headers.get("Idempotency-Key")]
            )
            OUT["auth"].append(request.headers["Authorization"])
            return api.pop(0)


        clock = flows_solo.VirtualClock()
        keys = iter(["key-1", "key-2"])
        client = flows_solo.SoloClient(
            credentials={"SOLO_CLIENT_ID": "cid-1", "SOLO_CLIENT_SECRET": "csecret-1"},
            secret_store={"solo/refresh": "refresh-1"}.get,
            transport=httpx.MockTransport(handler),
            clock=clock,
            rng=random.Random(0),
            idempotency_key_factory=lambda: next(keys),
        )
        OUT["notes"] = [n.model_dump() for n in client.notes.iter()]
        OUT["created"] = client.notes.create(text="c").model_dump()
        try:
            client.notes.list()
        except flows_solo.AuthError as exc:
            OUT["error"] = [type(exc).__module__, str(exc)]
        OUT["sleeps"] = clock.sleeps

        async_seen = []


        async def run_async():
            def async_handler(request):
                async_seen.append(str(request.url))
                if request.url.host == "auth.solo.example.com":
                    return httpx.Response(200, json={"access_token": "tok-a"})
                return httpx.Response(200, json={"data": [], "next": None})

            async with flows_solo.AsyncSoloClient(
                credentials={
                    "SOLO_CLIENT_ID": "cid-1",
                    "SOLO_CLIENT_SECRET": "csecret-1",
                    "solo/refresh": "refresh-1",
                },
                transport=httpx.MockTransport(async_handler),
                clock=flows_solo.VirtualClock(),
            ) as aclient:
                return (await aclient.notes.list()).model_dump()


        OUT["async"] = [asyncio.run(run_async()), async_seen]
        """,
    )
    assert out["notes"] == [{"id": 1, "text": "a"}, {"id": 2, "text": "b"}]
    assert out["created"] == {"id": 3, "text": "c"}
    assert out["requests"] == [
        ["GET", "https://api.solo.example.com/notes", None],
        ["GET", "https://api.solo.example.com/notes?after=n2", None],
        ["POST", "https://api.solo.example.com/notes", "key-1"],
        ["POST", "https://api.solo.example.com/notes", "key-1"],
        ["GET", "https://api.solo.example.com/notes", None],
    ]
    assert out["auth"] == ["Bearer tok-1"] * 5
    assert "grant_type=refresh_token" in out["token_body"]
    assert "refresh_token=refresh-1" in out["token_body"]
    # 2 requests per 10 s: the backoff after the 503 (1 s) and the rest of each window
    assert out["sleeps"] == [10.0, 1.0, 9.0]
    module, message = out["error"]
    assert module == "flows_solo._runtime.errors"
    assert message == "solo list_notes: HTTP 401: bad <redacted> for <redacted>"
    assert out["async"] == [
        {"data": [], "next": None},
        ["https://auth.solo.example.com/token", "https://api.solo.example.com/notes"],
    ]


def test_generated_stripe_package_runs_without_flows(tmp_path: Path) -> None:
    package = _generate(SMALL_SEEDS / "stripe" / "connector.yaml", tmp_path)
    out = _run(
        tmp_path,
        package,
        """
        import flows_stripe

        CHARGE = {
            "id": "ch_1", "object": "charge", "amount": 1099, "currency": "usd",
            "created": 1679090539, "livemode": False, "paid": True, "status": "succeeded",
        }
        OUT = {"sent": []}
        answers = [
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, json=CHARGE),
            httpx.Response(200, json={"object": "list", "data": [CHARGE], "has_more": True}),
            httpx.Response(200, json={"object": "list", "data": [], "has_more": False}),
        ]


        def handler(request):
            OUT["sent"].append([request.method, str(request.url)])
            return answers.pop(0)


        clock = flows_stripe.VirtualClock()
        with flows_stripe.StripeClient(
            credentials={"STRIPE_API_KEY": "sk_test_standalone"},
            transport=httpx.MockTransport(handler),
            clock=clock,
            rng=random.Random(0),
        ) as client:
            OUT["charge"] = client.charges.create(amount=1099, currency="usd").id
            OUT["listed"] = [c.id for c in client.charges.iter()]
        OUT["sleeps"] = clock.sleeps
        """,
    )
    assert out["charge"] == "ch_1"
    assert out["listed"] == ["ch_1"]
    assert out["sleeps"] == [7.0]
    assert out["sent"] == [
        ["POST", "https://api.stripe.com/v1/charges"],
        ["POST", "https://api.stripe.com/v1/charges"],
        ["GET", "https://api.stripe.com/v1/charges?limit=100"],
        ["GET", "https://api.stripe.com/v1/charges?limit=100&starting_after=ch_1"],
    ]
