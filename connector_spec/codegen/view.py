"""The view model the templates render: every name, type and source line precomputed.

Lines are either one line that fits or fully exploded with trailing commas, so the output
is already in ruff-format style without running a formatter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from connector_spec.codegen.auth_source import auth_source, construct
from connector_spec.codegen.bodies import plan_body
from connector_spec.codegen.docs import describe, method_doc
from connector_spec.codegen.errors import ErrorClass, plan_errors
from connector_spec.codegen.models import LINE_LIMIT, ModelBuilder, doc_text, pystr, pyvalue
from connector_spec.codegen.naming import camel, import_order
from connector_spec.errors import Diagnostic, SpecError
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.loader import LoadedSpec
from connector_spec.model import (
    ConnectorSpec,
    Operation,
    path_secret_names,
)
from connector_spec.naming import argument_name, member_name, spec_method_names
from connector_spec.rules import resolve


def fit_call(indent: str, head: str, args: list[str], tail: str = "") -> list[str]:
    """``head(args)tail`` as ruff format writes it: one line, or the arguments together on a
    line of their own, or one argument a line with a trailing comma."""
    one = f"{indent}{head}({', '.join(args)}){tail}"
    if len(one) <= LINE_LIMIT:
        return [one]
    if not args:  # nothing to split inside: ruff wraps the value of an assignment instead
        target, equals, value = head.partition(" = ")
        if not equals:
            return [one]
        return [f"{indent}{target} = (", f"{indent}    {value}(){tail}", f"{indent})"]
    middle = f"{indent}    {', '.join(args)}"
    if len(middle) <= LINE_LIMIT:
        return [f"{indent}{head}(", middle, f"{indent}){tail}"]
    return [f"{indent}{head}(", *[f"{indent}    {a}," for a in args], f"{indent}){tail}"]


def fit_or_explode(prefix: str, items: list[str], indent: str, open_: str, close: str) -> list[str]:
    """``prefix + open_ + items + close`` on one line if it fits, else one item per line."""
    one = f"{indent}{prefix}{open_}{', '.join(items)}{close}"
    if len(one) + 8 <= LINE_LIMIT or not items:
        return [one]
    return [f"{indent}{prefix}{open_}", *[f"{indent}    {i}," for i in items], f"{indent}{close}"]


@dataclass
class Arg:
    """One keyword argument of a generated method."""

    name: str
    wire_name: str
    location: str
    type_expr: str
    required: bool
    doc: str = ""

    @property
    def signature(self) -> str:
        """``name: type`` or ``name: type | None = None``."""
        if self.required:
            return f"{self.name}: {self.type_expr}"
        if "None" in _top_level_members(self.type_expr):  # a nullable type is optional already
            return f"{self.name}: {self.type_expr} = None"
        return f"{self.name}: {self.type_expr} | None = None"


def _top_level_members(type_expr: str) -> list[str]:
    """The members of a union type expression, outside any brackets (``a[b | c] | d`` → 2)."""
    members: list[str] = []
    depth = 0
    current = ""
    for char in type_expr:
        depth += char in "[("
        depth -= char in "])"
        if char == "|" and depth == 0:
            members.append(current.strip())
            current = ""
        else:
            current += char
    members.append(current.strip())
    return members


@dataclass
class MethodView:
    """One operation as generated methods (plus ``iter_`` for paginated ones)."""

    op: Operation
    const: str
    args: list[Arg]
    body_lines: list[str]
    return_type: str
    result_adapter: str | None
    item_type: str | None
    item_adapter: str | None
    raw_decoder: str | None = None  # decode_text / decode_binary for non-JSON responses
    event_type: str | None = None  # a streamed response: the type of one event
    event_adapter: str | None = None
    name: str = ""  # the method (see connector_spec.naming.method_names)
    iter_name: str = ""  # the auto-pager of a paginated method
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # status, class, why
    import_lines: list[str] = field(default_factory=list)  # models the body uses at runtime
    doc_lines: list[str] = field(default_factory=list)
    pager_doc_lines: list[str] = field(default_factory=list)

    @property
    def ordered_args(self) -> list[Arg]:
        """Required arguments first, then optional ones, each in spec order."""
        return [a for a in self.args if a.required] + [a for a in self.args if not a.required]


@dataclass
class ResourceView:
    """A resource group: one class with the methods of its operations."""

    name: str
    class_name: str
    methods: list[MethodView] = field(default_factory=list)

    @property
    def attribute(self) -> str:
        """The client attribute holding this resource (``client.global_`` for ``global``)."""
        return member_name(self.name)

    @property
    def shadowed(self) -> frozenset[str]:
        """Builtin type names a method of this class hides in its annotations (``list``)."""
        return frozenset(m.name for m in self.methods) & _BUILTIN_TYPES

    def typed(self, text: str) -> str:
        """``text`` (an annotation) with the builtin types this class shadows as ``builtins.X``."""
        shadowed = self.shadowed
        if not shadowed:
            return text

        def swap(match: re.Match[str]) -> str:
            word = match.group(1)
            return f"builtins.{word}" if word in shadowed else match.group(0)

        return _ANNOTATION_TOKENS.sub(swap, text)


_BUILTIN_TYPES = frozenset(
    {"bool", "bytes", "dict", "float", "int", "list", "object", "set", "str", "tuple", "type"}
)
# a quoted string (kept as it is) or a bare name not after a dot
_ANNOTATION_TOKENS = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|(?<![\w.])([A-Za-z_]\w*)")


@dataclass
class PackageView:
    """Everything the templates need."""

    spec: ConnectorSpec
    spec_digest: str
    generator_version: str
    package: str
    distribution: str
    client_class: str
    models: ModelBuilder
    resources: list[ResourceView]
    config_lines: list[str]
    client_imports: list[str]
    adapters: list[tuple[str, str]]
    has_pagination: bool
    title: str
    error_classes: list[ErrorClass] = field(default_factory=list)

    @property
    def methods(self) -> list[MethodView]:
        """All methods in spec order."""
        return [m for r in self.resources for m in r.methods]


def _facts(op: Operation) -> str:
    facts = f"``{op.method} {doc_text(op.path, single_line=True)}`` - effects: {op.effects}"
    if op.idempotency is not None:
        facts += f"; idempotency: {op.idempotency.kind}"
        if op.idempotency.header:
            facts += f" ({op.idempotency.header}, sent for you)"
    if op.deprecated:
        facts += ". Deprecated by the provider"
    if op.response.streamed:
        facts += (
            f". A {op.response.content} stream: events are validated as they arrive; retries "
            "happen only before it starts"
        )
    return facts + "."


def _returns(spec: ConnectorSpec, m: MethodView) -> tuple[str, str] | None:
    op = m.op
    if m.return_type == "None":
        return None
    node = resolve(spec, op.response.schema_) if op.response.schema_ is not None else None
    text = describe(op.response.description) or (describe(node.description) if node else "")
    if m.event_type is not None:
        return m.event_type, text or f"One event of the {op.response.content} stream."
    if op.response.content != "json":
        text = text or f"The {op.response.content} body of the response."
    return m.return_type, text or "The response body."


def _raises(m: MethodView, classes: dict[str, ErrorClass]) -> list[tuple[str, str]]:
    """The Raises section: the declared errors of the operation, then the generic ones."""
    out = []
    for status, name, text in m.errors:
        out.append((name, f"HTTP {status}: {text or classes[name].doc}"))
    if m.args:
        out.append(("RequestValidationError", "An argument does not match the spec."))
    out.append(("AuthError", "The credentials were refused (HTTP 401/403)."))
    out.append(
        (
            "ConnectorError",
            "Any other failure: ClientError (4xx), RateLimited, ServerError (5xx, after "
            "retries), TransportError, DecodeError.",
        )
    )
    return out


def _document(spec: ConnectorSpec, m: MethodView, classes: dict[str, ErrorClass]) -> None:
    op = m.op
    args = [(a.name, a.type_expr, describe(a.doc), a.required) for a in m.ordered_args]
    raises = _raises(m, classes)
    m.doc_lines = method_doc(
        summary=op.summary,
        description=op.description,
        facts=_facts(op),
        args=args,
        returns=_returns(spec, m),
        raises=raises,
        pager=m.event_type is not None,  # a stream yields its events
    )
    if m.item_type is not None:
        m.pager_doc_lines = method_doc(
            summary=f"Every item of :meth:`{m.name}`, fetched page by page as you iterate.",
            description=None,
            facts=f"Stops at the last page (and on a repeated cursor). {_facts(op)}",
            args=args,
            returns=(m.item_type, "One item of a page."),
            raises=raises,
            pager=True,
        )


def _item_node(spec: ConnectorSpec, response: SchemaNode | None, pointer: str) -> SchemaNode | None:
    node = resolve(spec, response) if response is not None else None
    for token in [t for t in pointer.split("/")[1:]]:
        if node is None or node.properties is None or token not in node.properties:
            return None
        node = resolve(spec, node.properties[token])
    if node is None or node.items is None:
        return None
    return node.items


def _fail(spec_path: str, op_index: int, message: str) -> SpecError:
    return SpecError([Diagnostic(spec_path, None, None, f"operations[{op_index}]", message)])


def build_view(loaded: LoadedSpec, generator_version: str) -> PackageView:
    """Compute the whole view model of ``loaded``."""
    spec = loaded.spec
    builder = ModelBuilder(spec)
    resources: dict[str, ResourceView] = {}
    adapters: list[tuple[str, str]] = []
    names = spec_method_names(spec.operations)
    for index, op in enumerate(spec.operations):
        view = _method_view(spec, op, index, builder, adapters, str(loaded.path))
        view.name, view.iter_name = names[op.id][1:]
        resource = resources.setdefault(
            op.resource, ResourceView(op.resource, camel(op.resource) + "Resource")
        )
        resource.methods.append(view)
    client_class = camel(spec.provider.name) + "Client"
    error_classes, per_op = plan_errors(spec, builder)
    by_name = {c.name: c for c in error_classes}
    for resource in resources.values():
        for method in resource.methods:
            method.errors = per_op.get(method.op.id, [])
            used = names_in(builder, method.body_lines)
            method.import_lines = [line[8:] for line in local_import(used, " " * 8)]
            _document(spec, method, by_name)
    used_names = _used_model_names(builder, list(resources.values()), adapters)
    return PackageView(
        spec=spec,
        spec_digest=loaded.digest,
        generator_version=generator_version,
        package=f"flows_{spec.provider.python_name}",
        distribution=f"flows-connector-{spec.provider.name.replace('_', '-')}",
        client_class=client_class,
        models=builder,
        resources=list(resources.values()),
        config_lines=config_lines(spec, generator_version, per_op),
        client_imports=used_names,
        adapters=adapters,
        has_pagination=any(op.pagination for op in spec.operations),
        title=spec.provider.display_name or spec.provider.name,
        error_classes=error_classes,
    )


def _method_view(
    spec: ConnectorSpec,
    op: Operation,
    index: int,
    builder: ModelBuilder,
    adapters: list[tuple[str, str]],
    spec_path: str,
) -> MethodView:
    op_class = camel(op.id)
    args: list[Arg] = []
    param_fields: dict[str, SchemaNode] = {}
    for param in op.params:
        name = argument_name(param.name)
        type_expr = builder.type_for(param.schema_, f"{op_class}{camel(param.name)}", closed=True)
        text = param.description or param.schema_.description or ""
        args.append(Arg(name, param.name, param.location, type_expr, param.required, text))
        param_fields[param.name] = param.schema_
    body = plan_body(builder, op)
    for name, wire, type_expr, required, text in body.args:
        args.append(Arg(name, wire, "body", type_expr, required, text))
    seen: dict[str, str] = {}
    for arg in args:
        if arg.name in seen:
            raise _fail(
                spec_path,
                index,
                f"argument name {arg.name!r} is used by both a {seen[arg.name]} and a "
                f"{arg.location} field; rename one of them",
            )
        seen[arg.name] = arg.location
    lines: list[str] = []
    params_args = [a for a in args if a.location != "body"]
    if params_args:
        model_name = builder.define_object(
            builder.claim(f"{op_class}Params"),
            SchemaNode(
                type="object",
                properties=param_fields,
                required=[p.name for p in op.params if p.required],
            ),
            request=True,
            doc=f"The parameters of ``{op.id}`` (path, query and header), checked before sending.",
        )
        lines += _validated_lines("params", model_name, params_args)
    body_args = [a for a in args if a.location == "body"]
    if body.field_args and body.model is not None:
        mode = "python" if op.body is not None and op.body.encoding == "multipart" else None
        lines += _validated_lines("body", body.model, body_args, mode)
    lines += body.lines
    if body.adapter is not None:
        adapters.append(body.adapter)
    call_kwargs: list[tuple[str, str]] = []
    long_picks: dict[str, list[str]] = {}
    for location, keyword in (("path", "path_params"), ("query", "query"), ("header", "headers")):
        names = [pystr(a.wire_name) for a in params_args if a.location == location]
        if names:
            call_kwargs.append((keyword, f"pick(params, {', '.join(names)})"))
            long_picks[f"    {keyword}=pick(params, {', '.join(names)}),"] = [
                f"    {keyword}=pick(",
                "        params,",
                *[f"        {name}," for name in names],
                "    ),",
            ]
    call_kwargs += body.call_kwargs
    call = fit_or_explode("call = Call", [f"{k}={v}" for k, v in call_kwargs], "", "(", ")")
    for line in call:  # a ``pick`` too long for its line is exploded too, as ruff format does
        fits = len(line) + 8 <= LINE_LIMIT or line not in long_picks or len(call) == 1
        lines += [line] if fits else long_picks[line]
    response = op.response.schema_
    return_type = "None"
    result_adapter: str | None = None
    raw_decoder: str | None = None
    event_type: str | None = None
    event_adapter: str | None = None
    if op.response.streamed:
        event_type = builder.type_for(response, f"{op_class}Event") if response else "Any"
        event_adapter = f"_{op.id.upper()}_EVENTS"
        adapters.append((event_adapter, event_type))
        return_type = f"Iterator[{event_type}]"
    elif op.response.content != "json":
        return_type = "str" if op.response.content == "text" else "bytes"
        raw_decoder = f"decode_{op.response.content}"
    elif response is not None:
        return_type = builder.type_for(response, f"{op_class}Response")
        result_adapter = f"_{op.id.upper()}_RESULT"
        adapters.append((result_adapter, return_type))
    item_type = item_adapter = None
    if op.pagination is not None:
        pagination = spec.pagination[op.pagination]
        node = _item_node(spec, response, pagination.items)
        item_type = builder.type_for(node, f"{op_class}Item") if node is not None else "Any"
        item_adapter = f"_{op.id.upper()}_ITEMS"
        adapters.append((item_adapter, f"list[{item_type}]"))
    return MethodView(
        op=op,
        const=op.id.upper(),
        args=args,
        body_lines=lines,
        return_type=return_type,
        result_adapter=result_adapter,
        item_type=item_type,
        item_adapter=item_adapter,
        raw_decoder=raw_decoder,
        event_type=event_type,
        event_adapter=event_adapter,
    )


def _validated_lines(
    target: str, model_name: str, args: list[Arg], mode: str | None = None
) -> list[str]:
    entries = [f"{pystr(a.wire_name)}: {a.name}" for a in args]
    extra = f", mode={pystr(mode)}" if mode else ""
    one = f"{target} = validated({model_name}, {{{', '.join(entries)}}}{extra})"
    if len(one) + 8 <= LINE_LIMIT:
        return [one]
    return [
        f"{target} = validated(",
        f"    {model_name},",
        "    {",
        *[f"        {e}," for e in entries],
        "    },",
        *([f"    mode={pystr(mode)},"] if mode else []),
        ")",
    ]


def _used_model_names(
    builder: ModelBuilder, resources: list[ResourceView], adapters: list[tuple[str, str]]
) -> list[str]:
    """Model names the client's annotations use (imported for type checkers only)."""
    text = " ".join(
        [expr for _, expr in adapters]
        + [a.type_expr for r in resources for m in r.methods for a in m.args]
        + [m.return_type for r in resources for m in r.methods]
    )
    return names_in(builder, [text])


