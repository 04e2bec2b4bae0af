"""Build a generated connector package into a wheel with its standard build backend.

The wheel is built from the freshly rendered files in a private temporary directory (never
from a working tree that may hold ``__pycache__`` or stray files), with hatchling's
reproducible mode, so the same spec always gives the same wheel bytes.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from connector_spec.codegen import GeneratedPackage
from connector_spec.errors import FlowsError

SOURCE_DATE_EPOCH = "1580601600"


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
    from build import BuildBackendException, ProjectBuilder

    with tempfile.TemporaryDirectory(prefix="flows-wheel-") as tmp:
        source = Path(tmp) / "src"
        for rel, content in generated.files.items():
            target = source / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (source / "connector.yaml").write_bytes(spec_bytes)
        out = Path(tmp) / "dist"
        env = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONDONTWRITEBYTECODE": "1"}

        def runner(
            cmd: Sequence[str],
            cwd: str | None = None,
            extra_environ: Mapping[str, str] | None = None,
        ) -> None:
            merged = {**os.environ, **env, **(extra_environ or {})}
            subprocess.run(list(cmd), cwd=cwd, env=merged, check=True, capture_output=True)

        try:
            builder = ProjectBuilder(source, runner=runner)
            path = Path(builder.build("wheel", out))
        except (BuildBackendException, OSError, subprocess.CalledProcessError) as exc:
            raise BuildFailed(f"building the wheel of {generated.package} failed: {exc}") from None
        return BuiltWheel(filename=path.name, content=path.read_bytes())
