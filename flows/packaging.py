"""Build a generated connector package into a wheel with its standard build backend.

The wheel is built from the freshly rendered files in a private temporary directory (never
from a working tree that may hold ``__pycache__`` or stray files), with hatchling's
reproducible mode, so the same spec always gives the same wheel bytes.

When the package's build backend is hatchling (what codegen writes), hatchling's wheel
builder runs in this process: the same builder with the same inputs and the same
``SOURCE_DATE_EPOCH`` gives the same bytes as the PEP 517 subprocess, without starting a
Python per wheel (a farm builds thousands). Any other backend goes through ``build``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from connector_spec.codegen import GeneratedPackage
from connector_spec.errors import FlowsError

SOURCE_DATE_EPOCH = "1580601600"
HATCHLING = "hatchling.build"


class BuildFailed(FlowsError):
    """The build backend could not build the generated package."""

    exit_code = 1


@dataclass(frozen=True)
class BuiltWheel:
    """A built distribution."""

    filename: str
    content: bytes


def build_wheel(generated: GeneratedPackage, spec_bytes: bytes) -> BuiltWheel:
    """Build ``generated`` (plus its spec) into a wheel and return its bytes."""
    with tempfile.TemporaryDirectory(prefix="flows-wheel-") as tmp:
        source = Path(tmp) / "src"
        for rel, content in generated.files.items():
            target = source / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (source / "connector.yaml").write_bytes(spec_bytes)
        out = Path(tmp) / "dist"
        try:
            if build_backend(generated) == HATCHLING:
                path = _build_with_hatchling(source, out)
            else:
                path = _build_with_frontend(source, out)
        except BuildFailed:
            raise
        except Exception as exc:  # the backend's own errors: the package cannot be built
            raise BuildFailed(
                f"building the wheel of {generated.package} failed: {type(exc).__name__}: {exc}"
            ) from None
        return BuiltWheel(filename=path.name, content=path.read_bytes())


def build_backend(generated: GeneratedPackage) -> str | None:
    """The ``build-system.build-backend`` of the generated ``pyproject.toml``, if any."""
    data = generated.files.get("pyproject.toml")
    if data is None:
        return None
    try:
        backend = tomllib.loads(data.decode("utf-8")).get("build-system", {}).get("build-backend")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return backend if isinstance(backend, str) else None


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` set, restored afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


_BUILD_ENV = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONDONTWRITEBYTECODE": "1"}


def _build_with_hatchling(source: Path, out: Path) -> Path:
    """What ``hatchling.build.build_wheel`` does, for the project at ``source``."""
    from hatchling.builders.wheel import WheelBuilder

    with _environment(_BUILD_ENV):
        built = list(WheelBuilder(str(source)).build(directory=str(out), versions=["standard"]))
    if len(built) != 1:
        raise BuildFailed(f"hatchling built {len(built)} wheels from {source}, not one")
    return Path(built[0])


def _build_with_frontend(source: Path, out: Path) -> Path:
    """A PEP 517 build through ``build`` (the backend runs in a subprocess)."""
    from build import BuildBackendException, ProjectBuilder

    def runner(
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        merged = {**os.environ, **_BUILD_ENV, **(extra_environ or {})}
        subprocess.run(list(cmd), cwd=cwd, env=merged, check=True, capture_output=True)

    try:
        return Path(ProjectBuilder(source, runner=runner).build("wheel", out))
    except BuildBackendException as exc:
        raise RuntimeError(str(exc)) from None