def names_in(builder: ModelBuilder, texts: list[str]) -> list[str]:
    """The generated model and alias names ``texts`` mention, in import order."""
    defined = {m.name for m in builder.models} | {a.name for a in builder.aliases}
    return import_order(defined & code_names(" ".join(texts)))


_STRING_LITERALS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')


def code_names(text: str) -> set[str]:
    """The identifiers of Python source ``text``, not counting words inside string literals
    (a wire name ``"Currency"`` is not a use of the model ``Currency``)."""
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", _STRING_LITERALS.sub('""', text)))


def local_import(names: list[str], indent: str) -> list[str]:
    """``from .models import ...`` inside a function (empty without names), ruff-formatted."""
    if not names:
        return []
    one = f"{indent}from .models import {', '.join(names)}"
    if len(one) <= LINE_LIMIT:
        return [one]
    return [f"{indent}from .models import (", *[f"{indent}    {n}," for n in names], f"{indent})"]


# ---------------------------------------------------------------- _config.py


_JSON = "application/json"


def _query_styles(op: Operation) -> list[tuple[str, str]]:
    styled = [(p.name, p.query_style) for p in op.params if p.query_style is not None]
    if not styled:
        return []
    entries = [f"({pystr(name)}, ({pystr(s[0])}, {s[1]!r}))" for name, s in styled if s]
    return [("query_styles", _keyword_tuple("query_styles", entries))]


