"""Helpers for the package-index and catalog tests: tiny real wheels, a loopback server."""

from __future__ import annotations

import functools
import io
import os
import subprocess
import sys
import sysconfig
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from registry import Publication
from tests.registry.helpers import spec_bytes, statement


def tiny_wheel(name: str, version: str, requires_python: str = ">=3.11") -> tuple[str, bytes]:
    """A small valid wheel of ``flows-connector-<name>`` (a module and its dist-info)."""
    dist = f"flows_connector_{name.replace('-', '_')}"
    info = f"{dist}-{version}.dist-info"
    metadata = (
        f"Metadata-Version: 2.1\nName: flows-connector-{name}\nVersion: {version}\n"
        f"Requires-Python: {requires_python}\n\n"
    )
    buffer = io.BytesIO()
    members = {
        f"{dist}/__init__.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n",
        f"{info}/RECORD": "",
    }
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, text in members.items():  # fixed times: the same wheel bytes every time
            archive.writestr(zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0)), text)
    return f"{dist}-{version}-py3-none-any.whl", buffer.getvalue()


def wheel_publication(name: str = "stripe", version: str = "1.0.0", **kw: object) -> Publication:
    """A publication of ``name@version`` with a tiny real wheel and a connector graph."""
    filename, wheel = tiny_wheel(name, version)
    return Publication(
        name=name,
        version=version,
        spec_bytes=spec_bytes(name, version),
        wheel_filename=filename,
        wheel_bytes=wheel,
        statement=statement(name, version),
        extra_files={"connector.dot": b"digraph g { a -> b; }\n", **kw},  # type: ignore[dict-item]
    )


class _Quiet(SimpleHTTPRequestHandler):
    requests: list[str]

    def log_message(self, format: str, *args: object) -> None:
        self.requests.append(self.path)


@contextmanager
def serve(root: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``root`` with ``http.server`` on 127.0.0.1; yield its URL and the paths asked for."""
    seen: list[str] = []
    handler = type("Handler", (_Quiet,), {"requests": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def fresh_venv(path: Path) -> Path:
    """A new virtual environment that sees this one's packages (httpx, pydantic) but not its
    connectors; returns its python. No package is downloaded to make it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    mine = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (Path(purelib) / "_flows_test_parent.pth").write_text("\n".join(sorted(mine)) + "\n")
    return python


def pip_env() -> dict[str, str]:
    """The environment for pip: no user or site configuration, no extra indexes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        UV_NO_CONFIG="1",
        UV_OFFLINE="0",
    )
    return env


def pip(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real pip (this environment's) against the environment of ``python``."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-cache-dir", *args],
        capture_output=True,
        text=True,
        env=pip_env(),
        timeout=300,
        check=False,
    )


def installed_version(python: Path, project: str) -> str:
    """The version of ``project`` installed in the environment of ``python``."""
    done = subprocess.run(
        [str(python), "-c", f"import importlib.metadata as m; print(m.version({project!r}))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()
