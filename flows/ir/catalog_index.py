"""The in-memory connector catalog: operations indexed by their n8n link and by id.

:class:`CatalogOperation` is one connector operation as the importer needs it,
:class:`ConnectorCatalog` what the importer and the checker ask of a catalog, and
:class:`InMemoryCatalog` the indexed implementation every catalog builds on. When several
operations link the same n8n operation, :func:`preference` decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from connector_spec.versions import Version, is_version, version_key


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
    type_versions: tuple[float, ...] | None = None
    level: str | None = None
    auth: str = ""
    n8n_params: tuple[tuple[str, str], ...] = ()  # (input, n8n parameter path) pairs

    @property
    def connector(self) -> str:
        """``provider@version``."""
        return f"{self.provider}@{self.version}"

    def holds_for(self, type_version: float | None) -> bool:
        """Whether the n8n link holds for this typeVersion (``None``: any version)."""
        return (
            type_version is None
            or self.type_versions is None
            or (float(type_version) in self.type_versions)
        )


class ConnectorCatalog(Protocol):
    """What the importer asks of a catalog (the registry implements the same)."""

    def lookup_n8n(
        self,
        node: str,
        resource: str | None,
        operation: str | None,
        type_version: float | None = None,
    ) -> CatalogOperation | None:
        """The operation linked to this n8n node/resource/operation (at ``type_version``
        when given), if any; among several, the preferred one (:func:`preference`)."""
        ...

    def linked_versions(
        self, node: str, resource: str | None, operation: str | None
    ) -> list[CatalogOperation]:
        """Every operation linked to node/resource/operation at any typeVersion, preferred
        first."""
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


@dataclass
class InMemoryCatalog:
    """A catalog over a list of operations and host links (also the base of the others).

    ``origin`` says where the specs came from (a directory, a registry), for messages. The
    lookups go through an index built on first use (rebuilt when ``operations`` grows).
    """

    operations: list[CatalogOperation] = field(default_factory=list)
    hosts: dict[str, list[str]] = field(default_factory=dict)
    origin: str = ""
    _index: _Index | None = field(default=None, init=False, repr=False, compare=False)

    def is_empty(self) -> bool:
        """True when the catalog knows no operation and no host."""
        return not self.operations and not self.hosts

    def _indexed(self) -> _Index:
        if self._index is None or self._index.size != len(self.operations):
            self._index = _Index(self.operations)
        return self._index

    def lookup_n8n(
        self,
        node: str,
        resource: str | None,
        operation: str | None,
        type_version: float | None = None,
    ) -> CatalogOperation | None:
        """Exact match on node, resource and operation whose link holds for
        ``type_version``; the preferred one (:func:`preference`) wins."""
        found = self._indexed().by_link.get((node, resource, operation), [])
        return next((op for op in found if op.holds_for(type_version)), None)

    def linked_versions(
        self, node: str, resource: str | None, operation: str | None
    ) -> list[CatalogOperation]:
        """Every operation linked to node/resource/operation whatever the typeVersion,
        preferred first."""
        return list(self._indexed().by_link.get((node, resource, operation), []))

    def lookup_n8n_node(self, node: str) -> CatalogOperation | None:
        """The preferred operation linked to this node type, whatever its resource/operation."""
        return self._indexed().by_node.get(node)

    def lookup_host(self, host: str) -> list[str]:
        """Connectors serving ``host`` (case-insensitive)."""
        return list(self.hosts.get(host.lower(), []))

    def lookup_operation(self, provider: str, operation_id: str) -> list[CatalogOperation]:
        """All versions of ``provider``'s ``operation_id``, oldest first."""
        return list(self._indexed().by_operation.get((provider, operation_id), []))

    def providers(self) -> list[str]:
        """Every ``provider@version`` known."""
        return sorted({op.connector for op in self.operations})


def _level_rank(level: str | None) -> int:
    """Certification levels lowest to highest (docs/formats.md); unknown/absent lowest."""
    from certify.results import LEVELS

    return LEVELS.index(level) if level in LEVELS else -1


def preference(op: CatalogOperation) -> tuple[int, tuple[int, Version | str]]:
    """How much an operation is preferred when several link one n8n operation: the highest
    certification level, then the highest version (ties: provider name, ascending)."""
    return (_level_rank(op.level), _semver_key(op.version))


class _Index:
    """The lookups of one operation list."""

    def __init__(self, operations: list[CatalogOperation]) -> None:
        self.size = len(operations)
        ordered = sorted(operations, key=lambda op: op.provider)
        ordered.sort(key=preference, reverse=True)  # stable: provider order breaks ties
        self.by_link: dict[tuple[str, str | None, str | None], list[CatalogOperation]] = {}
        self.by_node: dict[str, CatalogOperation] = {}
        for op in ordered:
            if op.n8n is not None:
                self.by_link.setdefault(op.n8n, []).append(op)
                self.by_node.setdefault(op.n8n[0], op)
        self.by_operation: dict[tuple[str, str], list[CatalogOperation]] = {}
        for op in sorted(operations, key=lambda op: _semver_key(op.version)):
            self.by_operation.setdefault((op.provider, op.operation_id), []).append(op)


def _semver_key(version: str) -> tuple[int, Version | str]:
    """Newest-wins order; a version that is not semver sorts below every valid one."""
    return (1, version_key(version)) if is_version(version) else (0, version)
