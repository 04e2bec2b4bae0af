"""A registry's lifecycle: does one exist here, open it, create it (with its first key)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

from connector_spec.atomic import fsync_dir
from connector_spec.errors import argument
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
    """Opening and creating registries.

    Creation runs under the same lock as every write, builds the first metadata in a
    staging directory and moves it into place with one rename, so concurrent first
    publishes create the registry once and a crash leaves no half-made registry. A
    half-initialised one left by older versions is recreated when nothing was ever
    published into it, and refused (with what to do) otherwise.
    """

    @classmethod
    def exists_at(cls, root: str | Path) -> bool:
        """True when ``root`` holds a committed registry."""
        meta = Path(root) / layout.METADATA
        return (meta / layout.TIMESTAMP_FILE).is_file() and (
            Path(root) / layout.root_file(1)
        ).is_file()

    @classmethod
    def open(cls, root: str | Path, **kwargs: Any) -> Self:
        """Open an existing registry; raise when there is none at ``root``."""
        if not cls.exists_at(root):
            if _half_initialised(Path(root)):
                raise _half_initialised_error(Path(root))
            raise RegistryInputError(
                f"{root}: no registry here (no {layout.METADATA}/{layout.TIMESTAMP_FILE})",
                hint=f"create one with `flows registry init`, or give {argument('registry')}",
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
        if not registry._create_locked(signer, identities or [], sigstore_trusted_root):
            raise RegistryInputError(
                f"{root}: a registry already exists here", hint="use it, or pick another path"
            )
        return registry

    @classmethod
    def open_or_init(cls, root: str | Path, **kwargs: Any) -> Self:
        """Open the registry at ``root``, creating it (and a key) when missing.

        Safe to call from many processes at once: one creates, the others open.
        """
        opened = cls(root, **{k: v for k, v in kwargs.items() if k in OPEN_ARGS})
        if cls.exists_at(root):
            return opened
        init_args = {k: v for k, v in kwargs.items() if k not in OPEN_ARGS}
        opened._create_locked(
            init_args.get("signer"),
            init_args.get("identities") or [],
            init_args.get("sigstore_trusted_root"),
        )
        return opened

    def _create_locked(
        self, signer: Any | None, identities: list[dict[str, str]], trusted_root: bytes | None
    ) -> bool:
        """Create the registry under the writers' lock; ``False`` when one exists already.

        The key is loaded (or created) before anything is written into ``root``, so an
        unusable key file leaves ``root`` untouched.
        """
        if self.exists_at(self.root):
            return False
        if _half_initialised(self.root) and _holds_published_files(self.root):
            raise _half_initialised_error(self.root, published=True)
        if signer is None:
            signer = load_or_create_default_key(self.key_dir, notice=self.notice)
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock():
            if self.exists_at(self.root):
                return False
            if _half_initialised(self.root):
                if _holds_published_files(self.root):
                    raise _half_initialised_error(self.root, published=True)
                shutil.rmtree(self.root / layout.METADATA)
            self._create(signer, identities, trusted_root)
        return True

    def _create(
        self, signer: Any, identities: list[dict[str, str]], trusted_root: bytes | None
    ) -> None:
        """Write version 1 of every role into a staging directory, then rename it into place."""
        now = self.now()
        key: Key = signer.public_key
        staging = self.root / layout.STAGING / f"init-{uuid.uuid4().hex}"
        staging.mkdir(parents=True)
        policy = {"keys": {key.keyid: key.to_dict()}, "identities": identities}
        root_md = tm.new_root([key], now, policy=policy, name=self.root.name)
        layout.write_file_synced(staging / "1.root.json", tm.sign(root_md, [signer]))
        targets = tm.new_targets(now, [key.keyid])
        self._put_trust_file(targets.signed, trusted_root or sigstore_production_root())
        layout.write_file_synced(staging / "1.targets.json", tm.sign(targets, [signer]))
        snapshot = tm.new_snapshot(now)
        snapshot.signed.meta["targets.json"] = MetaFile(version=1)
        snap_bytes = tm.sign(snapshot, [signer])
        layout.write_file_synced(staging / "1.snapshot.json", snap_bytes)
        timestamp = tm.new_timestamp(now)
        timestamp.signed.snapshot_meta = tm.snapshot_meta(snap_bytes, 1)
        layout.write_file_synced(staging / layout.TIMESTAMP_FILE, tm.sign(timestamp, [signer]))
        fsync_dir(staging)
        os.rename(staging, self.root / layout.METADATA)  # <- the registry exists from here
        fsync_dir(self.root)
        shutil.rmtree(self.root / layout.STAGING, ignore_errors=True)


def _half_initialised(root: Path) -> bool:
    """True when ``root`` has a metadata directory but no complete first commit."""
    return (root / layout.METADATA).is_dir()


def _holds_published_files(root: Path) -> bool:
    """True when anything beyond the first commit's trust file was ever written."""
    log = root / layout.LOG
    if log.is_dir() and any(log.iterdir()):
        return True
    targets = root / layout.TARGETS
    return targets.is_dir() and any(p.name != layout.TRUST_DIR for p in targets.iterdir())


def _half_initialised_error(root: Path, *, published: bool = False) -> RegistryInputError:
    meta = root / layout.METADATA
    missing = [
        name
        for name in ("1.root.json", "1.targets.json", "1.snapshot.json", layout.TIMESTAMP_FILE)
        if not (meta / name).is_file()
    ]
    what = f"{root}: a half-initialised registry ({layout.METADATA}/ lacks {', '.join(missing)})"
    if published:
        return RegistryInputError(
            f"{what}, yet it holds published files ({layout.LOG}/ or {layout.TARGETS}/); "
            "nothing was changed",
            hint=f"restore {meta} from a backup of this registry, or move {root} away and "
            "publish into a new registry",
        )
    return RegistryInputError(
        f"{what}, left by an interrupted creation; nothing was ever published into it",
        hint="run `flows registry init` (or publish) again: it recreates the registry here",
    )
