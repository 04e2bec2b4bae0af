"""Arguments: falsy values, unicode and reserved characters, and path escaping.

Each argument set is built from the happy-path call plus values the operation's own schema
allows, and every value is looked for where the spec puts it: the query, a header, the path,
a form field or a JSON property.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from certify.examples import resolve
from certify.harness import SentRequest, query_of
from certify.matrix.core import MatrixBase, OpContext, Skip, expect_success
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.naming import argument_name

#: Reserved URL/form characters and non-ASCII text (header values get the ASCII part only).
RESERVED_TEXT = "a/b?c&d=e#f%g+h;i,j k'l\"m"
UNICODE_TEXT = " Zürich €5 ✓ 東京"
#: Path values that must stay one segment of the operation's own path.
PATH_VALUES = ("..", ".", "../refunds/re_1", "a/b?c#d%e ü")


@dataclass(frozen=True, eq=False)
class Slot:
    """One argument of the generated method and where it goes on the wire."""

    name: str  # the Python keyword
    wire: str  # the parameter or field name on the wire
    location: str  # path | query | header | form | json
    schema: SchemaNode


def wire_text(value: Any) -> str:
    """How the runtime writes a scalar into a query, form or header (``_runtime.engine._text``:
    ``true``/``false``, and a whole ``number`` such as ``1.0`` as ``1``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _plain_string(node: SchemaNode) -> bool:
    """A free-form string: no enum, const, pattern or format to respect."""
    return (
        "string" in node.types()
        and node.enum is None
        and node.const is None
        and node.pattern is None
        and node.format is None
    )


def falsy_value(node: SchemaNode) -> tuple[bool, Any]:
    """(found, a falsy value the schema allows): False, 0 or ``""``."""
    types = node.types()
    if node.enum is not None:
        for value in node.enum:
            if isinstance(value, bool | int | float | str) and not value:
                return True, value
        return False, None
    if "boolean" in types:
        return True, False
    if ("integer" in types or "number" in types) and (
        (node.minimum is None or node.minimum <= 0) and (node.maximum is None or node.maximum >= 0)
    ):
        return True, 0
    if _plain_string(node) and not node.min_length:
        return True, ""
    return False, None


class ArgumentChecks(MatrixBase):
    """What the client puts on the wire for awkward but valid arguments."""

    def slots(self, ctx: OpContext) -> list[Slot]:
        """Every scalar argument of the operation, with its wire location."""
        found = [
            Slot(argument_name(p.name), p.name, p.location, resolve(self.spec, p.schema_))
            for p in ctx.op.params
        ]
        body = ctx.op.body
        # one argument per field of a JSON or form body (a whole-body argument, multipart and
        # raw bodies are not field by field)
        if body is not None and body.single_argument is None and body.encoding in ("json", "form"):
            node = resolve(self.spec, body.schema_)
            for wire, child in (node.properties or {}).items():
                if child.read_only or resolve(self.spec, child).read_only:
                    continue  # not an argument
                location = "form" if body.encoding == "form" else "json"
                found.append(Slot(argument_name(wire), wire, location, resolve(self.spec, child)))
        return found

    def _sent_value(self, slot: Slot, sent: SentRequest, parsed: _Parsed) -> tuple[bool, Any]:
        """(present, value) of ``slot`` in the request as the provider receives it."""
        if slot.location == "query":
            values = parsed.query(sent).get(slot.wire)
            return (True, values[0]) if values else (False, None)
        if slot.location == "header":
            headers = parsed.headers(sent)
            return (slot.wire.lower() in headers, headers.get(slot.wire.lower()))
        if slot.location == "form":
            pairs = parsed.form(sent)
            return (slot.wire in pairs, pairs.get(slot.wire))
        body = parsed.json(sent)
        if not isinstance(body, dict) or slot.wire not in body:
            return False, None
        return True, body[slot.wire]

    def _expect_values(self, ctx: OpContext, values: dict[Slot, Any], what: str) -> str | None:
        call = dict(ctx.call)
        call.update({slot.name: value for slot, value in values.items()})
        outcome = self.run(ctx, [ctx.happy], call=call)
        problem = expect_success(outcome, 1, what)
        if problem:
            return problem
        sent = outcome.requests[0]
        parsed = _Parsed()  # each part of the request is parsed once, not once per slot
        for slot, value in values.items():
            present, got = self._sent_value(slot, sent, parsed)
            want = value if slot.location == "json" else wire_text(value)
            if not present:
                return (
                    f"{what}: the client dropped {slot.location} {slot.wire}={json.dumps(value)} "
                    f"from the request ({sent.method} {sent.url})"
                )
            if got != want or isinstance(got, bool) != isinstance(want, bool):
                return (
                    f"{what}: {slot.location} {slot.wire} arrived as {json.dumps(got)}; "
                    f"the caller passed {json.dumps(value)}"
                )
        return None

    def falsy_arguments(self, ctx: OpContext) -> str | None:
        """False, 0 and "" are values: they reach the provider, never dropped as unset."""
        values: dict[Slot, Any] = {}
        for slot in self.slots(ctx):
            if slot.location == "path":
                continue  # an empty path segment is never valid; see path_escaping
            ok, value = falsy_value(slot.schema)
            if ok:
                values[slot] = value
        if not values:
            raise Skip("no parameter or field of this operation takes False, 0 or an empty string")
        return self._expect_values(ctx, values, 'with falsy arguments (False, 0, "")')

    def reserved_arguments(self, ctx: OpContext) -> str | None:
        """Unicode and URL-reserved characters arrive intact in every location."""
        values: dict[Slot, Any] = {}
        for slot in self.slots(ctx):
            if slot.location == "path" or not _plain_string(slot.schema):
                continue
            text = RESERVED_TEXT if slot.location == "header" else RESERVED_TEXT + UNICODE_TEXT
            if slot.schema.max_length is not None and len(text) > slot.schema.max_length:
                continue
            values[slot] = text
        if not values:
            raise Skip("no free-form string parameter or field to carry reserved characters")
        return self._expect_values(ctx, values, "with reserved and non-ASCII characters")

    def path_escaping(self, ctx: OpContext) -> str | None:
        """A path parameter is one escaped segment: ``/``, ``..`` or ``?`` never change the path."""
        slots = [s for s in self.slots(ctx) if s.location == "path"]
        if not slots:
            raise Skip("the operation has no path parameter")
        # an AWS-style path may carry a fixed query or fragment (/tags/{arn}#tagKeys)
        template = ctx.op.path.split("#")[0].split("?")[0].strip("/").split("/")
        base = self.harness.new_client(ctx.environment)[0].base_url
        prefix = [s for s in urlsplit(base).path.split("/") if s]
        tested = [slot for slot in slots if _plain_string(slot.schema)]
        if not tested:
            raise Skip("every path parameter has an enum, pattern or format that rules these out")
        for slot in tested:
            for value in (*PATH_VALUES, ""):
                call = {**ctx.call, slot.name: value}
                outcome = self.run(ctx, [ctx.happy], call=call)
                what = f"with path parameter {slot.wire}={value!r}"
                if outcome.harness_problem:
                    return f"{what}: {outcome.harness_problem}"
                if not outcome.requests:
                    if outcome.error_name == "RequestValidationError":
                        continue  # refusing the value is safe
                    return f"{what}: the client raised {outcome.describe_error()}"
                if value == "":
                    return (
                        f"{what}: the client sent {outcome.requests[0].url}; an empty path "
                        "parameter must be refused (RequestValidationError), since it turns "
                        "the path into another endpoint"
                    )
                problem = _path_problem(outcome.requests[0], prefix, template, slot.wire, value)
                if problem:
                    return f"{what}: {problem}"
        return None


def _path_problem(
    sent: SentRequest, prefix: list[str], template: list[str], wire: str, value: str
) -> str | None:
    raw = urlsplit(sent.url).path
    segments = raw.strip("/").split("/")
    expected = [*prefix, *template]
    if len(segments) != len(expected):
        return (
            f"the client sent {sent.method} {raw}: the value changed the path "
            f"(it must be one escaped segment of /{'/'.join(expected)})"
        )
    for got, want in zip(segments, expected, strict=True):
        # a segment may hold a parameter between literal text (Google's /v1/{name}:retry)
        parts = re.split(r"(\{[^{}]+\})", want)
        pattern = "".join(
            ("(?P<value>.*)" if part == "{" + wire + "}" else "[^/]*")
            if part.startswith("{")
            else re.escape(part)
            for part in parts
        )
        match = re.fullmatch(pattern, got)
        if match is None:
            return f"the client sent {sent.method} {raw}; the path must stay /{'/'.join(expected)}"
        found = match.groupdict().get("value")
        if found is not None and (unquote(found) != value or found in (".", "..")):
            return f"the client sent {sent.method} {raw}: segment {got!r} is not {value!r} escaped"
    return None


class _Parsed:
    """The parts of one sent request, each parsed on first use."""

    def __init__(self) -> None:
        self._query: dict[str, list[str]] | None = None
        self._headers: dict[str, str] | None = None
        self._form: dict[str, str] | None = None
        self._json: tuple[Any] | None = None

    def query(self, sent: SentRequest) -> dict[str, list[str]]:
        if self._query is None:
            self._query = query_of(sent.url)
        return self._query

    def headers(self, sent: SentRequest) -> dict[str, str]:
        if self._headers is None:
            self._headers = {k.lower(): v for k, v in sent.headers.items()}
        return self._headers

    def form(self, sent: SentRequest) -> dict[str, str]:
        if self._form is None:
            text = sent.content.decode("utf-8", "replace")
            self._form = dict(parse_qsl(text, keep_blank_values=True))
        return self._form

    def json(self, sent: SentRequest) -> Any:
        if self._json is None:
            try:
                self._json = (json.loads(sent.content) if sent.content else None,)
            except ValueError:
                self._json = (None,)
        return self._json[0]