def _keyword_tuple(key: str, values: list[str]) -> str:
    """A tuple value of ``key=`` inside an exploded call: on the line if it fits, else one
    item a line (as ruff format writes it)."""
    one = _tuple(values)
    if len(f"    {key}={one},") <= LINE_LIMIT:
        return one
    return "(\n" + "".join(f"        {v},\n" for v in values) + "    )"


def _tuple(values: list[str]) -> str:
    if not values:
        return "()"
    if len(values) == 1:
        return f"({values[0]},)"
    return "(" + ", ".join(values) + ")"


def config_lines(
    spec: ConnectorSpec,
    generator_version: str,
    errors: dict[str, list[tuple[int, str, str]]] | None = None,
) -> list[str]:
    """The body of the generated ``_config.py`` (after its imports)."""
    _auth_classes, auth_body = auth_source(spec.auth)
    out: list[str] = [
        f"PROVIDER = {pystr(spec.provider.name)}",
        f"VERSION = {pystr(spec.provider.version)}",
        f"USER_AGENT = {pystr(f'flows-connector-{spec.provider.name}/{spec.provider.version}')}",
        f"BASE_URL = {pystr(spec.base_url)}",
        f"ALLOW_INSECURE_LOOPBACK = {spec.allow_insecure_loopback!r}",
    ]
    out.append("VARIABLES: dict[str, ServerVariableInfo] = {" + ("" if spec.variables else "}"))
    for name, var in spec.variables.items():
        enum = _tuple([pystr(v) for v in var.enum]) if var.enum is not None else "None"
        out += _keyed(
            name,
            construct(
                "ServerVariableInfo",
                [
                    ("default", pyvalue(var.default)),
                    ("enum", enum),
                    ("pattern", pyvalue(var.pattern)),
                ],
                "    ",
                ",",
            ),
        )
    if spec.variables:
        out.append("}")
    out.append("ENVIRONMENTS: dict[str, EnvironmentInfo] = {" + ("" if spec.environments else "}"))
    for name, env in spec.environments.items():
        pairs = [f"({pystr(k)}, {pystr(v)})" for k, v in env.variables.items()]
        out += _keyed(
            name,
            construct(
                "EnvironmentInfo",
                [("base_url", pyvalue(env.base_url)), ("variables", _tuple(pairs))],
                "    ",
                ",",
            ),
        )
    if spec.environments:
        out.append("}")
    retry = spec.transport.retry
    statuses = ", ".join(str(s) for s in retry.retry_statuses)
    out += construct(
        "RETRY = RetrySettings",
        [
            ("max_attempts", repr(retry.max_attempts)),
            ("backoff_base", repr(float(retry.backoff_base))),
            ("backoff_cap", repr(float(retry.backoff_cap))),
            ("jitter", pystr(retry.jitter)),
            ("retry_statuses", f"frozenset({{{statuses}}})" if statuses else "frozenset()"),
            ("honour_retry_after", repr(retry.honour_retry_after)),
            ("max_retry_after", repr(float(retry.max_retry_after))),
        ],
    )
    t = spec.transport.timeouts
    out += construct(
        "TIMEOUT = httpx.Timeout",
        [
            ("connect", repr(float(t.connect))),
            ("read", repr(float(t.read))),
            ("write", repr(float(t.write))),
            ("pool", repr(float(t.pool))),
        ],
    )
    limit = spec.transport.rate_limit
    rate = f"({limit.requests}, {float(limit.window_seconds)!r})" if limit else "None"
    out.append(f"RATE_LIMIT: tuple[int, float] | None = {rate}")
    be = spec.body_errors
    if be is None:
        out.append("BODY_ERRORS: BodyErrorRule | None = None")
    else:
        kwargs = [
            ("success_pointer", pystr(be.success_pointer)),
            ("success_value", pyvalue(be.success_value)),
            ("code_pointer", pystr(be.code_pointer)),
        ]
        out.append("BODY_ERRORS: BodyErrorRule | None = BodyErrorRule(")
        out += [f"    {key}={value}," for key, value in kwargs]
        for key, values in (
            ("auth_codes", be.auth_codes),
            ("rate_limit_codes", be.rate_limit_codes),
            ("server_codes", be.server_codes),
        ):
            out += frozenset_lines(key, values)
        out.append(")")
    for name, pagination in spec.pagination.items():
        dumped = pagination.model_dump(exclude_defaults=False)
        kwargs = [(k, pyvalue(v)) for k, v in dumped.items()]
        out += construct(f"PAGINATION_{name.upper()} = PaginationSettings", kwargs)
    for op in spec.operations:
        idem = op.idempotency
        header = idem.header if idem is not None and idem.kind == "key" else None
        out += construct(
            f"{op.id.upper()} = OperationInfo",
            [
                ("id", pystr(op.id)),
                ("method", pystr(op.method)),
                ("path", pystr(op.path)),
                ("retry_safe", repr(op.is_retry_safe())),
                ("idempotency_header", pyvalue(header)),
                ("success_status", repr(op.response.status)),
                (
                    "pagination",
                    f"PAGINATION_{op.pagination.upper()}" if op.pagination else "None",
                ),
                *([("accept", pystr(op.response.accept))] if op.response.accept != _JSON else []),
                *([("base_url", pystr(op.base_url))] if op.base_url else []),
                *_query_styles(op),
                *([("authenticated", "False")] if op.auth == "none" else []),
                *_errors_entry((errors or {}).get(op.id, [])),
                *([("stream", pystr(op.response.content))] if op.response.streamed else []),
            ],
        )
    out += [
        "",
        "",
        "def make_auth(resolver: SecretResolver) -> Auth:",
        '    """The credentials of this connector, resolved by name."""',
        *auth_body,
    ]
    return out


