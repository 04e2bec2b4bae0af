"""Static provider conformance: the spec's operations read side by side with the provider's.

Per matched operation: parameters (names, locations, types, required-ness), the request
body (encoding, required fields, types) and the success response (the spec's schema must
accept every response the provider describes). Each :class:`Disagreement` is located at the
spec's place (a location tuple, turned into ``file:line`` by the caller) and the provider's
JSON pointer, with a hint.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from certify.provider.match import Match, path_names, reachable, spec_path
from certify.provider.schemas import Comparison, Finding, Loc, Side, read
from certify.provider.wire import media_matches
from connector_spec.model import ConnectorSpec, Operation, Parameter
from connector_spec.openapi import OpenApiDocument, RefError
from connector_spec.openapi import escape_pointer_token as escape
from connector_spec.openapi.views import ParameterView

IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})  # OpenAPI 3, 4.8.12
#: the media type the generated client sends for each body encoding (without media_type)
DEFAULT_MEDIA = {
    "json": "application/json",
    "form": "application/x-www-form-urlencoded",
    "multipart": "multipart/form-data",
    "text": "text/plain",
    "binary": "application/octet-stream",
}
ENCODING_OF = {media: encoding for encoding, media in DEFAULT_MEDIA.items()}


@dataclass(frozen=True)
class Disagreement:
    """One way the spec and the provider's description disagree."""

    check: str  # operation | params | body | response | requests | responses
    operation: str
    spec_loc: Loc
    pointer: str
    message: str
    hint: str
    also: tuple[str, ...] = ()  # other pointers of the same place (a reference's target)

    def pointers(self) -> tuple[str, ...]:
        """Every provider pointer this disagreement is located at."""
        return (self.pointer, *self.also)


def pointer_of(loc: Loc) -> str:
    """A location tuple as a JSON pointer."""
    return "".join("/" + escape(str(token)) for token in loc)


def split_pointer(pointer: str) -> Loc:
    """A JSON pointer as a location tuple."""
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:])


def dump_schemas(spec: ConnectorSpec) -> dict[str, dict[str, Any]]:
    """Every named schema of ``spec`` as a dict (what :func:`spec_side` follows refs into)."""
    return {k: v.model_dump(by_alias=True, exclude_none=True) for k, v in spec.schemas.items()}


def spec_side(
    spec: ConnectorSpec, name: str, dumped: dict[str, dict[str, Any]] | None = None
) -> Side:
    """The spec's schemas as a :class:`Side` (``$ref: '#/schemas/X'`` followed).

    ``dumped`` is :func:`dump_schemas` of ``spec`` when the caller already has it (dumping
    every schema per comparison made a spec's static checks quadratic).
    """
    dumped = dump_schemas(spec) if dumped is None else dumped

    def resolve(raw: dict[str, Any], loc: Loc) -> tuple[dict[str, Any], Loc]:
        for _ in range(32):
            ref = raw.get("$ref")
            if not isinstance(ref, str) or ref.removeprefix("#/schemas/") not in dumped:
                break
            target = ref.removeprefix("#/schemas/")
            raw, loc = dumped[target], ("schemas", target)
        return raw, loc

    return Side(name, resolve)


def provider_side(document: OpenApiDocument, name: str) -> Side:
    """The provider's description as a :class:`Side` (local ``$ref`` s followed)."""

    def resolve(raw: dict[str, Any], loc: Loc) -> tuple[dict[str, Any], Loc]:
        if not isinstance(raw.get("$ref"), str):
            return raw, loc
        try:
            found = document.resolve(raw, pointer_of(loc))
        except RefError:
            return {}, loc
        value = found.value if isinstance(found.value, dict) else {}
        return value, split_pointer(found.pointer)

    return Side(name, resolve)


def dump_schema(node: Any) -> dict[str, Any]:
    """A spec :class:`SchemaNode` as a dict."""
    dumped: dict[str, Any] = node.model_dump(by_alias=True, exclude_none=True)
    return dumped


REQUEST_HINTS = {
    "required": "mark it required in the spec so that callers must give it",
    "null": "make it non-nullable in the spec",
    "type": "give it the type the provider's description has",
    "enum": "restrict it to the values the provider accepts (enum)",
    "closed": "drop it, or check the provider's name for it",
}
RESPONSE_HINTS = {
    "required": "make it optional in the spec (drop it from 'required'): the provider may omit it",
    "null": "allow null (type: [..., 'null'])",
    "type": "accept every form the provider describes (anyOf, e.g. an id string or the "
    "expanded object)",
    "enum": "list every value the provider has",
    "closed": "allow additional properties",
}


