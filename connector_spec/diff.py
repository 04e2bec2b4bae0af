"""Compare two ConnectorSpecs: classify each change and name the semver bump it needs.

Every change is ``breaking`` (a caller of the old connector may stop working), ``additive``
(new things; old callers keep working) or ``patch`` (documentation and tuning only).
Schemas are compared with their direction in mind: a request schema that accepts less is
breaking, a response schema that may return more (a new type, ``null``, a missing property)
is breaking. ``$ref`` links are followed on both sides, so renaming a named schema with the
same shape changes no operation (the removed generated model class is reported once).

Versions follow semver; for ``0.y.z`` versions a breaking change needs a minor bump and an
additive change a patch bump (the usual reading of semver's "anything may change" rule
for 0.x, as Cargo applies it). See docs/spec.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.loader import load_spec
from connector_spec.model import ConnectorSpec, Operation, Parameter
from connector_spec.naming import spec_method_names
from connector_spec.versions import next_version, parse_version

ChangeKind = Literal["breaking", "additive", "patch"]
Bump = Literal["major", "minor", "patch", "none"]
Direction = Literal["request", "response"]

_EFFECT_STRENGTH = {"none": 0, "read": 1, "write": 2, "delete": 3}
_DETERMINISM_STRENGTH = {"strict": 2, "stable": 1, "nondeterministic": 0}
_IDEMPOTENCY_STRENGTH = {"key": 2, "natural": 2, "unsupported": 1}
_DOC_KEYS = frozenset({"description", "title", "examples", "summary"})
MAX_SCHEMA_DEPTH = 48
_ANY: frozenset[str] = frozenset({"string", "integer", "number", "boolean", "array", "object"})


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new spec."""

    kind: ChangeKind
    where: str
    message: str

    def to_json(self) -> dict[str, str]:
        """JSON-ready mapping."""
        return {"kind": self.kind, "where": self.where, "message": self.message}


