"""What a verification found: its problems, the verified connector versions, the work done."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry import layout
from registry.errors import Problem, VerificationFailed


@dataclass
class VersionInfo:
    """One verified connector version."""

    name: str
    version: str
    digest: str
    files: list[str]
    signature_file: str
    signer: str | None
    published: str | None
    yanked: dict[str, Any] | None
    statement: dict[str, Any] | None
    contents: dict[str, bytes] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping (without file contents)."""
        return {
            "name": self.name,
            "version": self.version,
            "digest": self.digest,
            "files": self.files,
            "signature": self.signature_file,
            "signer": self.signer,
            "published": self.published,
            "yanked": self.yanked,
        }


@dataclass
class Stats:
    """Work done by a verification (for benchmarks)."""

    #: signatures on the metadata in force (newest root, timestamp, snapshot, targets,
    #: connector roles) plus one per statement signature; older roots are checked, not counted
    signatures: int = 0
    files: int = 0
    bytes_hashed: int = 0


@dataclass
class VerifyReport:
    """The outcome of :meth:`RegistryReader.verify`."""

    location: str
    problems: list[Problem] = field(default_factory=list)
    connectors: dict[str, dict[str, VersionInfo]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def raise_for_problems(self, what: str | None = None) -> None:
        """Raise :class:`VerificationFailed` when there are problems."""
        if self.problems:
            raise VerificationFailed(self.problems, what=what or self.location)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "ok": self.ok,
            "registry": self.location,
            "problems": [p.to_json() for p in self.problems],
            "metadata_versions": self.versions,
            "connectors": {
                name: sorted(versions, key=layout.semver_key)
                for name, versions in sorted(self.connectors.items())
            },
            "checked": {
                "signatures": self.stats.signatures,
                "files": self.stats.files,
                "bytes": self.stats.bytes_hashed,
            },
        }
