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
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from connector_spec.versions import compatible as compatible  # re-exported for flows.ir.check
from flows.ir.catalog_index import CatalogOperation as CatalogOperation
from flows.ir.catalog_index import ConnectorCatalog as ConnectorCatalog
from flows.ir.catalog_index import InMemoryCatalog as InMemoryCatalog
from flows.ir.catalog_index import preference as preference

if TYPE_CHECKING:
    from connector_spec.jsonschema_subset import SchemaNode
    from connector_spec.model import ConnectorSpec, Operation


NO_CATALOG_WARNING = (
    "no connector catalog: nodes cannot be mapped to connectors; give a connectors directory "
    "(the directory holding <provider>/connector.yaml)"
)


def _schema_fields(spec: ConnectorSpec, schema: SchemaNode | None) -> tuple[list[str], list[str]]:
    seen = 0
    while schema is not None and schema.ref and seen < 10:
        seen += 1
        schema = spec.schemas.get(schema.ref.rsplit("/", 1)[-1])
    if schema is None or not schema.properties:
        return [], []
    return list(schema.properties), list(schema.required)


def _operation_entry(
    spec: ConnectorSpec, op: Operation, level: str | None, auth: str
) -> CatalogOperation:
    inputs = [p.name for p in op.params]
    required = [p.name for p in op.params if p.required or p.location == "path"]
    if op.body is not None:
        props, req = _schema_fields(spec, op.body.schema_)
        inputs += props
        if op.body.required:
            required += req
    link = None
    versions = None
    n8n_params: tuple[tuple[str, str], ...] = ()
    if op.sources is not None and op.sources.n8n is not None:
        src = op.sources.n8n
        link = (src.node, src.resource, src.operation)
        if src.type_versions is not None:
            versions = tuple(sorted({float(v) for v in src.type_versions}))
        n8n_params = tuple((src.parameters or {}).items())
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
        type_versions=versions,
        n8n_params=n8n_params,
        level=level,
        auth=auth,
    )


def auth_text(auth: object) -> str:
    """What a connector's auth block asks for, in a few words (for import reports)."""
    from connector_spec.model import auth_schemes

    parts = []
    for scheme in auth_schemes(auth):
        kind = str(getattr(scheme, "type", "unknown"))
        envs = [
            ref.env
            for ref in (getattr(scheme, k, None) for k in _SECRET_FIELDS)
            if ref is not None and getattr(ref, "env", None)
        ]
        where = getattr(scheme, "location", None)
        text = f"{kind} in {where} {getattr(scheme, 'name', '')!r}" if where else kind
        parts.append(text + (f" (env {', '.join(envs)})" if envs else ""))
    return " + ".join(parts)


_SECRET_FIELDS = ("secret", "username", "password", "client_id", "client_secret", "refresh_token")


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


def catalog_from_specs(
    specs: Iterable[ConnectorSpec], levels: dict[str, str | None] | None = None
) -> InMemoryCatalog:
    """Index already-loaded specs; ``levels`` maps ``provider@version`` to its certification
    level (registry specs; a directory's specs have none)."""
    catalog = InMemoryCatalog()
    for spec in specs:
        ref = f"{spec.provider.name}@{spec.provider.version}"
        level = (levels or {}).get(ref)
        auth = auth_text(spec.auth)
        for op in spec.operations:
            catalog.operations.append(_operation_entry(spec, op, level, auth))
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
    """The catalog of a registry: every non-yanked version of every connector, each with the
    certification level of its statement (a link several versions hold goes to the preferred
    one, see :func:`preference`).

    The registry is verified first (signatures, digests, expiry, the log); a problem raises
    ``registry.errors.VerificationFailed`` (exit 1) and an invalid spec ``SpecError``.
    """
    from connector_spec.loader import parse_spec_bytes
    from registry import layout
    from registry.query import open_reader

    report = open_reader(location, trust_dir=trust_dir).verify(keep_contents=True)
    report.raise_for_problems()
    specs: list[ConnectorSpec] = []
    levels: dict[str, str | None] = {}
    for name, versions in sorted(report.connectors.items()):
        for version, info in sorted(versions.items()):
            data = info.contents.get(layout.SPEC_FILE)
            if info.yanked or data is None:
                continue  # a yanked version is never mapped onto
            where = f"{location.rstrip('/')}/{layout.TARGETS}/{name}/{version}/{layout.SPEC_FILE}"
            spec = parse_spec_bytes(data, where)
            predicate = (info.statement or {}).get("predicate")
            level = predicate.get("level") if isinstance(predicate, dict) else None
            levels[f"{spec.provider.name}@{spec.provider.version}"] = (
                level if isinstance(level, str) else None
            )
            specs.append(spec)
    built = catalog_from_specs(specs, levels)
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
