"""The connector catalog: what the importer and the checker know about registry connectors.

It indexes connector operations by their ``sources.n8n`` link and connectors by the hosts of
their base URLs. :class:`ConnectorCatalog` is the small interface the registry will provide
later; :class:`DirectoryCatalog` builds the same index from ``connectors/*/connector.yaml``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from connector_spec.jsonschema_subset import SchemaNode
    from connector_spec.model import ConnectorSpec, Operation


@dataclass(frozen=True)
class CatalogOperation:
    """One connector operation as the importer needs it."""

    provider: str
    version: str
    operation_id: str
    effects: str
    determinism: str
    auth_type: str
    inputs: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    n8n: tuple[str, str | None, str | None] | None = None

    @property
    def connector(self) -> str:
        """``provider@version``."""
        return f"{self.provider}@{self.version}"


class ConnectorCatalog(Protocol):
    """What the importer asks of a catalog (the registry implements the same)."""

    def lookup_n8n(
        self, node: str, resource: str | None, operation: str | None
    ) -> CatalogOperation | None:
        """The operation linked to this n8n node/resource/operation, if any."""
        ...

    def lookup_host(self, host: str) -> list[str]:
        """``provider@version`` of the connectors whose base URL has this host."""
        ...

    def lookup_operation(self, provider: str, operation_id: str) -> list[CatalogOperation]:
        """Every known version of one operation (empty when unknown)."""
        ...


@dataclass
class InMemoryCatalog:
    """A catalog over a list of operations and host links (also the base of the others)."""

    operations: list[CatalogOperation] = field(default_factory=list)
    hosts: dict[str, list[str]] = field(default_factory=dict)

    def lookup_n8n(
        self, node: str, resource: str | None, operation: str | None
    ) -> CatalogOperation | None:
        """Exact match on node, resource and operation; the newest version wins."""
        found = [op for op in self.operations if op.n8n == (node, resource, operation)]
        if not found:
            return None
        return max(found, key=lambda op: _semver_key(op.version))

    def lookup_host(self, host: str) -> list[str]:
        """Connectors serving ``host`` (case-insensitive)."""
        return list(self.hosts.get(host.lower(), []))

    def lookup_operation(self, provider: str, operation_id: str) -> list[CatalogOperation]:
        """All versions of ``provider``'s ``operation_id``."""
        return [
            op
            for op in self.operations
            if op.provider == provider and op.operation_id == operation_id
        ]

    def providers(self) -> list[str]:
        """Every ``provider@version`` known."""
        return sorted({op.connector for op in self.operations})


def _semver_key(version: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", version.split("-")[0])
    return tuple(int(p) for p in parts[:3])


def compatible(wanted: str, available: str) -> bool:
    """Semver compatibility: same major version and at least the wanted one."""
    want, have = _semver_key(wanted), _semver_key(available)
    if not want or not have:
        return wanted == available
    return want[0] == have[0] and have >= want


def _schema_fields(spec: ConnectorSpec, schema: SchemaNode | None) -> tuple[list[str], list[str]]:
    seen = 0
    while schema is not None and schema.ref and seen < 10:
        seen += 1
        schema = spec.schemas.get(schema.ref.rsplit("/", 1)[-1])
    if schema is None or not schema.properties:
        return [], []
    return list(schema.properties), list(schema.required)


def _operation_entry(spec: ConnectorSpec, op: Operation) -> CatalogOperation:
    inputs = [p.name for p in op.params]
    required = [p.name for p in op.params if p.required or p.location == "path"]
    if op.body is not None:
        props, req = _schema_fields(spec, op.body.schema_)
        inputs += props
        if op.body.required:
            required += req
    link = None
    if op.sources is not None and op.sources.n8n is not None:
        src = op.sources.n8n
        link = (src.node, src.resource, src.operation)
    return CatalogOperation(
        provider=spec.provider.name,
        version=spec.provider.version,
        operation_id=op.id,
        effects=op.effects,
        determinism=op.determinism.mode,
        auth_type=spec.auth.type,
        inputs=tuple(dict.fromkeys(inputs)),
        required=tuple(dict.fromkeys(required)),
        n8n=link,
    )


def spec_hosts(spec: ConnectorSpec) -> set[str]:
    """Every host the spec's base URL (and environments) can resolve to."""
    templates = [spec.base_url] + [e.base_url for e in spec.environments.values() if e.base_url]
    hosts: set[str] = set()
    for template in templates:
        names = re.findall(r"\{([^{}]+)\}", template)
        choices: list[list[str]] = []
        for name in names:
            var = spec.variables.get(name)
            values: list[str] = []
            if var is not None:
                values += [v for v in [var.default, *(var.enum or [])] if v]
            values += [e.variables[name] for e in spec.environments.values() if name in e.variables]
            choices.append(list(dict.fromkeys(values)) or [""])
        for combo in itertools.product(*choices):
            url = template
            for name, value in zip(names, combo, strict=True):
                url = url.replace("{" + name + "}", value)
            host = urlsplit(url).hostname
            if host:
                hosts.add(host.lower())
    return hosts


def catalog_from_specs(specs: Iterable[ConnectorSpec]) -> InMemoryCatalog:
    """Index already-loaded specs."""
    catalog = InMemoryCatalog()
    for spec in specs:
        ref = f"{spec.provider.name}@{spec.provider.version}"
        for op in spec.operations:
            catalog.operations.append(_operation_entry(spec, op))
        for host in spec_hosts(spec):
            catalog.hosts.setdefault(host, []).append(ref)
    return catalog


class DirectoryCatalog(InMemoryCatalog):
    """The catalog of every ``<dir>/*/connector.yaml`` (invalid specs raise ``SpecError``)."""

    def __init__(self, directory: str | Path) -> None:
        from connector_spec.errors import InputError
        from connector_spec.loader import load_spec

        root = Path(directory)
        if not root.is_dir():
            raise InputError(
                f"{root}: connectors directory not found",
                hint="pass --connectors DIR (the directory holding <provider>/connector.yaml)",
            )
        built = catalog_from_specs(
            load_spec(path).spec for path in sorted(root.glob("*/connector.yaml"))
        )
        super().__init__(operations=built.operations, hosts=built.hosts)
