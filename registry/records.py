"""What a publish stores and answers: publications, results, digests and the clock helpers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from registry import layout
from registry.errors import RegistryInputError
from registry.signing import canonical_statement

Clock = Callable[[], datetime]
RESERVED = {layout.SPEC_FILE, layout.STATEMENT_FILE, *layout.SIGNATURE_FILES}


def utcnow() -> datetime:
    """The current UTC time."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_digest(file_hashes: Mapping[str, str]) -> str:
    """Digest of a version: SHA-256 over its sorted (file name, file SHA-256) pairs."""
    text = "".join(f"{name}\0{digest}\n" for name, digest in sorted(file_hashes.items()))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Publication:
    """One connector version, already built: the bytes the registry stores."""

    name: str
    version: str
    spec_bytes: bytes
    wheel_filename: str
    wheel_bytes: bytes
    statement: dict[str, Any]
    extra_files: Mapping[str, bytes] = field(default_factory=dict)
    #: the statement's canonical bytes when the caller already has them (they must be
    #: exactly ``canonical_statement(statement)``); saves canonicalizing a large statement
    statement_bytes: bytes | None = field(default=None, repr=False, compare=False)

    def files(self) -> dict[str, bytes]:
        """Every stored file except the signature, by file name."""
        layout.check_filename(self.wheel_filename)
        if not self.wheel_filename.endswith(".whl"):
            raise RegistryInputError(
                f"{self.wheel_filename!r} is not a wheel file name", hint="it must end in .whl"
            )
        out = {
            layout.SPEC_FILE: self.spec_bytes,
            self.wheel_filename: self.wheel_bytes,
            layout.STATEMENT_FILE: self.statement_bytes
            if self.statement_bytes is not None
            else canonical_statement(self.statement),
        }
        for name, data in self.extra_files.items():
            layout.check_filename(name)
            if name in out or name in RESERVED:
                raise RegistryInputError(
                    f"extra file {name!r} collides with a file the registry stores",
                    hint=f"rename it; reserved names are {', '.join(sorted(RESERVED))}",
                )
            out[name] = data
        return out


@dataclass(frozen=True)
class PublishResult:
    """What a publish did: ``published`` or ``unchanged`` (identical republish)."""

    status: str
    name: str
    version: str
    digest: str
    files: tuple[str, ...]
    log_seq: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "status": self.status,
            "name": self.name,
            "version": self.version,
            "digest": self.digest,
            "files": list(self.files),
            "log_seq": self.log_seq,
        }


@dataclass(frozen=True)
class StoredVersion:
    """A published version as committed: its content digest and each file's SHA-256."""

    digest: str
    file_hashes: dict[str, str]