class StaticChecks:
    """The static comparison of one spec with one provider description."""

    def __init__(self, spec: ConnectorSpec, document: OpenApiDocument) -> None:
        self.spec = spec
        self.document = document
        self.found: list[Disagreement] = []
        self._dumped = dump_schemas(spec)  # read-only; shared by every comparison

    def add(
        self,
        check: str,
        op: Operation,
        spec_loc: Loc,
        pointer: str,
        msg: str,
        hint: str,
        also: tuple[str, ...] = (),
    ) -> None:
        """Record one disagreement."""
        self.found.append(Disagreement(check, op.id, spec_loc, pointer, msg, hint, also))

    def missing(self, index: int, op: Operation) -> None:
        """The description has no operation for ``op``."""
        reached = spec_path(self.spec, op)
        known = [
            f"{method} {prefix}{view.path}"
            for (method, _), (view, prefix) in reachable(self.document).items()
        ]
        close = difflib.get_close_matches(f"{op.method} {reached}", known, n=3, cutoff=0.6)
        hint = (
            f"did you mean {' or '.join(close)}? (check method, path and base_url)"
            if close
            else "check the method, the path and the base_url's path against the description"
        )
        self.add(
            "operation",
            op,
            ("operations", index, "path"),
            "/paths",
            f"the provider's description has no {op.method} {reached}",
            hint,
        )

    def compare(self, match: Match) -> None:
        """Every static check of one matched operation."""
        self.params(match)
        self.body(match)
        self.response(match)

    # ---------------------------------------------------------------- parameters

    def _carried_by_auth(self, name: str, location: str) -> bool:
        auth = self.spec.auth
        if auth.type == "api_key":
            return (auth.location, auth.name.lower()) == (location, name.lower())
        if auth.type == "bearer":
            return location == "header" and auth.header.lower() == name.lower()
        return False

    def params(self, match: Match) -> None:
        """Parameter names, locations, types and required-ness."""
        op, view, index = match.operation, match.view, match.index
        base = ("operations", index)
        theirs = {
            (p.name, p.location): p
            for p in view.parameters
            if not (p.location == "header" and p.name.lower() in IGNORED_HEADERS)
        }
        ours = {(p.name, p.location): (j, p) for j, p in enumerate(op.params)}
        their_path = path_names(view.path)
        our_path = path_names(op.path)
        for position, name in enumerate(our_path):
            if position < len(their_path) and (name, "path") in ours:
                counterpart = theirs.get((their_path[position], "path"))
                if counterpart is not None:
                    j, own = ours[(name, "path")]
                    self._param_types(op, (*base, "params", j), own, counterpart)
        for (name, location), described in theirs.items():
            if location == "path" or (name, location) in ours:
                continue
            if described.required and not self._carried_by_auth(name, location):
                self.add(
                    "params",
                    op,
                    (*base, "params") if op.params else base,
                    described.pointer,
                    f"the provider requires {location} parameter `{name}`; the spec does not "
                    "send it",
                    "add it to the operation's params (required: true), or make the auth carry it",
                )
        for (name, location), (j, param) in ours.items():
            loc = (*base, "params", j)
            if location == "path":
                continue
            other = theirs.get((name, location))
            if other is None:
                elsewhere = [loc2 for (n2, loc2) in theirs if n2 == name]
                self.add(
                    "params",
                    op,
                    loc,
                    pointer_of(split_pointer(view.pointer)) + "/parameters",
                    f"the spec sends {location} parameter `{name}`, which the provider's "
                    "description does not have"
                    + (f" (it has it in {elsewhere[0]})" if elsewhere else ""),
                    "check its name and location against the description, or drop it",
                )
                continue
            if other.required and not param.required:
                self.add(
                    "params",
                    op,
                    loc,
                    other.pointer,
                    f"{location} parameter `{name}` is required by the provider; the spec makes "
                    "it optional",
                    "set required: true",
                )
            self._param_types(op, loc, param, other)

    def _param_types(self, op: Operation, loc: Loc, ours: Parameter, theirs: ParameterView) -> None:
        if theirs.schema is None:
            return
        comparison = Comparison(
            provider_side(self.document, "the provider's description"),
            spec_side(self.spec, "the spec", self._dumped),
        )
        wide = read(comparison.wide, theirs.schema, (*split_pointer(theirs.pointer), "schema"))
        narrow = read(comparison.narrow, dump_schema(ours.schema_), (*loc, "schema"))
        comparison.covers(wide, narrow, ours.name)
        for finding in comparison.findings:
            self._finding("params", op, finding, REQUEST_HINTS, request=True)

    def _finding(
        self, check: str, op: Operation, finding: Finding, hints: dict[str, str], *, request: bool
    ) -> None:
        spec_loc = finding.narrow_loc if request else finding.wide_loc
        provider_loc = finding.wide_loc if request else finding.narrow_loc
        target = finding.wide_target if request else finding.narrow_target
        also = (pointer_of(target),) if target != provider_loc else ()
        self.add(
            check,
            op,
            spec_loc,
            pointer_of(provider_loc),
            finding.message,
            hints[finding.kind],
            also,
        )

    # ---------------------------------------------------------------- request body

    def body(self, match: Match) -> None:
        """Body encoding, required fields and field types."""
        op, view, index = match.operation, match.view, match.index
        body = view.request_body
        if op.body is None:
            if body is not None and body.required:
                self.add(
                    "body",
                    op,
                    ("operations", index),
                    body.pointer,
                    "the provider requires a request body; the spec sends none",
                    "describe the body under the operation's 'body'",
                )
            return
        loc = ("operations", index, "body")
        if body is None or not body.content:
            self.add(
                "body",
                op,
                loc,
                view.pointer,
                f"the spec sends a {op.body.encoding} body; the provider's operation takes none",
                "drop the body, or check the operation",
            )
            return
        wanted = (op.body.media_type or DEFAULT_MEDIA[op.body.encoding]).split(";")[0].lower()
        types = [m.media_type.split(";")[0].strip().lower() for m in body.content]
        chosen = next(
            (
                m
                for m, t in zip(body.content, types, strict=True)
                if media_matches(wanted, t) or (op.body.encoding == "json" and t.endswith("+json"))
            ),
            None,
        )
        if chosen is None:
            other = next((ENCODING_OF[t] for t in types if t in ENCODING_OF), op.body.encoding)
            self.add(
                "body",
                op,
                (*loc, "encoding"),
                body.pointer + "/content",
                f"the spec sends the body as {op.body.encoding} ({wanted}); the provider takes "
                f"{', '.join(types)}",
                f"set body.encoding: {other}"
                if other != op.body.encoding
                else "set body.media_type to one the provider takes",
            )
            chosen = body.content[0]
        if op.body.encoding in ("text", "binary"):
            return  # raw content: there are no fields to compare
        if chosen.schema is None:
            return
        comparison = Comparison(
            provider_side(self.document, "the provider's description"),
            spec_side(self.spec, "the spec", self._dumped),
        )
        wide = read(comparison.wide, chosen.schema, (*split_pointer(chosen.pointer), "schema"))
        narrow = read(comparison.narrow, dump_schema(op.body.schema_), (*loc, "schema"))
        comparison.covers(wide, narrow)
        for finding in comparison.findings:
            self._finding("body", op, finding, REQUEST_HINTS, request=True)

    # ---------------------------------------------------------------- response

    def response(self, match: Match) -> None:
        """The spec's success response accepts every one the provider describes."""
        op, view, index = match.operation, match.view, match.index
        status = str(op.response.status)
        loc = ("operations", index, "response")
        described = [r for r in view.responses if r.status == status] or [
            r for r in view.responses if r.status.upper() == status[0] + "XX"
        ]
        if not described:
            listed = ", ".join(r.status for r in view.responses) or "none"
            self.add(
                "response",
                op,
                loc,
                view.pointer + "/responses",
                f"the provider describes no {status} response (it has {listed})",
                "set response.status to the provider's success status",
            )
            return
        if op.response.schema_ is None:
            return
        for response in described:
            for media in response.content:
                kind = media.media_type.split(";")[0].strip().lower()
                if media.schema is None or not (
                    kind == "application/json" or kind.endswith("+json")
                ):
                    continue
                comparison = Comparison(
                    spec_side(self.spec, "the spec", self._dumped),
                    provider_side(self.document, "the provider's description"),
                    closed_enums=False,
                )
                wide = read(comparison.wide, dump_schema(op.response.schema_), (*loc, "schema"))
                narrow = read(
                    comparison.narrow, media.schema, (*split_pointer(media.pointer), "schema")
                )
                comparison.covers(wide, narrow)
                for finding in comparison.findings:
                    self._finding("response", op, finding, RESPONSE_HINTS, request=False)
