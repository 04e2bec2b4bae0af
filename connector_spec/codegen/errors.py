"""Exception classes for the error responses a spec declares (``operations[].errors``).

Each declared error becomes a subclass of the runtime class its status maps to (401/403
``AuthError``, 429 ``RateLimited``, other 4xx ``ClientError``, 5xx ``ServerError``), named by
the spec's ``name`` or from the status (402 → ``PaymentRequiredError``). Its scalar body fields
(inside a one-property envelope such as Stripe's ``{"error": {...}}``) become typed properties
(``.decline_code``); a ``code`` field fills the exception's ``code``; ``parsed`` gives the whole
body as its model when the schema is an object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus

from connector_spec.codegen.docs import docstring
from connector_spec.codegen.models import ModelBuilder, doc_text, pystr
from connector_spec.codegen.naming import camel
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import ConnectorSpec, ErrorResponse, Operation
from connector_spec.naming import python_identifier

RUNTIME_ERRORS = frozenset(
    {
        "AuthError",
        "ClientError",
        "ConfigurationError",
        "ConnectorError",
        "DecodeError",
        "RateLimited",
        "RequestValidationError",
        "ServerError",
        "TransportError",
    }
)
# attributes every ConnectorError has: a body field of these names gets no property
_TAKEN = frozenset(
    {
        "add_note",
        "args",
        "attempts",
        "body",
        "body_field",
        "code",
        "code_pointer",
        "diagnostics",
        "headers",
        "hint",
        "message",
        "operation",
        "parse_body",
        "parsed",
        "request_id",
        "retry_after",
        "status",
        "with_traceback",
    }
)
_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


@dataclass
class ErrorField:
    """A typed property of an error class: a scalar at ``pointer`` in the body."""

    name: str
    pointer: str
    kind: str
    doc: str


@dataclass
class ErrorClass:
    """One generated exception class."""

    name: str
    base: str
    status: int
    doc: str
    model: str | None = None
    code_pointer: str | None = None
    fields: list[ErrorField] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)


def base_class(status: int) -> str:
    """The runtime error class a response of ``status`` is raised as."""
    if status in (401, 403):
        return "AuthError"
    if status == 429:
        return "RateLimited"
    return "ServerError" if status >= 500 else "ClientError"


def default_name(status: int) -> str:
    """``BadRequestError`` for 400, ``HTTP499Error`` for a status without a standard name."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP{status}Error"
    text = camel(phrase.replace("-", " "))
    return text if text.endswith("Error") else f"{text}Error"


def _key(error: ErrorResponse) -> str:
    if error.schema_ is None:
        return ""
    schema = error.schema_.model_dump(mode="json", by_alias=True, exclude_none=True)
    return json.dumps(schema, sort_keys=True)


def _fields(builder: ModelBuilder, schema: SchemaNode) -> tuple[list[ErrorField], str | None]:
    node = builder.resolve(schema)
    prefix = ""
    props = node.properties or {}
    if len(props) == 1:
        (wire, inner), *_ = props.items()
        resolved = builder.resolve(inner)
        if resolved.properties:
            prefix, node = f"/{wire}", resolved
    fields: list[ErrorField] = []
    code_pointer: str | None = None
    for wire, child in (node.properties or {}).items():
        resolved = builder.resolve(child)
        types = [t for t in resolved.types() if t != "null"]
        if len(types) != 1 or types[0] not in _SCALARS:
            continue
        pointer = f"{prefix}/{wire.replace('~', '~0').replace('/', '~1')}"
        name = python_identifier(wire)
        if name == "code" and types[0] == "string":
            code_pointer = pointer
        if name in _TAKEN or name.startswith("_"):
            continue
        doc = doc_text(child.description or resolved.description or "", single_line=True)
        fields.append(ErrorField(name, pointer, _SCALARS[types[0]], doc or f"``{wire}``."))
    return fields, code_pointer


def plan_errors(
    spec: ConnectorSpec, builder: ModelBuilder
) -> tuple[list[ErrorClass], dict[str, list[tuple[int, str, str]]]]:
    """The error classes of ``spec`` and, per operation id, ``(status, class, description)``."""
    classes: dict[str, ErrorClass] = {}
    keys: dict[str, str] = {}
    per_op: dict[str, list[tuple[int, str, str]]] = {}
    for op in spec.operations:
        for error in op.errors:
            name = _class_name(op, error, classes, keys, _key(error))
            described = doc_text(error.description or "", single_line=True)
            per_op.setdefault(op.id, []).append((error.status, name, described))
            if name in classes:
                classes[name].operations.append(op.id)
                continue
            keys[name] = _key(error)
            doc = described or f"The provider answered HTTP {error.status}."
            found = ErrorClass(
                name, base_class(error.status), error.status, doc, operations=[op.id]
            )
            if error.schema_ is not None:
                found.fields, found.code_pointer = _fields(builder, error.schema_)
                expr = builder.type_for(error.schema_, f"{name}Body")
                if expr in {m.name for m in builder.models}:
                    found.model = expr
            classes[name] = found
    return sorted(classes.values(), key=lambda c: (c.status, c.name)), per_op


def _class_name(
    op: Operation,
    error: ErrorResponse,
    classes: dict[str, ErrorClass],
    keys: dict[str, str],
    key: str,
) -> str:
    name = error.name or default_name(error.status)
    if name in RUNTIME_ERRORS or name == "DeclaredError":
        name = f"{camel(op.resource)}{name}"
    known = classes.get(name)
    if known is not None and (known.status != error.status or keys[name] != key):
        name = f"{camel(op.id)}{name}"  # same name, another status or body: the operation's own
    return name


def error_lines(cls: ErrorClass) -> list[str]:
    """The source of one class in the generated ``errors.py``."""
    lines = [
        f"class {cls.name}(DeclaredError, {cls.base}):",
        *docstring([f"HTTP {cls.status}: {cls.doc}"], "    "),
    ]
    if cls.code_pointer:
        lines += ["", f"    code_pointer = {pystr(cls.code_pointer)}"]
    if cls.model:
        lines += [
            "",
            "    @property",
            f"    def parsed(self) -> _models.{cls.model} | None:",
            *docstring(
                [f"The error body as ``models.{cls.model}`` (None when it does not match)."],
                "        ",
            ),
            "        from . import models as _models",
            "",
            f"        return self.parse_body(_models.{cls.model})",
        ]
    for item in cls.fields:
        lines += [
            "",
            "    @property",
            f"    def {item.name}(self) -> {item.kind} | None:",
            f'        """{item.doc}"""',
            f"        return self.body_field({pystr(item.pointer)}, {item.kind})",
        ]
    return lines


def errors_module_names(classes: list[ErrorClass]) -> tuple[list[str], list[str]]:
    """(model names ``errors.py`` imports, names it exports)."""
    models = sorted({c.model for c in classes if c.model})
    exports = sorted(RUNTIME_ERRORS | {c.name for c in classes} | {"DeclaredError"})
    return models, exports
