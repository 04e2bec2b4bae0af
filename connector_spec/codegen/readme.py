"""The generated package's ``README.md``: set-up, one example per resource (sync and async),
pagination, errors, raw responses and per-call options, all with the package's real names.

Every Python block is a complete program; ``tests/codegen/test_readme_examples.py`` runs each
one against ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from connector_spec.codegen.models import LINE_LIMIT, pyvalue
from connector_spec.codegen.view import MethodView, PackageView
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import ConnectorSpec, auth_schemes
from connector_spec.rules import resolve

_SAMPLE_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def sample(spec: ConnectorSpec, node: SchemaNode, depth: int = 0) -> Any:
    """A plausible value of ``node`` for an example call (the spec's own example first)."""
    node = resolve(spec, node)
    for value in [*(node.examples or []), node.default, node.const]:
        if isinstance(value, str | int | float | bool) and value is not None:
            return value
    if node.enum:
        present = [v for v in node.enum if v is not None]
        if present:
            return present[0]
    group = node.one_of or node.any_of
    if group and depth < 4:
        return sample(spec, group[0], depth + 1)
    kinds = [t for t in node.types() if t != "null"] or (["object"] if node.properties else [])
    kind = kinds[0] if kinds else "string"
    if kind == "integer":
        low = int(node.minimum) if node.minimum is not None else 1
        return min(max(low, 1), int(node.maximum)) if node.maximum is not None else max(low, 1)
    if kind == "number":
        return 1.5 if node.minimum is None or node.minimum <= 1.5 else node.minimum
    if kind == "boolean":
        return True
    if kind == "array":
        items = node.items
        if node.min_items and items is not None and depth < 4:
            return [sample(spec, items, depth + 1)] * node.min_items
        return []
    if kind == "object":
        if depth >= 4:
            return {}
        props = node.properties or {}
        return {k: sample(spec, props[k], depth + 1) for k in node.required if k in props}
    if node.format == "binary":
        return b"file contents"
    text = _SAMPLE_FORMATS.get(node.format or "", "example")
    if node.max_length is not None and len(text) > node.max_length:
        text = "x" * max(node.max_length, node.min_length or 0)
    if node.min_length is not None and len(text) < node.min_length:
        text += "x" * (node.min_length - len(text))
    return text


def _literal(value: Any) -> str:
    if isinstance(value, bytes):
        return repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value).replace("true", "True").replace("false", "False")
    return pyvalue(value)


def format_call(indent: str, head: str, args: list[str]) -> list[str]:
    """``head(args)`` as ruff format writes it: one line, or the arguments on one line of
    their own, or one argument per line with a trailing comma."""
    one = f"{indent}{head}({', '.join(args)})"
    if len(one) <= LINE_LIMIT or not args:
        return [one]
    middle = f"{indent}    {', '.join(args)}"
    if len(middle) <= LINE_LIMIT:
        return [f"{indent}{head}(", middle, f"{indent})"]
    return [f"{indent}{head}(", *[f"{indent}    {a}," for a in args], f"{indent})"]


def _call_args(spec: ConnectorSpec, method: MethodView) -> list[str]:
    op = method.op
    nodes: dict[str, SchemaNode] = {p.name: p.schema_ for p in op.params}
    if op.body is not None:
        body = resolve(spec, op.body.schema_)
        if op.body.single_argument is not None:
            nodes[op.body.single_argument] = op.body.schema_
        else:
            nodes.update(body.properties or {})
    args = []
    for arg in method.ordered_args:
        if not arg.required:
            continue
        node = nodes.get(arg.wire_name, SchemaNode(type="string"))
        args.append(f"{arg.name}={_literal(sample(spec, node))}")
    return args


@dataclass
class Example:
    """One call shown in the README."""

    resource: str
    method: str
    call: list[str]
    summary: str
    paginated: str | None
    result_is_none: bool

    def lines(
        self,
        indent: str,
        *,
        awaited: bool = False,
        raw: bool = False,
        extra: list[str] | None = None,
    ) -> list[str]:
        """The call (and a print of its result) as code lines at ``indent``."""
        comment = [f"{indent}# {self.summary}"] if self.summary else []
        via = ".with_raw_response" if raw else ""
        head = f"{'await ' if awaited else ''}client.{self.resource}{via}.{self.method}"
        if self.result_is_none and not raw:
            return [*comment, *format_call(indent, head, self.call + (extra or []))]
        target = "raw" if raw else "result"
        call = format_call(indent, f"{target} = {head}", self.call + (extra or []))
        return [*comment, *call] + ([] if raw else [f"{indent}print(result)"])


def _pick(methods: list[MethodView]) -> MethodView:
    """The operation that shows a resource best: a read, else its first operation."""
    plain = [m for m in methods if not m.op.response.streamed] or methods
    reads = [m for m in plain if m.op.effects == "read" and m.op.pagination is None]
    return (reads or plain)[0]


def readme_context(view: PackageView) -> dict[str, Any]:
    """Everything ``README.md.j2`` renders."""
    spec = view.spec
    examples = []
    for resource in view.resources:
        chosen = _pick(resource.methods)
        examples.append(
            Example(
                resource=resource.attribute,
                method=chosen.name,
                call=_call_args(spec, chosen),
                summary=" ".join(chosen.op.summary.split()).replace("\\", "/")[:80],
                paginated=None,
                result_is_none=chosen.return_type == "None",
            )
        )
    paged = next((m for m in view.methods if m.iter_name and m.item_type), None)
    pager = None
    if paged is not None:
        attribute = next(r.attribute for r in view.resources if paged in r.methods)
        pager = Example(attribute, paged.iter_name, _call_args(spec, paged), "", "yes", False)
    declared = list(view.error_classes)
    error_example = None
    for method in view.methods:
        if method.errors:
            attribute = next(r.attribute for r in view.resources if method in r.methods)
            error_example = (
                Example(attribute, method.name, _call_args(spec, method), "", None, False),
                method.errors[0][1],
            )
            break
    credentials = []
    for scheme in auth_schemes(spec.auth):
        for value in scheme.model_dump().values():
            if isinstance(value, dict) and value.get("env"):
                credentials.append(value["env"])
    retry = spec.transport.retry
    return {
        "examples": examples,
        "pager": pager,
        "pager_lines": _for_lines(pager) if pager else [],
        "stream_lines": _stream_lines(view),
        "error_example": error_example,
        "declared_errors": declared,
        "credentials": credentials,
        "first": examples[0] if examples else None,
        "resources": view.resources,
        "max_attempts": retry.max_attempts,
        "retry_statuses": ", ".join(str(s) for s in retry.retry_statuses),
        "keyed": ", ".join(f"`{h}`" for h in sorted(_key_headers(spec))),
        "environments": list(spec.environments),
        "description": " ".join(spec.provider.description.split()),
        "docs_url": spec.provider.docs_url,
    }


def _key_headers(spec: ConnectorSpec) -> set[str]:
    return {
        op.idempotency.header
        for op in spec.operations
        if op.idempotency is not None and op.idempotency.header
    }


def _for_lines(pager: Example) -> list[str]:
    lines = format_call("    ", f"for item in client.{pager.resource}.{pager.method}", pager.call)
    lines[-1] += ":"
    return lines


def _stream_lines(view: PackageView) -> list[str]:
    """A ``for event in ...`` loop over the first streamed operation (empty without one)."""
    for resource in view.resources:
        for method in resource.methods:
            if method.event_type is not None:
                head = f"for event in client.{resource.attribute}.{method.name}"
                lines = format_call("    ", head, _call_args(view.spec, method))
                lines[-1] += ":"
                return lines
    return []
