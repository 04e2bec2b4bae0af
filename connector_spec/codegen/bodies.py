"""How an operation's request body becomes method arguments and the ``Call`` that sends it.

One argument per top-level field (JSON, form, multipart objects), or the whole body as one
argument (``body.argument``, and always for text and binary bodies) so that body fields may
share names with path and query parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connector_spec.codegen.constraints import field_constraints
from connector_spec.codegen.models import ModelBuilder, pystr, pyvalue
from connector_spec.codegen.naming import camel
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import Operation
from connector_spec.naming import argument_name

_CALL_KEYWORD = {"json": "json", "form": "form", "multipart": "multipart"}


@dataclass
class BodyPlan:
    """Arguments the body adds, the lines that validate it and the ``Call`` keywords."""

    # name, wire name, type, required, description
    args: list[tuple[str, str, str, bool, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    call_kwargs: list[tuple[str, str]] = field(default_factory=list)
    adapter: tuple[str, str] | None = None  # a TypeAdapter for a non-object JSON body
    field_args: bool = False  # one argument per field: validated with the others (view)
    model: str | None = None


def plan_body(builder: ModelBuilder, op: Operation) -> BodyPlan:
    """The body part of the generated method of ``op`` (empty without a body)."""
    plan = BodyPlan()
    body = op.body
    if body is None:
        return plan
    op_class = camel(op.id)
    schema = builder.resolve(body.schema_)
    single = body.single_argument
    if body.media_type is not None:
        plan.call_kwargs.append(("content_type", pystr(body.media_type)))
    if single is None:
        for wire, child in (schema.properties or {}).items():
            if child.read_only or builder.resolve(child).read_only:
                continue  # the provider's to set: never an argument
            type_expr = builder.type_for(child, f"{op_class}Body{camel(wire)}", closed=True)
            text = child.description or builder.resolve(child).description or ""
            plan.args.append((argument_name(wire), wire, type_expr, wire in schema.required, text))
        plan.field_args = True
        plan.model = builder.define_object(
            builder.claim(f"{op_class}Body"), schema, request=True, doc=_body_doc(op)
        )
        plan.call_kwargs.insert(0, (_CALL_KEYWORD[body.encoding], "body"))
        return plan
    name = argument_name(single, whole_body=True)
    if body.encoding in ("text", "binary"):
        type_expr = "str" if body.encoding == "text" else "bytes"
        plan.args.append((name, single, type_expr, body.required, _whole(schema)))
        plan.call_kwargs.insert(0, ("content", name))
        return plan
    if _is_object(schema):
        model = builder.define_object(
            builder.claim(f"{op_class}Body"), schema, request=True, doc=_body_doc(op)
        )
        plan.args.append((name, single, f"{model} | dict[str, Any]", body.required, _whole(schema)))
        mode = ', mode="python"' if body.encoding == "multipart" else ""
        check = f"validated({model}, {name}{mode})"
    else:
        type_expr = builder.type_for(body.schema_, f"{op_class}Body", closed=True)
        adapter = f"_{op.id.upper()}_BODY"
        pairs = field_constraints(schema, type_expr)
        checked = type_expr
        if pairs:
            keywords = ", ".join(f"{k}={pyvalue(v)}" for k, v in pairs)
            checked = f"Annotated[{type_expr}, Field({keywords})]"
        plan.adapter = (adapter, checked)
        plan.args.append((name, single, type_expr, body.required, _whole(schema)))
        check = f"validated_value({adapter}(), {name})"
    if body.required:
        plan.lines.append(f"body = {check}")
    else:
        plan.lines.append(f"body = None if {name} is None else {check}")
    plan.call_kwargs.insert(0, (_CALL_KEYWORD[body.encoding], "body"))
    return plan


def _is_object(schema: SchemaNode) -> bool:
    types = [t for t in schema.types() if t != "null"]
    return types == ["object"] or (not types and schema.properties is not None)


def _whole(schema: SchemaNode) -> str:
    return schema.description or "The request body."


def _body_doc(op: Operation) -> str:
    return f"The request body of ``{op.id}`` ({op.body.encoding if op.body else 'json'})."
