"""Write a generated package to disk: all-or-nothing, only changed files, stale files removed."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_spec.codegen.generator import GeneratedPackage, render_package
from connector_spec.errors import InputError, argument
from connector_spec.loader import load_spec


@dataclass
class GenerationResult:
    """What ``flows generate connector`` did."""

    package: str
    out_dir: Path
    files: list[str]
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def up_to_date(self) -> bool:
        """True when the files on disk already matched."""
        return not self.changed and not self.removed

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "ok": True,
            "package": self.package,
            "out_dir": str(self.out_dir),
            "files": self.files,
            "changed": self.changed,
            "removed": self.removed,
            "up_to_date": self.up_to_date,
            "seconds": round(self.seconds, 4),
        }


def _differences(generated: GeneratedPackage, out_dir: Path) -> tuple[list[str], list[str]]:
    changed = []
    for rel, content in generated.files.items():
        target = out_dir / rel
        try:
            if target.read_bytes() == content:
                continue
        except OSError:
            pass
        changed.append(rel)
    stale: list[str] = []
    package_dir = out_dir / generated.package
    if package_dir.is_dir():
        for path in sorted(package_dir.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            rel = path.relative_to(out_dir).as_posix()
            if rel not in generated.files:
                stale.append(rel)
    return changed, stale


def _check_writable(out_dir: Path) -> None:
    probe = out_dir
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise InputError(f"{probe}: output path exists and is not a directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(
            f"{out_dir}: output directory is not writable; nothing was written",
            hint=f"choose another {argument('out')} directory or fix its permissions",
        )


def write_package(generated: GeneratedPackage, out_dir: Path) -> tuple[list[str], list[str]]:
    """Write the changed files (via temp files and renames) and remove stale ones."""
    changed, stale = _differences(generated, out_dir)
    if not changed and not stale:
        return changed, stale
    _check_writable(out_dir)
    staged: list[tuple[Path, Path]] = []
    try:
        for rel in changed:
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(prefix=".flows-", dir=target.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write(generated.files[rel])
            os.chmod(temp_name, 0o644)
            staged.append((Path(temp_name), target))
    except OSError as exc:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise InputError(
            f"{out_dir}: cannot write generated files ({exc.strerror}); nothing was written",
            hint="check free space and permissions of the output directory",
        ) from None
    for temp, target in staged:
        os.replace(temp, target)
    for rel in stale:
        (out_dir / rel).unlink(missing_ok=True)
    return changed, stale


def generate_to_directory(
    spec_path: str | Path, out: str | Path | None = None, *, check: bool = False
) -> GenerationResult:
    """Generate the package of ``spec_path`` into ``out`` (default: the spec's directory).

    With ``check``, nothing is written; the result says which files would change.
    """
    started = time.perf_counter()
    loaded = load_spec(spec_path)
    generated = render_package(loaded)
    out_dir = Path(out) if out is not None else Path(spec_path).parent
    if check:
        changed, stale = _differences(generated, out_dir)
    else:
        changed, stale = write_package(generated, out_dir)
    return GenerationResult(
        package=generated.package,
        out_dir=out_dir,
        files=sorted(generated.files),
        changed=changed,
        removed=stale,
        seconds=time.perf_counter() - started,
    )
