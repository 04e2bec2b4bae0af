"""Dynamic provider conformance: run the generated client, judge it by the provider.

``requests``: for synthesized argument sets (required arguments only; every argument; every
argument with each value the provider constrains by ``format`` made malformed), the sync and
the async client each build a request, which must validate against the provider's
description (a client that refuses malformed arguments before sending passes).
``responses``: bodies made from the provider's examples and schemas (see
:mod:`certify.provider.instances`) are served to the client, which must decode them.
Everything runs over ``httpx.MockTransport`` on the package's virtual clock.
"""

from __future__ import annotations

import asyncio
import copy
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from certify.examples import call_arguments, example, resolve, set_pointer, success_body
from certify.harness import VIRTUAL_START, canary_for, secret_refs
from certify.package import ImportedPackage
from certify.provider.instances import Generator, Instance, valid
from certify.provider.match import Match
from certify.provider.schemas import Loc
from certify.provider.static import pointer_of, provider_side, split_pointer
from certify.provider.wire import Validators, request_problems
from connector_spec.model import ConnectorSpec, Operation
from connector_spec.naming import argument_name, client_method

MALFORMED = {"email": "not-an-email", "date-time": "not-a-date", "date": "not-a-date"}
_LOC = re.compile(r"does not match the schema: (.*)$")


@dataclass(frozen=True)
class Problem:
    """One dynamic disagreement: what happened, and the provider pointer it is located at."""

    check: str  # requests | responses
    message: str
    pointer: str


@dataclass
class Sent:
    """What one call sent and how it ended."""

    requests: list[httpx.Request]
    error: BaseException | None


def full_arguments(spec: ConnectorSpec, op: Operation) -> dict[str, Any]:
    """Keyword arguments giving every parameter and every body property a value."""
    args = call_arguments(spec, op)
    for param in op.params:
        args.setdefault(argument_name(param.name), example(spec, param.schema_))
    if op.body is not None:
        for name, node in (resolve(spec, op.body.schema_).properties or {}).items():
            args.setdefault(argument_name(name), example(spec, node))
    return args


class Runner:
    """Calls one operation through a fresh sync or async client, answering from a script."""

    def __init__(
        self, package: ImportedPackage, spec: ConnectorSpec, variables: dict[str, str] | None
    ) -> None:
        self.spec = spec
        self.credentials = {
            (r.env or r.store or ""): canary_for(r.env or r.store or "") for r in secret_refs(spec)
        }
        self.variables = variables
        self.sync_class = package.client_class()
        self.async_class: Any = getattr(package.root, "Async" + self.sync_class.__name__, None)
        self.clock_class = package.module("_runtime.clock").VirtualClock
        self.token_url: str | None = getattr(spec.auth, "token_url", None)
        self.loop = asyncio.new_event_loop()

    def close(self) -> None:
        """Close the event loop."""
        self.loop.close()

    def _handler(
        self, sent: list[httpx.Request], status: int, body: Any
    ) -> Callable[[httpx.Request], httpx.Response]:
        def handle(request: httpx.Request) -> httpx.Response:
            request.read()
            if self.token_url is not None and str(request.url).split("?")[0] == self.token_url:
                token = {"access_token": canary_for("oauth-access-token"), "expires_in": 3600}
                return httpx.Response(200, json={**token, "token_type": "bearer"})
            sent.append(request)
            if len(sent) > 3:
                raise httpx.ReadError("stop", request=request)  # a runaway loop ends here
            content = b"" if body is None else json.dumps(body).encode()
            return httpx.Response(
                status, headers={"Content-Type": "application/json"}, content=content
            )

        return handle

    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "credentials": self.credentials,
            "clock": self.clock_class(VIRTUAL_START),
            "rng": random.Random(0),
            "variables": self.variables,
        }

    def _method(self, client: Any, op: Operation) -> Any:
        attribute, name = client_method(self.spec.operations, op.id)
        return getattr(getattr(client, attribute), name)

    def call(
        self, op: Operation, args: dict[str, Any], status: int, body: Any, *, asynchronous: bool
    ) -> Sent:
        """One call of ``op`` with ``args``; the server answers ``status`` and ``body``."""
        sent: list[httpx.Request] = []
        transport = httpx.MockTransport(self._handler(sent, status, body))
        error: BaseException | None = None
        try:
            if asynchronous:
                self.loop.run_until_complete(self._async_call(op, args, transport))
            else:
                with httpx.Client(transport=transport) as http:
                    client = self.sync_class(http_client=http, **self._client_kwargs())
                    self._method(client, op)(**args)
        except Exception as exc:  # the client's own errors are what is being judged
            error = exc
        return Sent(sent, error)

    async def _async_call(
        self, op: Operation, args: dict[str, Any], transport: httpx.MockTransport
    ) -> None:
        async with httpx.AsyncClient(transport=transport) as http:
            client = self.async_class(http_client=http, **self._client_kwargs())
            await self._method(client, op)(**args)