def _errors_entry(declared: list[tuple[int, str, str]]) -> list[tuple[str, str]]:
    if not declared:
        return []
    entries = [f"({status}, {name})" for status, name, _ in declared]
    return [("errors", _keyword_tuple("errors", entries))]


def frozenset_lines(key: str, values: list[str]) -> list[str]:
    """``key=frozenset({...}),`` inside a call, one line or exploded as ruff formats it."""
    literals = [pystr(v) for v in values]
    one = (
        f"    {key}=frozenset({{{', '.join(literals)}}}),"
        if literals
        else (f"    {key}=frozenset(),")
    )
    if len(one) <= LINE_LIMIT:
        return [one]
    return [
        f"    {key}=frozenset(",
        "        {",
        *[f"            {v}," for v in literals],
        "        }",
        "    ),",
    ]


def _keyed(name: str, lines: list[str]) -> list[str]:
    first = f"    {pystr(name)}: {lines[0].lstrip()}"
    return [first, *lines[1:]]


def used_runtime_names(spec: ConnectorSpec) -> dict[str, Any]:
    """Which optional runtime names ``_config.py`` needs."""
    return {
        "auth_classes": auth_source(spec.auth)[0],
        "secret_placeholders": sorted(path_secret_names(spec.auth)),
        "pagination": bool(spec.pagination),
        "body_errors": spec.body_errors is not None,
    }
