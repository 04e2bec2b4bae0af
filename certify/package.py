"""Import a generated connector package under a unique module name (several at once)."""

from __future__ import annotations

import importlib.util
import itertools
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

_COUNTER = itertools.count(1)


@dataclass
class ImportedPackage:
    """A generated package imported as ``flows_certify_<n>_<package>``."""

    package: str
    module_name: str
    root: ModuleType
    directory: Path
    _tempdir: str | None = field(default=None, repr=False)

    def module(self, name: str) -> ModuleType:
        """A submodule, e.g. ``_runtime.errors`` or ``_config``."""
        return sys.modules[f"{self.module_name}.{name}"]

    @property
    def config(self) -> ModuleType:
        """The package's ``_config`` module."""
        return self.module("_config")

    @property
    def errors(self) -> ModuleType:
        """The package's own ``_runtime.errors`` module."""
        return self.module("_runtime.errors")

    def client_class(self) -> Any:
        """The synchronous client class (``StripeClient``)."""
        for name in getattr(self.root, "__all__", []):
            if name.endswith("Client") and not name.startswith("Async"):
                return getattr(self.root, name)
        raise LookupError(f"{self.package} exports no client class")

    def async_client_class(self) -> Any:
        """The asynchronous client class (``AsyncStripeClient``)."""
        for name in getattr(self.root, "__all__", []):
            if name.endswith("Client") and name.startswith("Async"):
                return getattr(self.root, name)
        raise LookupError(f"{self.package} exports no async client class")

    def close(self) -> None:
        """Forget the modules and remove the temporary copy, if any."""
        for name in [
            n for n in sys.modules if n == self.module_name or n.startswith(self.module_name + ".")
        ]:
            del sys.modules[name]
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    def __enter__(self) -> ImportedPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def import_package_dir(
    directory: Path, package: str, *, _tempdir: str | None = None
) -> ImportedPackage:
    """Import the package in ``directory`` (the folder holding ``__init__.py``)."""
    module_name = f"flows_certify_{next(_COUNTER)}_{package}"
    init = directory / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        module_name, init, submodule_search_locations=[str(directory)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {directory}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        for name in [n for n in sys.modules if n == module_name or n.startswith(module_name + ".")]:
            del sys.modules[name]
        raise
    return ImportedPackage(package, module_name, module, directory, _tempdir)


def import_rendered(files: Mapping[str, bytes], package: str) -> ImportedPackage:
    """Write rendered package files to a temporary directory and import them."""
    tempdir = tempfile.mkdtemp(prefix="flows-certify-")
    root = Path(tempdir)
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    try:
        return import_package_dir(root / package, package, _tempdir=tempdir)
    except BaseException:
        shutil.rmtree(tempdir, ignore_errors=True)
        raise


def read_package_files(connector_dir: Path, package: str) -> dict[str, bytes]:
    """The files of an on-disk package, by path relative to the connector directory."""
    found: dict[str, bytes] = {}
    for name in ("pyproject.toml", "README.md"):
        beside = connector_dir / name
        if beside.is_file():
            found[name] = beside.read_bytes()
    base = connector_dir / package
    for path in sorted(base.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        found[path.relative_to(connector_dir).as_posix()] = path.read_bytes()
    return found