def _format_probes(
    generator: Generator, raw: Any, loc: Loc, value: Any, path: str = ""
) -> Iterator[tuple[str, Any]]:
    """``(field, value with that field malformed)`` for each value the provider gives a format."""
    if not isinstance(raw, dict):
        return
    raw, loc = generator.side.resolve(raw, loc)
    fmt = raw.get("format")
    if isinstance(value, str) and isinstance(fmt, str) and fmt in MALFORMED:
        yield f"{path} (format: {fmt})", MALFORMED[fmt]
        return
    if isinstance(value, dict):
        props = raw.get("properties") or {}
        for name, child in props.items():
            if name in value:
                where = (*loc, "properties", name)
                for label, bad in _format_probes(
                    generator, child, where, value[name], f"{path}.{name}".lstrip(".")
                ):
                    changed = dict(value)
                    changed[name] = bad
                    yield label, changed
    elif isinstance(value, list) and value:
        items = raw.get("items")
        for label, bad in _format_probes(generator, items, (*loc, "items"), value[0], path + "[0]"):
            yield label, [bad, *copy.deepcopy(value[1:])]


class DynamicChecks:
    """The dynamic checks of one connector against one provider description."""

    def __init__(self, runner: Runner, spec: ConnectorSpec, validators: Validators) -> None:
        self.runner = runner
        self.spec = spec
        self.validators = validators
        self.generator = Generator(provider_side(validators.document, "the provider"))
        self.calls = 0

    def _carried(self) -> set[tuple[str, str]]:
        auth = self.spec.auth
        if auth.type == "api_key":
            return {(auth.name.lower(), auth.location)}
        return set()

    def argument_sets(self, match: Match) -> list[tuple[str, dict[str, Any]]]:
        """Named argument sets: required only, everything, and one per format probe."""
        op = match.operation
        full = full_arguments(self.spec, op)
        sets = [("required arguments", call_arguments(self.spec, op)), ("every argument", full)]
        body = match.view.request_body
        if op.body is not None and body is not None and body.content:
            media = body.content[0]
            props = resolve(self.spec, op.body.schema_).properties or {}
            wire = {
                name: full[argument_name(name)] for name in props if argument_name(name) in full
            }
            where = (*split_pointer(media.pointer), "schema")
            for label, changed in _format_probes(self.generator, media.schema, where, wire):
                probe = dict(full)
                probe.update({argument_name(k): v for k, v in changed.items()})
                sets.append((f"a malformed {label}", probe))
        return sets

    def requests(self, match: Match) -> list[Problem]:
        """Every request the sync and async clients build validates against the provider."""
        op = match.operation
        found: list[Problem] = []
        happy = success_body(self.spec, op)
        for label, args in self.argument_sets(match):
            for asynchronous in (False, True) if self.runner.async_class else (False,):
                self.calls += 1
                sent = self.runner.call(
                    op, args, op.response.status, happy, asynchronous=asynchronous
                )
                if not sent.requests:
                    continue  # the client refused the arguments before sending: nothing to judge
                request = sent.requests[0]
                problems = request_problems(
                    match,
                    self.validators,
                    method=request.method,
                    url=str(request.url),
                    headers=dict(request.headers),
                    content=request.content,
                    carried=self._carried(),
                )
                client = "async" if asynchronous else "sync"
                if label.startswith("a malformed"):
                    problems = [
                        (
                            f"{message} (the generated client does not check `format`; give the "
                            "field a `pattern` it enforces)",
                            pointer,
                        )
                        for message, pointer in problems
                    ]
                for message, pointer in problems:
                    found.append(
                        Problem(
                            "requests",
                            f"the {client} client, given {label}, sent a request "
                            f"the provider refuses: {message}",
                            pointer,
                        )
                    )
        return _unique(found)

    def instances(self, match: Match) -> list[tuple[Instance, str]]:
        """Bodies the provider describes for the spec's success status, with their pointers."""
        status = str(match.operation.response.status)
        made: list[tuple[Instance, str]] = []
        for response in match.view.responses:
            if response.status not in (status, status[0] + "XX"):
                continue
            for media in response.content:
                kind = media.media_type.split(";")[0].lower()
                if media.schema is None or not (
                    kind == "application/json" or kind.endswith("+json")
                ):
                    continue
                schema_loc = (*split_pointer(media.pointer), "schema")
                bundled = self.validators.bundled(media.schema)
                candidates: list[Instance] = []
                raw = media.example
                try:
                    entry_raw = self.validators.document.at(media.pointer)
                except KeyError:
                    entry_raw = {}
                examples = entry_raw.get("examples") if isinstance(entry_raw, dict) else None
                if raw is not None:
                    candidates.append(Instance("the provider's example", raw))
                if isinstance(examples, dict):
                    for name, entry in examples.items():
                        if isinstance(entry, dict) and "value" in entry:
                            candidates.append(
                                Instance(f"the provider's example {name!r}", entry["value"])
                            )
                for variant in ("minimal", "full"):
                    candidates.append(self.generator.instance(media.schema, schema_loc, variant))
                # only bodies the provider's own schema accepts are evidence (its examples
                # sometimes violate it); a schema that cannot be bundled proves nothing
                for candidate in candidates:
                    if bundled is not None and valid(bundled, candidate.value):
                        made.append((candidate, pointer_of(schema_loc)))
        return made

    def responses(self, match: Match) -> list[Problem]:
        """Every response the provider describes decodes without error."""
        op = match.operation
        if op.response.schema_ is None:
            return []
        found: list[Problem] = []
        args = call_arguments(self.spec, op)
        rule = self.spec.body_errors
        for instance, pointer in self.instances(match):
            body = instance.value
            if rule is not None and isinstance(body, dict):
                body = set_pointer(copy.deepcopy(body), rule.success_pointer, rule.success_value)
            self.calls += 1
            sent = self.runner.call(op, args, op.response.status, body, asynchronous=False)
            if sent.error is None:
                continue
            message = str(sent.error)
            where = pointer
            fields = _LOC.search(message)
            if fields is not None and instance.pointers:
                first = fields.group(1).split(": ", 1)[0]
                path = tuple(t for t in first.split(".") if t)
                while path and path not in instance.pointers:
                    path = path[:-1]
                if path in instance.pointers:
                    where = pointer_of(instance.pointers[path])
            name = (
                instance.variant
                if instance.variant.startswith("the ")
                else f"the {instance.variant} body made from the provider's schema"
            )
            found.append(
                Problem(
                    "responses",
                    f"the client raised {type(sent.error).__name__} on {name}: {message}",
                    where,
                )
            )
        return _unique(found)


def _unique(problems: list[Problem]) -> list[Problem]:
    """One problem per cause: the sync and async clients' identical findings merged."""
    kept: dict[tuple[str, str], Problem] = {}
    for problem in problems:
        key = (problem.message.replace("the async client", "the sync client"), problem.pointer)
        if key not in kept:
            kept[key] = problem
        elif kept[key].message != problem.message:
            merged = kept[key].message.replace("the sync client", "the sync and async clients")
            kept[key] = Problem(problem.check, merged, problem.pointer)
    return list(kept.values())