@dataclass(frozen=True)
class SpecDiff:
    """All changes from ``old_version`` to ``new_version`` and what they mean for the version."""

    changes: tuple[Change, ...]
    old_version: str
    new_version: str
    old_name: str = ""
    new_name: str = ""

    @property
    def breaking(self) -> list[Change]:
        """The breaking changes (empty when there are none)."""
        return [c for c in self.changes if c.kind == "breaking"]

    @property
    def additive(self) -> list[Change]:
        """The additive changes."""
        return [c for c in self.changes if c.kind == "additive"]

    @property
    def required_bump(self) -> Bump:
        """The smallest version bump the changes need (0.x: breaking → minor, additive → patch)."""
        kinds = {c.kind for c in self.changes}
        zero = parse_version(self.old_version).major == 0
        if "breaking" in kinds:
            return "minor" if zero else "major"
        if "additive" in kinds:
            return "patch" if zero else "minor"
        if "patch" in kinds:
            return "patch"
        return "none"

    @property
    def minimum_next_version(self) -> str:
        """The lowest version the new spec may carry (the old version when nothing changed).

        From a pre-release the release it leads to may suffice (``2.0.0-rc.1`` → ``2.0.0``
        for a major bump), as ``npm version`` and ``semver.Version.next_version`` do.
        """
        bump = self.required_bump
        if bump == "none":
            return self.old_version
        return next_version(self.old_version, bump)

    @property
    def version_problem(self) -> str | None:
        """Why ``new_version`` is too low for the changes, or ``None`` when it is high enough."""
        new = parse_version(self.new_version)
        minimum = self.minimum_next_version
        if new >= parse_version(minimum):
            return None
        if self.required_bump == "none":
            return (
                f"new version {self.new_version} is lower than the old version "
                f"{self.old_version}; versions never go backwards"
            )
        counts = ", ".join(
            f"{len(group)} {kind}"
            for kind, group in (("breaking", self.breaking), ("additive", self.additive))
            if group
        )
        detail = f" ({counts})" if counts else ""
        return (
            f"new version {self.new_version} is too low: the changes since "
            f"{self.old_version}{detail} need a {self.required_bump} bump; "
            f"set provider.version to {minimum} or later"
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form, as printed by ``flows spec diff --json``."""
        counts = {kind: 0 for kind in ("breaking", "additive", "patch")}
        for change in self.changes:
            counts[change.kind] += 1
        return {
            "ok": self.version_problem is None,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "required_bump": self.required_bump,
            "minimum_next_version": self.minimum_next_version,
            "version_problem": self.version_problem,
            "counts": counts,
            "changes": [c.to_json() for c in self.changes],
        }


def diff_files(old_path: str | Path, new_path: str | Path) -> SpecDiff:
    """Load and validate both spec files (SpecError, exit 2, on a bad one) and diff them."""
    old = load_spec(old_path).spec
    new = load_spec(new_path).spec
    return diff_specs(old, new)


def diff_specs(old: ConnectorSpec, new: ConnectorSpec) -> SpecDiff:
    """Every change from ``old`` to ``new``, classified, in document order."""
    differ = _Differ(old, new)
    differ.run()
    return SpecDiff(
        changes=tuple(differ.changes),
        old_version=old.provider.version,
        new_version=new.provider.version,
        old_name=old.provider.name,
        new_name=new.provider.name,
    )


# ----------------------------------------------------------------------------- helpers


def _strip_docs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_docs(v) for k, v in value.items() if k not in _DOC_KEYS}
    if isinstance(value, list):
        return [_strip_docs(v) for v in value]
    return value


def _dump(model: Any) -> Any:
    if model is None:
        return None
    return model.model_dump(mode="json", by_alias=True, exclude_defaults=False)


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _type_set(node: SchemaNode) -> frozenset[str]:
    types = set(node.types()) or set(_ANY)
    if node.nullable or "null" in types:
        types.add("null")
    if "number" in types:
        types.add("integer")
    return frozenset(types)


def _type_text(node: SchemaNode) -> str:
    types = list(node.types()) or ["any"]
    if node.nullable and "null" not in types:
        types.append("null")
    return "|".join(types)


def _values(node: SchemaNode) -> list[Any] | None:
    if node.enum is not None:
        return list(node.enum)
    if node.const is not None:
        return [node.const]
    return None


def _host(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return (parts.netloc.lower(), parts.path.rstrip("/"))


def _param_key(param: Parameter) -> tuple[str, str]:
    name = param.name.lower() if param.location == "header" else param.name
    return (param.location, name)


# ----------------------------------------------------------------------------- the differ


class _Differ:
    def __init__(self, old: ConnectorSpec, new: ConnectorSpec) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []
        self._stack: list[tuple[str | None, str | None, Direction]] = []

    def add(self, kind: ChangeKind, where: str, message: str) -> None:
        self.changes.append(Change(kind, where, message))

    def run(self) -> None:
        self.provider()
        self.servers()
        self.auth()
        self.transport()
        self.capabilities()
        self.pagination()
        self.named_schemas()
        self.operations()
        self.rest()
        if not self.changes and _strip_versions(self.old) != _strip_versions(self.new):
            self.add("patch", "", "other changes (formatting of values, defaults)")

    # ---------------------------------------------------------------- provider and servers

    def provider(self) -> None:
        old, new = self.old.provider, self.new.provider
        if old.name != new.name:
            self.add(
                "breaking",
                "provider.name",
                f"provider renamed {old.name!r} → {new.name!r} (a different package)",
            )
        for name in ("display_name", "description", "docs_url", "maintainers", "license"):
            if _dump_attr(old, name) != _dump_attr(new, name):
                self.add("patch", f"provider.{name}", f"{name.replace('_', ' ')} changed")
        self.provider_description()

    def provider_description(self) -> None:
        # the provider's description is what certification checks the spec against; it
        # changes no generated code, so any change of it is a patch
        old, new = self.old.provider.openapi, self.new.provider.openapi
        where = "provider.openapi"
        if old is None and new is not None:
            self.add(
                "patch", where, f"provider description added ({new.path or new.url or new.source})"
            )
        elif old is not None and new is None:
            self.add(
                "patch",
                where,
                "provider description removed: certification can no longer check the spec "
                "against the provider (level at most self-consistent)",
            )
        elif old is not None and new is not None:
            for name in ("url", "path", "source", "sha256", "version"):
                before, after = getattr(old, name), getattr(new, name)
                if before != after:
                    self.add(
                        "patch",
                        f"{where}.{name}",
                        f"provider description {name} changed {_show(before)} → {_show(after)}",
                    )
            if _dump_list(old.accepted) != _dump_list(new.accepted):
                self.add(
                    "patch",
                    f"{where}.accepted",
                    "accepted disagreements with the provider description changed",
                )

    def servers(self) -> None:
        old, new = self.old, self.new
        if old.base_url != new.base_url:
            (old_host, old_path), (new_host, new_path) = _host(old.base_url), _host(new.base_url)
            if old_host != new_host:
                self.add(
                    "breaking",
                    "base_url",
                    f"base URL host changed {old_host!r} → {new_host!r}",
                )
            elif old_path != new_path:
                self.add(
                    "breaking",
                    "base_url",
                    f"base URL path changed {old_path or '/'!r} → {new_path or '/'!r} "
                    "(every operation's URL moves)",
                )
            else:
                self.add("patch", "base_url", f"base URL spelled {new.base_url!r}")
        for name in _keys(old.variables, new.variables):
            where = f"variables.{name}"
            ov, nv = old.variables.get(name), new.variables.get(name)
            if nv is None:
                self.add("breaking", where, f"server variable {name!r} removed")
            elif ov is None:
                if nv.default is None:
                    self.add(
                        "breaking",
                        where,
                        f"new server variable {name!r} without a default (callers must set it)",
                    )
                else:
                    self.add("additive", where, f"new server variable {name!r}")
            else:
                self._variable(where, ov.model_dump(), nv.model_dump())
        for name in _keys(old.environments, new.environments):
            where = f"environments.{name}"
            oe, ne = old.environments.get(name), new.environments.get(name)
            if ne is None:
                self.add("breaking", where, f"environment {name!r} removed")
            elif oe is None:
                self.add("additive", where, f"new environment {name!r}")
            elif oe != ne:
                moved = (
                    oe.base_url is not None
                    and ne.base_url is not None
                    and _host(oe.base_url)[0] != _host(ne.base_url)[0]
                ) or oe.variables != ne.variables
                if moved:
                    self.add("breaking", where, f"environment {name!r} points somewhere else")
                else:
                    self.add("patch", where, f"environment {name!r} changed")
        if old.allow_insecure_loopback != new.allow_insecure_loopback:
            self.add("patch", "allow_insecure_loopback", "loopback HTTP permission changed")

    def _variable(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old == new:
            return
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if old_enum != new_enum:
            if new_enum is not None and (old_enum is None or set(old_enum) - set(new_enum or [])):
                self.add("breaking", where, "server variable accepts fewer values")
            else:
                self.add("additive", where, "server variable accepts more values")
        if old.get("kind") != new.get("kind") or (
            old.get("pattern") != new.get("pattern") and new.get("pattern") is not None
        ):
            self.add("breaking", where, "server variable's kind or pattern changed")
        if old.get("default") != new.get("default"):
            kind: ChangeKind = "breaking" if new.get("default") is None else "patch"
            self.add(kind, where, f"default {old.get('default')!r} → {new.get('default')!r}")
        if old.get("description") != new.get("description"):
            self.add("patch", where, "description changed")

    # ---------------------------------------------------------------- auth and transport

    def auth(self) -> None:
        old, new = _dump(self.old.auth), _dump(self.new.auth)
        if old == new:
            return
        if old["type"] != new["type"]:
            self.add("breaking", "auth.type", f"auth changed {old['type']} → {new['type']}")
            return
        for key in sorted(set(old) | set(new)):
            if key == "obtained_from" and old.get(key) != new.get(key):
                self.add("patch", f"auth.{key}", "where the token comes from (documentation)")
            elif old.get(key) != new.get(key):
                self.add(
                    "breaking",
                    f"auth.{key}",
                    f"auth {key} changed {_brief(old.get(key))} → {_brief(new.get(key))} "
                    "(credentials must be set up differently)",
                )

    def transport(self) -> None:
        old, new = _dump(self.old.transport), _dump(self.new.transport)
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                self.add("patch", f"transport.{key}", f"{key.replace('_', ' ')} tuned")
        if _dump(self.old.body_errors) != _dump(self.new.body_errors):
            self.add("patch", "body_errors", "error-in-body mapping changed")

    def capabilities(self) -> None:
        old = {c.name: c for c in self.old.capabilities}
        new = {c.name: c for c in self.new.capabilities}
        for name in _keys(old, new):
            where = f"capabilities.{name}"
            oc, nc = old.get(name), new.get(name)
            if nc is None:
                self.add("breaking", where, f"capability {name!r} removed")
            elif oc is None:
                self.add("additive", where, f"new capability {name!r}")
            else:
                lost = sorted(set(oc.implies) - set(nc.implies))
                gained = sorted(set(nc.implies) - set(oc.implies))
                if lost:
                    self.add("breaking", where, f"no longer implies {', '.join(lost)}")
                if gained:
                    self.add("additive", where, f"now also implies {', '.join(gained)}")
                if oc.description != nc.description:
                    self.add("patch", where, "description changed")

    def pagination(self) -> None:
        old, new = self.old.pagination, self.new.pagination
        for name in _keys(old, new):
            where = f"pagination.{name}"
            op, np = old.get(name), new.get(name)
            if np is None:
                self.add("breaking", where, f"pagination strategy {name!r} removed")
            elif op is None:
                self.add("additive", where, f"new pagination strategy {name!r}")
            elif op.type != np.type:
                self.add("breaking", where, f"pagination type changed {op.type} → {np.type}")
            elif op != np:
                self.add("patch", where, "pagination settings changed")

    def named_schemas(self) -> None:
        old, new = self.old.schemas, self.new.schemas
        for name in _keys(old, new):
            if name not in new:
                self.add(
                    "breaking",
                    f"schemas.{name}",
                    f"named schema {name!r} removed (its generated model goes away)",
                )
            elif name not in old:
                self.add("additive", f"schemas.{name}", f"new named schema {name!r}")

    def rest(self) -> None:
        if _dump_list(self.old.waivers) != _dump_list(self.new.waivers):
            self.add("patch", "waivers", "policy waivers changed")

    # ---------------------------------------------------------------- operations

    def operations(self) -> None:
        old = {op.id: op for op in self.old.operations}
        new = {op.id: op for op in self.new.operations}
        for op_id in _keys(old, new):
            where = f"operations.{op_id}"
            oo, no = old.get(op_id), new.get(op_id)
            if no is None:
                self.add("breaking", where, f"operation {op_id!r} removed")
            elif oo is None:
                self.add("additive", where, f"new operation {op_id!r} ({no.method} {no.path})")
            else:
                self.operation(where, oo, no)
        self.client_names()

    def client_names(self) -> None:
        """A generated method (or auto-pager) that gets another name breaks its callers."""
        old_names = spec_method_names(self.old.operations)
        new_names = spec_method_names(self.new.operations)
        paged = {op.id for op in self.old.operations if op.pagination} & {
            op.id for op in self.new.operations if op.pagination
        }
        for op_id in sorted(old_names.keys() & new_names.keys()):
            (old_attr, old_method, old_pager) = old_names[op_id]
            (new_attr, new_method, new_pager) = new_names[op_id]
            if old_attr != new_attr:
                continue  # moved to another resource: reported as such
            before, after = f"{old_attr}.{old_method}", f"{new_attr}.{new_method}"
            if before != after:
                self.add(
                    "breaking",
                    f"operations.{op_id}",
                    f"generated method renamed: client.{before}() → client.{after}()",
                )
            elif op_id in paged and old_pager != new_pager:
                self.add(
                    "breaking",
                    f"operations.{op_id}",
                    f"auto-pager renamed: client.{old_attr}.{old_pager}() → "
                    f"client.{new_attr}.{new_pager}()",
                )

    def operation(self, where: str, old: Operation, new: Operation) -> None:
        if old.resource != new.resource:
            self.add(
                "breaking",
                f"{where}.resource",
                f"moved from resource {old.resource!r} to {new.resource!r}",
            )
        if (old.method, old.path) != (new.method, new.path):
            self.add(
                "breaking",
                f"{where}.path",
                f"endpoint changed {old.method} {old.path} → {new.method} {new.path}",
            )
        for name in ("summary", "description"):
            if getattr(old, name) != getattr(new, name):
                self.add("patch", f"{where}.{name}", f"{name} changed")
        if old.base_url != new.base_url:
            self.add(
                "breaking",
                f"{where}.base_url",
                f"operation server changed {old.base_url or 'base_url'} → "
                f"{new.base_url or 'base_url'}",
            )
        if old.auth != new.auth:
            kind: ChangeKind = "breaking" if new.auth == "default" else "additive"
            self.add(kind, f"{where}.auth", f"credentials {old.auth} → {new.auth}")
        if old.deprecated != new.deprecated:
            if new.deprecated:
                self.add("additive", f"{where}.deprecated", "operation deprecated")
            else:
                self.add("patch", f"{where}.deprecated", "operation no longer deprecated")
        self.params(where, old, new)
        self.body(where, old, new)
        self.response(where, old, new)
        old_errors = {e.status: e for e in old.errors}
        new_errors = {e.status: e for e in new.errors}
        for status in sorted(old_errors.keys() & new_errors.keys()):
            old_name, new_name = old_errors[status].name, new_errors[status].name
            if old_name != new_name:
                self.add(
                    "breaking",
                    f"{where}.errors",
                    f"HTTP {status} is raised as {new_name or 'its default class'} instead of "
                    f"{old_name or 'its default class'}",
                )
        if old_errors != new_errors:
            self.add("patch", f"{where}.errors", "documented error responses changed")
        self.semantics(where, old, new)
        if old.sources != new.sources:
            self.add("patch", f"{where}.sources", "links to other ecosystems changed")

    def semantics(self, where: str, old: Operation, new: Operation) -> None:
        o_eff, n_eff = _EFFECT_STRENGTH[old.effects], _EFFECT_STRENGTH[new.effects]
        if n_eff > o_eff:
            self.add(
                "breaking",
                f"{where}.effects",
                f"effects strengthened {old.effects} → {new.effects}",
            )
        elif n_eff < o_eff:
            self.add(
                "additive", f"{where}.effects", f"effects weakened {old.effects} → {new.effects}"
            )
        o_det = _DETERMINISM_STRENGTH[old.determinism.mode]
        n_det = _DETERMINISM_STRENGTH[new.determinism.mode]
        dwhere = f"{where}.determinism"
        if n_det < o_det:
            self.add(
                "breaking",
                dwhere,
                f"determinism weakened {old.determinism.mode} → {new.determinism.mode}",
            )
        elif n_det > o_det:
            self.add(
                "additive",
                dwhere,
                f"determinism strengthened {old.determinism.mode} → {new.determinism.mode}",
            )
        elif old.determinism.mode == "stable":
            more = sorted(set(new.determinism.volatile) - set(old.determinism.volatile))
            fewer = sorted(set(old.determinism.volatile) - set(new.determinism.volatile))
            if more:
                self.add("breaking", dwhere, f"new volatile fields {', '.join(more)}")
            if fewer:
                self.add("additive", dwhere, f"no longer volatile: {', '.join(fewer)}")
        self.idempotency(where, old, new)
        lost = sorted(set(new.capabilities) - set(old.capabilities))
        freed = sorted(set(old.capabilities) - set(new.capabilities))
        if lost:
            self.add(
                "breaking",
                f"{where}.capabilities",
                f"now also needs {', '.join(lost)}",
            )
        if freed:
            self.add("additive", f"{where}.capabilities", f"no longer needs {', '.join(freed)}")
        if old.pagination != new.pagination:
            pwhere = f"{where}.pagination"
            if new.pagination is None:
                self.add("breaking", pwhere, "no longer paginated (its page iterator goes away)")
            elif old.pagination is None:
                self.add("additive", pwhere, f"now paginated with {new.pagination!r}")
            else:
                self.add("patch", pwhere, f"pagination {old.pagination!r} → {new.pagination!r}")

    def idempotency(self, where: str, old: Operation, new: Operation) -> None:
        iwhere = f"{where}.idempotency"
        oi, ni = old.idempotency, new.idempotency
        if oi == ni:
            return
        o_rank = _IDEMPOTENCY_STRENGTH[oi.kind] if oi else 0
        n_rank = _IDEMPOTENCY_STRENGTH[ni.kind] if ni else 0
        old_kind = oi.kind if oi else "none"
        new_kind = ni.kind if ni else "none"
        if n_rank < o_rank:
            self.add(
                "breaking",
                iwhere,
                f"idempotency weakened {old_kind} → {new_kind} (retries become unsafe)",
            )
        elif n_rank > o_rank:
            self.add("additive", iwhere, f"idempotency strengthened {old_kind} → {new_kind}")
        else:
            self.add("patch", iwhere, f"idempotency details changed ({new_kind})")

    def params(self, where: str, old: Operation, new: Operation) -> None:
        old_params = {_param_key(p): p for p in old.params}
        new_params = {_param_key(p): p for p in new.params}
        for key in _keys(old_params, new_params):
            op_, np_ = old_params.get(key), new_params.get(key)
            shown = (np_ or op_).name  # type: ignore[union-attr]
            pwhere = f"{where}.params.{shown}"
            if np_ is None:
                self.add("breaking", pwhere, f"{key[0]} parameter {shown!r} removed")
                continue
            if op_ is None:
                if np_.required:
                    self.add("breaking", pwhere, f"new required {key[0]} parameter {shown!r}")
                else:
                    self.add("additive", pwhere, f"new optional {key[0]} parameter {shown!r}")
                continue
            if np_.required and not op_.required:
                self.add("breaking", pwhere, f"parameter {shown!r} became required")
            elif op_.required and not np_.required:
                self.add("additive", pwhere, f"parameter {shown!r} became optional")
            if op_.description != np_.description:
                self.add("patch", pwhere, "description changed")
            if op_.secret != np_.secret:
                self.add("patch", pwhere, "secret marking changed")
            if op_.query_style != np_.query_style:
                self.add("patch", pwhere, "query style changed (wire format only)")
            self.schema(pwhere, op_.schema_, np_.schema_, "request")

    def body(self, where: str, old: Operation, new: Operation) -> None:
        bwhere = f"{where}.body"
        ob, nb = old.body, new.body
        if ob is None and nb is None:
            return
        if nb is None:
            self.add("breaking", bwhere, "request body removed")
            return
        if ob is None:
            required = self._resolve(self.new, nb.schema_).required
            if nb.required and required:
                self.add(
                    "breaking",
                    bwhere,
                    f"new required request body (required fields: {', '.join(required)})",
                )
            else:
                self.add("additive", bwhere, "new optional request body")
            return
        if nb.required and not ob.required:
            self.add("breaking", bwhere, "request body became required")
        elif ob.required and not nb.required:
            self.add("additive", bwhere, "request body became optional")
        raw = ("text", "binary")
        if ob.encoding != nb.encoding and (ob.encoding in raw or nb.encoding in raw):
            self.add(
                "breaking",
                bwhere,
                f"body encoding {ob.encoding} → {nb.encoding} (the body argument changes type)",
            )
        elif ob.encoding != nb.encoding:
            self.add(
                "patch",
                bwhere,
                f"body encoding {ob.encoding} → {nb.encoding} (wire format only)",
            )
        if ob.single_argument != nb.single_argument:
            self.add(
                "breaking",
                bwhere,
                f"body passed as {_arguments(ob.single_argument)} → "
                f"{_arguments(nb.single_argument)} (callers change how they pass it)",
            )
        if ob.media_type != nb.media_type:
            self.add("patch", bwhere, f"body media type {ob.media_type} → {nb.media_type}")
        self.schema(bwhere, ob.schema_, nb.schema_, "request")

    def response(self, where: str, old: Operation, new: Operation) -> None:
        rwhere = f"{where}.response"
        orr, nr = old.response, new.response
        if orr.status != nr.status:
            self.add("breaking", rwhere, f"success status {orr.status} → {nr.status}")
        if orr.description != nr.description:
            self.add("patch", rwhere, "description changed")
        if orr.content != nr.content:
            self.add(
                "breaking",
                rwhere,
                f"response content {orr.content} → {nr.content} (the method returns another type)",
            )
        if orr.media_type != nr.media_type:
            self.add("patch", rwhere, f"response media type {orr.media_type} → {nr.media_type}")
        if orr.schema_ is None and nr.schema_ is None:
            return
        if nr.schema_ is None:
            self.add("breaking", rwhere, "response schema removed (its fields go away)")
            return
        if orr.schema_ is None:
            self.add("additive", rwhere, "response schema added")
            return
        self.schema(rwhere, orr.schema_, nr.schema_, "response")

    # ---------------------------------------------------------------- schemas

    def _resolve(self, spec: ConnectorSpec, node: SchemaNode) -> SchemaNode:
        from connector_spec.rules import resolve

        return resolve(spec, node)

    def schema(self, where: str, old: SchemaNode, new: SchemaNode, direction: Direction) -> None:
        frame = (old.ref_name(), new.ref_name(), direction)
        if (frame[0] or frame[1]) and frame in self._stack:
            return  # a recursive schema: this pair is already being compared further up
        if len(self._stack) >= MAX_SCHEMA_DEPTH:
            return  # recursion through inline allOf members: compared deep enough
        self._stack.append(frame)
        try:
            self._schema(
                where, self._resolve(self.old, old), self._resolve(self.new, new), direction
            )
        finally:
            self._stack.pop()

    def _schema(self, where: str, old: SchemaNode, new: SchemaNode, direction: Direction) -> None:
        request = direction == "request"
        for name in ("description", "title", "examples", "default"):
            if getattr(old, name) != getattr(new, name):
                self.add("patch", where, f"{name} changed")
        if old.secret != new.secret:
            self.add("patch", where, "secret marking changed")
        if old.deprecated != new.deprecated:
            if new.deprecated:
                self.add("additive", where, "deprecated")
            else:
                self.add("patch", where, "no longer deprecated")
        self._types(where, old, new, request)
        self._one_way(where, old, new, request)
        self._discriminator(where, old, new)
        self._enum(where, old, new, request)
        self._constraints(where, old, new, request)
        self._object(where, old, new, direction)
        if old.items is not None and new.items is not None:
            self.schema(f"{where}[]", old.items, new.items, direction)
        elif old.items is not None or new.items is not None:
            self.add("breaking", f"{where}[]", "array item schema added or removed")
        for key in ("one_of", "any_of"):
            o_alts, n_alts = getattr(old, key), getattr(new, key)
            if _strip_docs(_dump_list(o_alts)) != _strip_docs(_dump_list(n_alts)):
                label = "oneOf" if key == "one_of" else "anyOf"
                self.add("breaking", where, f"{label} alternatives changed")

    def _one_way(self, where: str, old: SchemaNode, new: SchemaNode, request: bool) -> None:
        """``readOnly`` takes a field out of requests, ``writeOnly`` out of responses."""
        flag, gone, label = (
            ("read_only", "callers can no longer send it", "readOnly")
            if request
            else ("write_only", "it is no longer returned", "writeOnly")
        )
        was, now = getattr(old, flag), getattr(new, flag)
        if now and not was:
            self.add("breaking", where, f"now {label}: {gone}")
        elif was and not now:
            self.add("additive", where, f"no longer {label}")
        other = "write_only" if request else "read_only"
        if getattr(old, other) != getattr(new, other):
            self.add("patch", where, f"{'writeOnly' if request else 'readOnly'} marking changed")

    def _discriminator(self, where: str, old: SchemaNode, new: SchemaNode) -> None:
        od, nd = old.discriminator, new.discriminator
        if od == nd:
            return
        if od is None or nd is None or od.property_name != nd.property_name:
            self.add("breaking", where, "discriminator changed (alternatives are told apart anew)")
            return
        lost = sorted(k for k, v in od.mapping.items() if nd.mapping.get(k) != v)
        if lost:
            self.add("breaking", where, f"discriminator mapping changed for {', '.join(lost)}")
        else:
            self.add("additive", where, "discriminator mapping extended")

    def _types(self, where: str, old: SchemaNode, new: SchemaNode, request: bool) -> None:
        o_types, n_types = _type_set(old), _type_set(new)
        if o_types == n_types:
            return
        text = f"{_type_text(old)} → {_type_text(new)}"
        if n_types < o_types:  # narrowed: accepts/returns less
            if request:
                self.add("breaking", where, f"type narrowed {text}")
            else:
                self.add("additive", where, f"type narrowed {text} (returns a subset)")
        elif n_types > o_types:  # widened
            if request:
                self.add("additive", where, f"type widened {text}")
            else:
                self.add("breaking", where, f"type widened {text} (may return values it did not)")
        else:
            self.add("breaking", where, f"type changed {text}")

    def _enum(self, where: str, old: SchemaNode, new: SchemaNode, request: bool) -> None:
        o_vals, n_vals = _values(old), _values(new)
        if o_vals == n_vals:
            return
        if o_vals is None:
            assert n_vals is not None
            if request:
                self.add("breaking", where, f"now restricted to {n_vals}")
            else:
                self.add("additive", where, f"now one of {n_vals}")
            return
        if n_vals is None:
            if request:
                self.add("additive", where, "no longer restricted to fixed values")
            else:
                self.add("breaking", where, f"no longer restricted to {o_vals}")
            return
        removed = [v for v in o_vals if v not in n_vals]
        added = [v for v in n_vals if v not in o_vals]
        for value in removed:
            if request:
                self.add("breaking", where, f"enum value {_show(value)} no longer accepted")
            else:
                self.add("additive", where, f"enum value {_show(value)} no longer returned")
        for value in added:
            self.add("additive", where, f"new enum value {_show(value)}")

    def _constraints(self, where: str, old: SchemaNode, new: SchemaNode, request: bool) -> None:
        # (field, which direction tightens: +1 = a larger value accepts less)
        bounds = (
            ("minimum", 1),
            ("min_length", 1),
            ("min_items", 1),
            ("min_properties", 1),
            ("maximum", -1),
            ("max_length", -1),
            ("max_items", -1),
            ("max_properties", -1),
        )
        for name, sign in bounds:
            o_val, n_val = getattr(old, name), getattr(new, name)
            if o_val == n_val:
                continue
            label = _alias(name)
            if not request:
                self.add("patch", where, f"{label} {o_val} → {n_val}")
                continue
            tighter = o_val is None or (n_val is not None and (n_val - o_val) * sign > 0)
            if tighter:
                self.add("breaking", where, f"{label} tightened {o_val} → {n_val}")
            else:
                self.add("additive", where, f"{label} loosened {o_val} → {n_val}")
        if old.unique_items != new.unique_items:
            if not request:
                self.add("patch", where, f"uniqueItems {old.unique_items} → {new.unique_items}")
            elif new.unique_items:
                self.add("breaking", where, "items must now be unique")
            else:
                self.add("additive", where, "items no longer need to be unique")
        if old.pattern != new.pattern:
            if not request:
                self.add("patch", where, "pattern changed")
            elif new.pattern is None:
                self.add("additive", where, "pattern removed")
            else:
                self.add("breaking", where, f"pattern now {new.pattern!r}")
        if old.format != new.format:
            if request and new.format is None:
                self.add("additive", where, f"format {old.format!r} removed")
            else:
                self.add("breaking", where, f"format {old.format!r} → {new.format!r}")

    def _object(self, where: str, old: SchemaNode, new: SchemaNode, direction: Direction) -> None:
        request = direction == "request"
        o_props, n_props = old.properties or {}, new.properties or {}
        o_req, n_req = set(old.required), set(new.required)
        for name in _keys(o_props, n_props):
            pwhere = f"{where}.{name}"
            op_, np_ = o_props.get(name), n_props.get(name)
            if np_ is None:
                noun = "body field" if request else "response field"
                self.add("breaking", pwhere, f"{noun} {name!r} removed")
                continue
            if op_ is None:
                if request:
                    if name in n_req:
                        self.add("breaking", pwhere, f"new required field {name!r}")
                    else:
                        self.add("additive", pwhere, f"new optional field {name!r}")
                else:
                    self.add("additive", pwhere, f"new response field {name!r}")
                continue
            was, now = name in o_req, name in n_req
            if now and not was:
                if request:
                    self.add("breaking", pwhere, f"field {name!r} became required")
                else:
                    self.add("additive", pwhere, f"field {name!r} is now always present")
            elif was and not now:
                if request:
                    self.add("additive", pwhere, f"field {name!r} became optional")
                else:
                    self.add("breaking", pwhere, f"field {name!r} may now be missing")
            self.schema(pwhere, op_, np_, direction)
        o_extra, n_extra = old.additional_properties, new.additional_properties
        if isinstance(o_extra, SchemaNode) and isinstance(n_extra, SchemaNode):
            self.schema(f"{where}.*", o_extra, n_extra, direction)
        elif o_extra != n_extra:
            closed_now = n_extra is False
            opened_now = o_extra is False
            if request and closed_now:
                self.add("breaking", where, "no longer accepts extra properties")
            elif not request and opened_now:
                self.add("breaking", where, "may now return extra properties")
            else:
                self.add("additive" if request else "patch", where, "extra properties changed")


# ----------------------------------------------------------------------------- small helpers


def _keys(old: Mapping[Any, Any], new: Mapping[Any, Any]) -> Iterator[Any]:
    """Keys of ``old`` in order, then keys only in ``new`` in order."""
    yield from old
    yield from (key for key in new if key not in old)


def _dump_attr(model: Any, name: str) -> Any:
    value = getattr(model, name)
    if isinstance(value, list):
        return _dump_list(value)
    return value


def _dump_list(items: list[Any] | None) -> list[Any] | None:
    if items is None:
        return None
    return [_dump(item) for item in items]


def _brief(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items() if v is not None) + "}"
    return repr(value)


def _arguments(single: str | None) -> str:
    return "one argument per field" if single is None else f"one argument {single!r}"


def _alias(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _strip_versions(spec: ConnectorSpec) -> Any:
    data = spec.model_dump(mode="json", by_alias=True)
    data["provider"].pop("version", None)
    return data
