"""Code generation: a ConnectorSpec becomes a typed, self-contained client package.

from connector_spec.codegen import render_package, generate_to_directory
"""

from connector_spec.codegen.generator import (
    GENERATOR_VERSION,
    GeneratedPackage,
    build_manifest,
    hosts,
    render_package,
    runtime_files,
)
from connector_spec.codegen.writer import GenerationResult, generate_to_directory, write_package

__all__ = [
    "GENERATOR_VERSION",
    "GeneratedPackage",
    "GenerationResult",
    "build_manifest",
    "generate_to_directory",
    "hosts",
    "render_package",
    "runtime_files",
    "write_package",
]
