"""The connector catalog: what the importer and the checker know about registry connectors.

It indexes connector operations by their ``sources.n8n`` link and connectors by the hosts of
their base URLs. :class:`ConnectorCatalog` is the small interface both use;
:class:`DirectoryCatalog` builds the index from ``connectors/*/connector.yaml``,
:func:`registry_catalog` from the verified specs of a registry, and :func:`resolve_catalog`
picks one the way the CLI does (``--connectors DIR``, ``./connectors``, the local registry, or
none at all).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from connector_spec.versions import Version, is_version, version_key
from connector_spec.versions import compatible as compatible  # re-exported for flows.ir.check

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

    def lookup_n8n_node(self, node: str) -> CatalogOperation | None:
        """An operation linked to any resource/operation of this n8n node type, if any."""
        ...

    def lookup_host(self, host: str) -> list[str]:
        """``provider@version`` of the connectors whose base URL has this host."""
        ...

    def lookup_operation(self, provider: str, operation_id: str) -> list[CatalogOperation]:
        """Every known version of one operation (empty when unknown)."""
        ...


NO_CATALOG_WARNING = (
    "no connector catalog: nodes cannot be mapped to connectors; give a connectors directory "
    "(the directory holding <provider>/connector.yaml)"
)


@dataclass
class InMemoryCatalog:
    """A catalog over a list of operations and host links (also the base of the others).

    ``origin`` says where the specs came from (a directory, a registry), for messages.
    """

    operations: list[CatalogOperation] = field(default_factory=list)
    hosts: dict[str, list[str]] = field(default_factory=dict)
    origin: str = ""

    def is_empty(self) -> bool:
        """True when the catalog knows no operation and no host."""
        return not self.operations and not self.hosts

    def lookup_n8n(
        self, node: str, resource: str | None, operation: str | None
    ) -> CatalogOperation | None:
        """Exact match on node, resource and operation; the newest version wins."""
        found = [op for op in self.operations if op.n8n == (node, resource, operation)]
        if not found:
            return None
        return max(found, key=lambda op: _semver_key(op.version))

    def lookup_n8n_node(self, node: str) -> CatalogOperation | None:
        """The newest operation linked to this node type, whatever its resource/operation."""
        found = [op for op in self.operations if op.n8n is not None and op.n8n[0] == node]
        return max(found, key=lambda op: _semver_key(op.version)) if found else None

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


def _semver_key(version: str) -> tuple[int, Version | str]:
    """Newest-wins order; a version that is not semver sorts below every valid one."""
    return (1, version_key(version)) if is_version(version) else (0, version)


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


def catalog_warning(catalog: ConnectorCatalog | None) -> str | None:
    """The one-line warning for a missing or empty catalog (None when it has connectors)."""
    if catalog is None:
        return NO_CATALOG_WARNING
    if isinstance(catalog, InMemoryCatalog) and catalog.is_empty():
        if catalog.origin:
            return (
                f"the connector catalog ({catalog.origin}) holds no connector spec: nodes "
                "cannot be mapped to connectors; give a connectors directory that holds them"
            )
        return NO_CATALOG_WARNING
    return None


class DirectoryCatalog(InMemoryCatalog):
    """The catalog of every ``<dir>/*/connector.yaml`` (invalid specs raise ``SpecError``)."""

    def __init__(self, directory: str | Path) -> None:
        from connector_spec.errors import InputError, argument
        from connector_spec.loader import load_spec

        root = Path(directory)
        if not root.is_dir():
            raise InputError(
                f"{root}: connectors directory not found",
                hint=f"give {argument('connectors')} the directory holding "
                "<provider>/connector.yaml",
            )
        built = catalog_from_specs(
            load_spec(path).spec for path in sorted(root.glob("*/connector.yaml"))
        )
        super().__init__(operations=built.operations, hosts=built.hosts, origin=str(root))


def _registry_present(location: str) -> bool:
    """False for a local path that holds no registry (HTTP(S) locations are tried)."""
    from registry import layout
    from registry.client import local_path

    path = local_path(location)
    return path is None or (path / layout.METADATA / "1.root.json").is_file()


def registry_catalog(location: str, *, trust_dir: Path | None = None) -> InMemoryCatalog:
    """The catalog of a registry: the latest non-yanked version of every connector.

    The registry is verified first (signatures, digests, expiry, the log); a problem raises
    ``registry.errors.VerificationFailed`` (exit 1) and an invalid spec ``SpecError``.
    """
    from connector_spec.loader import parse_spec_bytes
    from registry import layout
    from registry.query import latest, open_reader

    report = open_reader(location, trust_dir=trust_dir).verify(keep_contents=True)
    report.raise_for_problems()
    specs: list[ConnectorSpec] = []
    for name, versions in sorted(report.connectors.items()):
        usable = {v: info for v, info in versions.items() if not info.yanked}
        if not usable:
            continue  # every version is yanked: nothing to map onto
        info = latest(usable)
        data = info.contents.get(layout.SPEC_FILE)
        if data is None:
            continue
        where = f"{location.rstrip('/')}/{layout.TARGETS}/{name}/{info.version}/{layout.SPEC_FILE}"
        specs.append(parse_spec_bytes(data, where))
    built = catalog_from_specs(specs)
    built.origin = f"registry {location}"
    return built


def resolve_catalog(
    connectors: str | Path | None = None,
    *,
    base: str | Path | None = None,
    registry: str | None = None,
    trust_dir: Path | None = None,
) -> InMemoryCatalog | None:
    """The catalog to import and check against, or None when there is none.

    1. ``connectors`` when given (``InputError`` when it is not a directory);
    2. else ``<base>/connectors`` when it is a directory (``base`` defaults to the working
       directory);
    3. else the registry at ``registry`` (default ``$FLOWS_REGISTRY`` or
       ``<base>/.flows/registry``) when one is there, verified (see :func:`registry_catalog`);
       ``trust_dir`` defaults to ``$FLOWS_TRUST_DIR`` or ``<base>/.flows/trusted``;
    4. else None: nothing can be mapped, and the import report says so
       (:func:`catalog_warning`).
    """
    if connectors is not None:
        return DirectoryCatalog(connectors)
    root = Path(base) if base is not None else Path.cwd()
    if (root / "connectors").is_dir():
        return DirectoryCatalog(root / "connectors")
    location = registry or os.environ.get("FLOWS_REGISTRY") or str(root / ".flows" / "registry")
    if not _registry_present(location):
        return None
    if trust_dir is None:
        env = os.environ.get("FLOWS_TRUST_DIR")
        trust_dir = Path(env) if env else root / ".flows" / "trusted"
    return registry_catalog(location, trust_dir=trust_dir)
