"""One verification pass, its basics: reading with caps, parsing, signatures, expiry, problems.

A pass collects *every* problem (file + what is wrong) in its report; :class:`Stop` ends
it where nothing further can be checked (the problem is recorded first).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry import client, layout
from registry.client import TrustStore
from registry.errors import Problem, TooLarge
from registry.report import VerifyReport
from registry.tuf_metadata import CANONICAL, Key, Metadata, Root, Snapshot, Targets

if TYPE_CHECKING:
    from registry.verify import RegistryReader


class Stop(Exception):
    """Verification cannot go further (a problem was recorded)."""


class RunBase:
    """State and basic checks shared by every part of a verification pass."""

    def __init__(self, reader: RegistryReader, report: VerifyReport, keep: bool) -> None:
        self.reader = reader
        self.report = report
        self.keep = keep
        self.now = reader.now()
        self.trust: TrustStore | None = None
        self.trusted_files: dict[str, bytes] = {}
        self.root: Metadata[Root]
        self.snapshot: Metadata[Snapshot]
        self.targets: Metadata[Targets]
        self.versions_seen: dict[tuple[str, str], dict[str, Any]] = {}
        self._trust_root_file: Path | None = None
        self._policy_keys: dict[str, Key] | None = None

    def problem(self, file: str, message: str) -> None:
        found = Problem(file, message)
        if found not in self.report.problems:  # two checks may trip over the same file
            self.report.problems.append(found)

    def read_raw(self, rel: str, limit: int, what: str) -> bytes:
        """Read at most ``limit`` bytes of ``rel``; only ``FileNotFoundError`` escapes."""
        try:
            return self.reader.read(rel, limit)
        except FileNotFoundError:
            raise
        except TooLarge:
            self.problem(rel, f"{what} is larger than {limit} bytes, the most a client reads")
            raise Stop from None
        except OSError as exc:
            self.problem(rel, f"cannot read {what}: {exc.strerror or exc}")
            raise Stop from None

    def read(
        self, rel: str, *, what: str = "file", limit: int | None = client.MAX_METADATA_BYTES
    ) -> bytes:
        try:
            data = self.read_raw(rel, client.MAX_METADATA_BYTES if limit is None else limit, what)
        except FileNotFoundError:
            self.problem(rel, f"{what} is missing")
            raise Stop from None
        self.report.stats.files += 1
        self.report.stats.bytes_hashed += len(data)
        return data

    def parse(self, rel: str, data: bytes, kind: type[Any]) -> Metadata[Any]:
        try:
            md: Metadata[Any] = Metadata.from_bytes(data)
        except Exception as exc:  # python-tuf raises several types for malformed input
            self.problem(rel, f"not valid TUF metadata ({exc})")
            raise Stop from None
        if not isinstance(md.signed, kind):
            self.problem(rel, f"holds {md.signed.type} metadata, expected {kind.__name__.lower()}")
            raise Stop
        return md

    def check_signed(
        self,
        rel: str,
        delegator: Metadata[Any],
        role: str,
        md: Metadata[Any],
        *,
        count: bool = True,
    ) -> bool:
        if count:  # roots are counted once, the newest only (see top_level)
            self.report.stats.signatures += len(md.signatures)
        try:
            delegator.verify_delegate(role, md, CANONICAL)
        except Exception as exc:
            self.problem(rel, f"signature check failed for role {role}: {exc}")
            return False
        return True

    def check_expiry(self, rel: str, md: Metadata[Any]) -> None:
        if md.signed.is_expired(self.now):
            self.problem(
                rel,
                f"expired at {md.signed.expires.isoformat()} (frozen metadata); the publisher "
                "must re-sign it (Registry.refresh / a new publish)",
            )

    def check_target(self, path: str, target: Any) -> bytes | None:
        rel = f"{layout.TARGETS}/{path}"
        if not all(layout.is_safe_filename(part) for part in path.split("/")):
            self.problem(rel, "unsafe target path (could escape the directory)")
            return None
        try:
            data = self.read(rel, limit=target.length)
        except Stop:
            return None
        try:
            target.verify_length_and_hashes(data)
        except Exception:
            self.problem(rel, "content does not match its length/sha256 in the signed metadata")
            return None
        return data
