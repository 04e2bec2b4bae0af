"""Converted operations → one spec document, or parts of whole resources when one is too big.

A spec file is at most :data:`~connector_spec.yaml_source.MAX_FILE_BYTES` and
:data:`~connector_spec.yaml_source.MAX_NODES` values. When the spec of a whole description
would exceed that, its resources (tags) are packed in document order into parts that fit,
counting each named schema a part reaches once (parts of Microsoft Graph share most of their
schemas), and a part is named after the provider and its first resource.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from connector_spec.openapi.assemble import RefIndex, assemble, count_values, reachable
from connector_spec.openapi.mapper import OperationResult
from connector_spec.openapi.naming import slug
from connector_spec.openapi.schema_map import SchemaMapper
from connector_spec.yaml_source import MAX_FILE_BYTES, MAX_NODES

#: Leave room below the spec loader's limits (bytes, values) for the comment header.
SPLIT_BYTES = MAX_FILE_BYTES - 256 * 1024
SPLIT_NODES = MAX_NODES - 10_000
#: A part is packed up to this share of the limits (estimates leave out small parts).
FILL = 0.85
FLOW_STYLE_BYTES = 512 * 1024
#: Characters YAML 1.1 forbids raw or reads as line breaks (JSON escapes C0 itself): \\uXXXX.
_NOT_YAML_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass
class ConvertedSpec:
    """One spec document written from the description (several when it is split)."""

    name: str
    document: dict[str, Any]
    operations: int
    resources: list[str]

    def to_yaml(self, header: str = "") -> bytes:
        """The spec as YAML bytes, after an optional ``# ...`` comment header.

        A large spec (over :data:`FLOW_STYLE_BYTES` as JSON) is written in YAML's flow style,
        i.e. as JSON, which YAML reads as it is: block style costs seconds per megabyte.
        """
        flow = json.dumps(self.document, ensure_ascii=False, separators=(",", ":"))
        if len(flow) > FLOW_STYLE_BYTES:
            # JSON leaves C1 controls, DEL and lone surrogates raw; YAML may not carry them raw
            flow = _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", flow)
            return (header + flow + "\n").encode()
        text = yaml.dump(
            self.document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
        )
        return (header + text).encode()


@dataclass
class _Group:
    """One resource's kept operations: their size, values and the schemas they reach."""

    members: list[OperationResult]
    size: int
    values: int
    reach: set[str]


def build_specs(
    head: dict[str, Any], results: list[OperationResult], schemas: SchemaMapper
) -> list[ConvertedSpec]:
    """One spec, or, when one would exceed the spec file limits, parts of whole resources."""
    index = RefIndex(schemas.named)
    groups: dict[str, _Group] = {}
    for result in results:
        if result.operation is not None:
            group = groups.setdefault(str(result.resource), _Group([], 0, 0, set()))
            group.members.append(result)
    for group in groups.values():
        operations = [r.operation for r in group.members]
        group.size = len(json.dumps(operations))
        group.values = count_values(operations)
        group.reach = reachable(operations, index.named, index)
    everything = set().union(*(g.reach for g in groups.values())) if groups else set()
    size = sum(g.size for g in groups.values()) + sum(index.size(n) for n in everything)
    values = sum(g.values for g in groups.values()) + sum(index.values(n) for n in everything)
    if size <= SPLIT_BYTES and values <= SPLIT_NODES:
        whole = _one(head, results, schemas, head["provider"]["name"], index)
        if whole is None or not _too_big(whole):
            return [whole] if whole is not None else []
    specs: list[ConvertedSpec] = []
    for pack in _packs(groups, index):
        specs += _part(head, pack, groups, schemas, index)
    return specs


def _packs(groups: dict[str, _Group], index: RefIndex) -> list[list[str]]:
    """Resources in document order, packed into parts up to :data:`FILL` of the limits."""
    packs: list[list[str]] = []
    reach: set[str] = set()
    size = values = 0
    for resource, group in groups.items():
        new = group.reach - reach
        more_size = group.size + sum(index.size(n) for n in new)
        more_values = group.values + sum(index.values(n) + 1 for n in new)
        full = size + more_size > FILL * SPLIT_BYTES or values + more_values > FILL * SPLIT_NODES
        if not packs or full:
            packs.append([])
            reach = set(group.reach)
            size = group.size + sum(index.size(n) for n in reach)
            values = group.values + sum(index.values(n) + 1 for n in reach)
        else:
            reach |= new
            size += more_size
            values += more_values
        packs[-1].append(resource)
    return packs


def _part(
    head: dict[str, Any],
    pack: list[str],
    groups: dict[str, _Group],
    schemas: SchemaMapper,
    index: RefIndex,
) -> list[ConvertedSpec]:
    members = [r for resource in pack for r in groups[resource].members]
    name = slug(f"{head['provider']['name']} {pack[0]}")
    part = _one(head, members, schemas, name, index)
    if part is None:
        return []
    if not _too_big(part):
        return [part]
    if len(pack) > 1:
        half = len(pack) // 2
        return _part(head, pack[:half], groups, schemas, index) + _part(
            head, pack[half:], groups, schemas, index
        )
    for result in members:
        result.lose("spec-too-large", f"resource {pack[0]!r} alone exceeds a spec file")
    return []


def _one(
    head: dict[str, Any],
    results: list[OperationResult],
    schemas: SchemaMapper,
    name: str,
    index: RefIndex,
) -> ConvertedSpec | None:
    own = {**head, "provider": {**head["provider"], "name": name}}
    document = assemble(own, results, schemas.named, schemas.keywords, index)
    if document is None:
        return None
    operations = document["operations"]
    resources = list(dict.fromkeys(op["resource"] for op in operations))
    return ConvertedSpec(name, document, len(operations), resources)


def _too_big(spec: ConvertedSpec) -> bool:
    """Whether the YAML would pass the spec loader's limits (JSON's size first: it is cheap)."""
    if count_values(spec.document) > SPLIT_NODES:
        return True
    estimate = len(json.dumps(spec.document))
    if estimate * 1.5 < SPLIT_BYTES:
        return False
    if estimate * 0.9 > SPLIT_BYTES:
        return True
    return len(spec.to_yaml()) > SPLIT_BYTES
