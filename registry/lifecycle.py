"""A registry's lifecycle: does one exist here, open it, create it (with its first key)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

from registry import layout
from registry import tuf_metadata as tm
from registry.errors import RegistryInputError
from registry.keys import load_or_create_default_key
from registry.records import Clock, utcnow
from registry.tuf_metadata import Key, MetaFile
from registry.writes import RegistryWrites

OPEN_ARGS = {"key_dir", "now", "notice"}


def sigstore_production_root() -> bytes:
    """The production Sigstore trusted root shipped inside sigstore-python."""
    from importlib.resources import files

    store = files("sigstore") / "_store" / "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev"
    return (store / "trusted_root.json").read_bytes()


class RegistryLifecycle(RegistryWrites):
    """Opening and creating registries."""

    @classmethod
    def exists_at(cls, root: str | Path) -> bool:
        """True when ``root`` holds a committed registry."""
        return (Path(root) / layout.METADATA / layout.TIMESTAMP_FILE).is_file()

    @classmethod
    def open(cls, root: str | Path, **kwargs: Any) -> Self:
        """Open an existing registry; raise when there is none at ``root``."""
        if not cls.exists_at(root):
            raise RegistryInputError(
                f"{root}: no registry here (no {layout.METADATA}/{layout.TIMESTAMP_FILE})",
                hint="create one with `flows registry init`, or pass --registry PATH",
            )
        return cls(root, **kwargs)

    @classmethod
    def init(
        cls,
        root: str | Path,
        *,
        key_dir: Path | None = None,
        signer: Any | None = None,
        identities: list[dict[str, str]] | None = None,
        sigstore_trusted_root: bytes | None = None,
        now: Clock = utcnow,
        notice: Callable[[str], None] | None = None,
    ) -> Self:
        """Create a registry at ``root`` signed by ``signer`` (default: the default key)."""
        registry = cls(root, key_dir=key_dir, now=now, notice=notice)
        if cls.exists_at(root):
            raise RegistryInputError(
                f"{root}: a registry already exists here", hint="use it, or pick another path"
            )
        if signer is None:
            signer = load_or_create_default_key(key_dir, notice=registry.notice)
        registry._create(signer, identities or [], sigstore_trusted_root)
        return registry

    @classmethod
    def open_or_init(cls, root: str | Path, **kwargs: Any) -> Self:
        """Open the registry at ``root``, creating it (and a key) when missing."""
        if cls.exists_at(root):
            return cls(root, **{k: v for k, v in kwargs.items() if k in OPEN_ARGS})
        return cls.init(root, **kwargs)

    def _create(
        self, signer: Any, identities: list[dict[str, str]], trusted_root: bytes | None
    ) -> None:
        now = self.now()
        key: Key = signer.public_key
        meta = self.root / layout.METADATA
        if meta.exists():  # leftovers of an interrupted init
            shutil.rmtree(meta)
        meta.mkdir(parents=True)
        policy = {"keys": {key.keyid: key.to_dict()}, "identities": identities}
        root_md = tm.new_root([key], now, policy=policy, name=self.root.name)
        root_bytes = tm.sign(root_md, [signer])
        layout.atomic_write(meta / "1.root.json", root_bytes)
        targets = tm.new_targets(now, [key.keyid])
        self._put_trust_file(targets.signed, trusted_root or sigstore_production_root())
        self._write_role(targets, "targets", [signer])
        snapshot = tm.new_snapshot(now)
        snapshot.signed.meta["targets.json"] = MetaFile(version=1)
        snap_bytes = tm.sign(snapshot, [signer])
        layout.atomic_write(meta / "1.snapshot.json", snap_bytes)
        timestamp = tm.new_timestamp(now)
        timestamp.signed.snapshot_meta = tm.snapshot_meta(snap_bytes, 1)
        layout.atomic_write(meta / layout.TIMESTAMP_FILE, tm.sign(timestamp, [signer]))
