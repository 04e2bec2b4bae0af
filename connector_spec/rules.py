"""Cross-field rules of a ConnectorSpec, each reported at the exact place it concerns.

Pydantic checks each field on its own; these rules relate fields to each other (a path
template and its parameters, a write and its idempotency, a reference and its target).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import (
    ApiKeyAuth,
    BearerAuth,
    ConnectorSpec,
    Operation,
    auth_schemes,
    path_secret_names,
)
from connector_spec.naming import argument_name
from connector_spec.runtime.servers import is_loopback_host
from connector_spec.schema_ops import resolve_schema

Loc = tuple[str | int, ...]
_TEMPLATE_VAR = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class RuleIssue:
    """One broken rule: where (a path into the document) and what to do."""

    loc: Loc
    message: str
    hint: str | None = None


def check_rules(spec: ConnectorSpec) -> list[RuleIssue]:
    """Every cross-field problem of ``spec``, in document order."""
    issues: list[RuleIssue] = []
    issues += _check_servers(spec)
    issues += _check_capabilities(spec)
    issues += _check_schema_refs(spec)
    issues += _check_ref_cycles(spec)
    seen_ids: dict[str, int] = {}
    for index, op in enumerate(spec.operations):
        where: Loc = ("operations", index)
        if op.id in seen_ids:
            issues.append(
                RuleIssue(
                    (*where, "id"),
                    f"duplicate operation id {op.id!r} "
                    f"(first used by operations[{seen_ids[op.id]}])",
                    "give every operation a unique id",
                )
            )
        else:
            seen_ids[op.id] = index
        issues += _check_operation(spec, op, where)
    waived: set[str] = set()
    for index, waiver in enumerate(spec.waivers):
        if waiver.rule in waived:
            issues.append(
                RuleIssue(("waivers", index, "rule"), f"rule {waiver.rule!r} waived twice")
            )
        waived.add(waiver.rule)
    return issues


def _check_url(
    url: str, loc: Loc, spec: ConnectorSpec, *, variables: bool = True
) -> Iterator[RuleIssue]:
    secrets = path_secret_names(spec.auth)
    authority = re.match(r"^[^/]*//[^/]*", url)
    origin = authority.group(0) if authority else ""
    for name in _TEMPLATE_VAR.findall(url):
        if name in secrets and "{" + name + "}" not in origin:
            continue  # filled by the API key in the path, per request
        if name in secrets:
            yield RuleIssue(loc, f"the API key placeholder {{{name}}} may only be in the path")
        elif not variables:
            yield RuleIssue(
                loc,
                f"an operation's base URL cannot use variables ({{{name}}})",
                "give the concrete URL, or move the operation to an environment",
            )
        elif name not in spec.variables:
            yield RuleIssue(
                loc,
                f"base URL uses variable {{{name}}} that is not declared",
                f"declare it under 'variables:' ({name}: {{kind: host, description: ...}})",
            )
    concrete = _TEMPLATE_VAR.sub("x", url)
    parts = urlsplit(concrete)
    if parts.scheme == "https":
        if not parts.hostname:
            yield RuleIssue(loc, f"base URL {url!r} has no host")
        return
    if parts.scheme == "http" and parts.hostname and is_loopback_host(parts.hostname):
        if not spec.allow_insecure_loopback:
            yield RuleIssue(
                loc,
                f"plain-HTTP base URL {url!r} is refused",
                "loopback HTTP is for tests only: set 'allow_insecure_loopback: true' explicitly",
            )
        return
    yield RuleIssue(
        loc,
        f"base URL {url!r} must use https://",
        "plain http:// is allowed only for localhost/127.0.0.1 with allow_insecure_loopback: true",
    )


def _check_servers(spec: ConnectorSpec) -> list[RuleIssue]:
    issues = list(_check_url(spec.base_url, ("base_url",), spec))
    issues += _check_auth(spec)
    for index, op in enumerate(spec.operations):
        if op.base_url is not None:
            issues += _check_url(
                op.base_url, ("operations", index, "base_url"), spec, variables=False
            )
    for env_name, env in spec.environments.items():
        if env.base_url is not None:
            issues += _check_url(env.base_url, ("environments", env_name, "base_url"), spec)
        for var_name, value in env.variables.items():
            loc: Loc = ("environments", env_name, "variables", var_name)
            declared = spec.variables.get(var_name)
            if declared is None:
                issues.append(RuleIssue(loc, f"variable {var_name!r} is not declared"))
            elif declared.enum is not None and value not in declared.enum:
                issues.append(RuleIssue(loc, f"{value!r} is not one of {declared.enum}"))
            elif declared.pattern is not None and not re.fullmatch(declared.pattern, value):
                issues.append(RuleIssue(loc, f"{value!r} does not match {declared.pattern!r}"))
    return issues


def _check_auth(spec: ConnectorSpec) -> list[RuleIssue]:
    """Parts of ``multiple`` auth never overwrite each other; path keys have a placeholder."""
    issues: list[RuleIssue] = []
    slots: dict[tuple[str, str], int] = {}
    schemes = auth_schemes(spec.auth)
    for index, scheme in enumerate(schemes):
        if isinstance(scheme, ApiKeyAuth):
            name = scheme.name.lower() if scheme.location == "header" else scheme.name
            slot = (scheme.location, name)
        elif isinstance(scheme, BearerAuth):
            slot = ("header", scheme.header.lower())
        else:
            slot = ("header", "authorization")
        where: Loc = ("auth", "schemes", index) if len(schemes) > 1 else ("auth",)
        if slot in slots:
            issues.append(
                RuleIssue(
                    where,
                    f"auth schemes[{slots[slot]}] and schemes[{index}] both set "
                    f"{slot[0]} {slot[1]!r}",
                )
            )
        slots[slot] = index
    urls = [spec.base_url, *(op.path for op in spec.operations)]
    urls += [e.base_url for e in spec.environments.values() if e.base_url]
    for name in sorted(path_secret_names(spec.auth)):
        if not any("{" + name + "}" in url for url in urls):
            issues.append(
                RuleIssue(
                    ("auth",),
                    f"the API key goes in the path as {{{name}}}, which no URL contains",
                    f"put {{{name}}} in base_url (e.g. https://api.telegram.org/bot{{{name}}})",
                )
            )
    return issues


def _check_capabilities(spec: ConnectorSpec) -> list[RuleIssue]:
    issues: list[RuleIssue] = []
    declared: set[str] = set()
    prefix = f"{spec.provider.name}."
    for index, cap in enumerate(spec.capabilities):
        loc: Loc = ("capabilities", index, "name")
        if cap.name in declared:
            issues.append(RuleIssue(loc, f"capability {cap.name!r} is declared twice"))
        if not cap.name.startswith(prefix):
            issues.append(
                RuleIssue(
                    loc,
                    f"capability {cap.name!r} is not namespaced by the provider",
                    f"name it {prefix}<resource>:<action>",
                )
            )
        declared.add(cap.name)
    for index, cap in enumerate(spec.capabilities):
        for j, implied in enumerate(cap.implies):
            if implied not in declared:
                issues.append(
                    RuleIssue(
                        ("capabilities", index, "implies", j),
                        f"implied capability {implied!r} is not declared",
                    )
                )
    issues += _check_hierarchy(spec)
    for index, op in enumerate(spec.operations):
        for j, needed in enumerate(op.capabilities):
            if needed not in declared:
                issues.append(
                    RuleIssue(
                        ("operations", index, "capabilities", j),
                        f"capability {needed!r} is not declared",
                        "declare it in the top-level 'capabilities:' list",
                    )
                )
    return issues


def _check_hierarchy(spec: ConnectorSpec) -> list[RuleIssue]:
    """Each ``X:write`` implies ``X:read`` when both exist (directly or transitively).

    Cycles are the default policy pack's ``default.capability-hierarchy-acyclic`` rule.
    """
    implies = {cap.name: list(cap.implies) for cap in spec.capabilities}
    index_of = {cap.name: index for index, cap in enumerate(spec.capabilities)}

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        pending = list(implies.get(start, []))
        while pending:
            name = pending.pop()
            if name not in seen:
                seen.add(name)
                pending.extend(implies.get(name, []))
        return seen

    issues: list[RuleIssue] = []
    for name, index in index_of.items():
        below = reachable(name)
        resource, _, action = name.rpartition(":")
        read = f"{resource}:read"
        if action == "write" and read in index_of and read not in below:
            issues.append(
                RuleIssue(
                    ("capabilities", index, "implies"),
                    f"capability {name!r} does not imply {read!r}",
                    f"write implies read: add 'implies: [{read}]'",
                )
            )
    return issues


def iter_schema_nodes(node: SchemaNode, loc: Loc) -> Iterator[tuple[SchemaNode, Loc]]:
    """Depth-first walk over a schema and every schema nested in it."""
    yield node, loc
    for name, child in (node.properties or {}).items():
        yield from iter_schema_nodes(child, (*loc, "properties", name))
    if node.items is not None:
        yield from iter_schema_nodes(node.items, (*loc, "items"))
    if isinstance(node.additional_properties, SchemaNode):
        yield from iter_schema_nodes(node.additional_properties, (*loc, "additionalProperties"))
    for key, group in (("oneOf", node.one_of), ("anyOf", node.any_of), ("allOf", node.all_of)):
        for index, child in enumerate(group or []):
            yield from iter_schema_nodes(child, (*loc, key, index))


def iter_spec_schemas(spec: ConnectorSpec) -> Iterator[tuple[SchemaNode, Loc]]:
    """Every schema node of the spec with its location."""
    for name, schema in spec.schemas.items():
        yield from iter_schema_nodes(schema, ("schemas", name))
    for index, op in enumerate(spec.operations):
        for j, param in enumerate(op.params):
            yield from iter_schema_nodes(
                param.schema_, ("operations", index, "params", j, "schema")
            )
        if op.body is not None:
            yield from iter_schema_nodes(op.body.schema_, ("operations", index, "body", "schema"))
        if op.response.schema_ is not None:
            yield from iter_schema_nodes(
                op.response.schema_, ("operations", index, "response", "schema")
            )


def _check_schema_refs(spec: ConnectorSpec) -> list[RuleIssue]:
    issues: list[RuleIssue] = []
    for node, loc in iter_spec_schemas(spec):
        target = node.ref_name()
        if target is not None and target not in spec.schemas:
            issues.append(
                RuleIssue(
                    (*loc, "$ref"), f"reference {node.ref!r} names no schema under 'schemas:'"
                )
            )
        if node.discriminator is not None:
            for key, target in node.discriminator.mapping.items():
                if target.removeprefix("#/schemas/") not in spec.schemas:
                    issues.append(
                        RuleIssue(
                            (*loc, "discriminator", "mapping", key),
                            f"discriminator value {key!r} maps to {target!r}, "
                            "which names no schema under 'schemas:'",
                        )
                    )
        # a typo check for plain objects; in an allOf the name may be defined by another
        # member, and a map (additionalProperties) may carry it
        composed = "allOf" in loc or node.all_of or node.additional_properties not in (None, False)
        for index, name in enumerate(node.required):
            if node.properties is not None and name not in node.properties and not composed:
                issues.append(
                    RuleIssue(
                        (*loc, "required", index), f"required property {name!r} is not defined"
                    )
                )
    return issues


def _alias_targets(node: SchemaNode, loc: Loc) -> Iterator[tuple[str, Loc]]:
    """Schemas ``node`` *is* (its ``$ref``, its ``allOf`` members), not merely contains."""
    name = node.ref_name()
    if name is not None:
        yield name, (*loc, "$ref")
    for index, member in enumerate(node.all_of or []):
        yield from _alias_targets(member, (*loc, "allOf", index))


def _check_ref_cycles(spec: ConnectorSpec) -> list[RuleIssue]:
    """Named schemas that are each other through ``$ref``/``allOf`` alone have no values.

    ``A: {$ref: B}``, ``B: {$ref: A}`` describes nothing; recursion through a property, an
    array item or a map value (a tree, a linked list) is fine and generates lazy types.
    """
    edges = {
        name: [(t, loc) for t, loc in _alias_targets(node, ("schemas", name)) if t in spec.schemas]
        for name, node in spec.schemas.items()
    }
    issues: list[RuleIssue] = []
    reported: set[str] = set()
    for start in spec.schemas:
        if start in reported:
            continue
        cycle = _cycle_from(start, edges)
        if cycle is None:
            continue
        names, loc = cycle
        reported.update(names)
        chain = " → ".join([*names, start])
        issues.append(
            RuleIssue(
                loc,
                f"schemas refer to each other in a cycle with nothing in between ({chain}): "
                "such a schema has no values and no type can be generated for it",
                "give one of them its own type or properties; recursion through a property "
                "or an array item (a tree) is fine",
            )
        )
    return issues


def _cycle_from(
    start: str, edges: dict[str, list[tuple[str, Loc]]]
) -> tuple[list[str], Loc] | None:
    """A path of names from ``start`` back to it, with the location of its first ``$ref``."""
    stack: list[tuple[str, list[str], Loc | None]] = [(start, [start], None)]
    seen: set[str] = set()
    while stack:
        name, path, first = stack.pop()
        for target, loc in edges[name]:
            where = first if first is not None else loc
            if target == start:
                return path, where
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target], where))
    return None


def resolve(spec: ConnectorSpec, node: SchemaNode) -> SchemaNode:
    """``node`` as one schema: ``$ref`` links followed (bounded) and ``allOf`` merged."""
    return resolve_schema(spec.schemas, node)


def _check_argument_names(spec: ConnectorSpec, op: Operation, where: Loc) -> list[RuleIssue]:
    """No two fields of one operation become the same argument of the generated method.

    Each parameter and each top-level body field is one keyword argument (``projectId`` →
    ``project_id``); a path parameter and a query parameter of the same name, or ``dataSet``
    and ``data_set``, would collide. The second one is reported.
    """
    issues: list[RuleIssue] = []
    taken: dict[str, tuple[str, str, str]] = {}  # argument -> (location, name, description)
    fields: list[tuple[str, str, Loc, str]] = []
    for j, param in enumerate(op.params):
        fields.append((param.location, param.name, (*where, "params", j, "name"), f"params[{j}]"))
    single = op.body.single_argument if op.body is not None else None
    if op.body is not None and single is not None:
        fields.append(("body", single, (*where, "body", "argument"), "the whole body"))
    elif op.body is not None:
        body = resolve(spec, op.body.schema_)
        inline = op.body.schema_.ref is None
        for wire in body.properties or {}:
            loc: Loc = (
                (*where, "body", "schema", "properties", wire)
                if inline
                else (
                    *where,
                    "body",
                    "schema",
                )
            )
            fields.append(("body", wire, loc, f"body field {wire!r}"))
    for location, name, loc, place in fields:
        argument = argument_name(name, whole_body=place == "the whole body")
        first = taken.get(argument)
        if first is None:
            what = (
                f"body field {name!r}" if location == "body" else f"{location} parameter {name!r}"
            )
            taken[argument] = (location, name, f"{what} ({place})")
            continue
        same = first[0] == location and (
            first[1].lower() == name.lower() if location == "header" else first[1] == name
        )
        if same and location != "body":
            continue  # reported as "declared twice"
        what = f"body field {name!r}" if location == "body" else f"{location} parameter {name!r}"
        issues.append(
            RuleIssue(
                loc,
                f"{what} becomes the argument {argument!r} of the generated method, "
                f"which {first[2]} already is",
                "each parameter and body field is one argument: rename one of them, or send "
                "the value in one place only",
            )
        )
    return issues


def _check_body_schema(spec: ConnectorSpec, op: Operation, where: Loc) -> list[RuleIssue]:
    """The body schema fits its encoding (objects for fields, strings for raw content)."""
    assert op.body is not None
    body = resolve(spec, op.body.schema_)
    types = [t for t in body.types() if t != "null"] or (
        ["object"] if body.properties is not None else []
    )
    encoding = op.body.encoding
    loc: Loc = (*where, "body", "schema")
    if encoding in ("text", "binary"):
        if types not in ([], ["string"]):
            return [RuleIssue(loc, f"a {encoding} body is a string: use 'type: string'")]
        return []
    if encoding == "json" and op.body.argument is not None:
        return []  # one argument: any JSON value (an array of records, a number, ...)
    if types != ["object"]:
        return [
            RuleIssue(
                loc,
                f"a {encoding} request body schema must be an object "
                "(type: object with properties)",
                "a JSON body of another shape (an array, a string) is passed whole: set "
                "'argument: body'"
                if encoding == "json"
                else None,
            )
        ]
    return []


def _check_operation(spec: ConnectorSpec, op: Operation, where: Loc) -> list[RuleIssue]:
    issues: list[RuleIssue] = []
    in_template = [n for n in op.path_param_names() if n not in path_secret_names(spec.auth)]
    declared_path = {p.name for p in op.params if p.location == "path"}
    for name in in_template:
        if name not in declared_path:
            issues.append(
                RuleIssue(
                    (*where, "path"),
                    f"path parameter {{{name}}} is not declared in params",
                    f"add '- {{name: {name}, in: path, required: true}}' to params",
                )
            )
    seen: set[tuple[str, str]] = set()
    for j, param in enumerate(op.params):
        ploc: Loc = (*where, "params", j)
        key = (param.location, param.name.lower() if param.location == "header" else param.name)
        if key in seen:
            issues.append(RuleIssue((*ploc, "name"), f"parameter {param.name!r} is declared twice"))
        seen.add(key)
        if param.location == "path":
            if param.name not in in_template:
                issues.append(
                    RuleIssue(
                        (*ploc, "name"),
                        f"path parameter {param.name!r} does not appear in path {op.path!r}",
                        f"use {{{param.name}}} in the path or change 'in:'",
                    )
                )
            if not param.required:
                issues.append(RuleIssue((*ploc, "required"), "path parameters are always required"))
    issues += _check_argument_names(spec, op, where)
    if op.body is not None:
        if op.method in ("GET", "HEAD"):
            issues.append(RuleIssue((*where, "body"), f"{op.method} operations cannot have a body"))
        issues += _check_body_schema(spec, op, where)
    if op.method == "HEAD" and (op.response.schema_ is not None or op.response.content != "json"):
        issues.append(
            RuleIssue(
                (*where, "response"),
                "a HEAD response has no body: drop its 'schema' and 'content'",
            )
        )
    if op.response.streamed and op.pagination is not None:
        issues.append(
            RuleIssue(
                (*where, "pagination"),
                f"a streamed ({op.response.content}) response cannot be paginated",
                "drop 'pagination' or use 'content: json'",
            )
        )
    if op.effects in ("write", "delete") and op.idempotency is None:
        issues.append(
            RuleIssue(
                (*where, "effects"),
                f"{op.effects} operation {op.id!r} declares no idempotency",
                "add 'idempotency: {kind: key, header: Idempotency-Key}' or "
                "'idempotency: {kind: natural, natural_key: [<param>]}'",
            )
        )
    if op.idempotency is not None and op.idempotency.kind == "natural":
        known = {p.name for p in op.params}
        if op.body is not None:
            known |= set((resolve(spec, op.body.schema_).properties or {}).keys())
        for j, name in enumerate(op.idempotency.natural_key):
            if name not in known:
                issues.append(
                    RuleIssue(
                        (*where, "idempotency", "natural_key", j),
                        f"natural key {name!r} is not a parameter or body field",
                    )
                )
    mode = op.determinism.mode
    if mode == "stable" and not op.determinism.volatile:
        issues.append(
            RuleIssue(
                (*where, "determinism", "volatile"),
                "'stable' determinism must list its volatile fields as JSON pointers",
                "use 'strict' if no field varies, or list e.g. ['/id', '/created']",
            )
        )
    if mode != "stable" and op.determinism.volatile:
        issues.append(
            RuleIssue(
                (*where, "determinism", "volatile"),
                f"volatile fields only make sense with 'stable' determinism, not {mode!r}",
            )
        )
    if op.pagination is not None and op.pagination not in spec.pagination:
        issues.append(
            RuleIssue(
                (*where, "pagination"),
                f"pagination {op.pagination!r} is not defined",
                f"define it under 'pagination:' (known: {sorted(spec.pagination) or 'none'})",
            )
        )
    return issues
