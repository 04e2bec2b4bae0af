"""``certify_connector``: certify one connector spec and its generated package."""

from __future__ import annotations

import fnmatch
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from certify.canonical import sha256_hex, tree_digest
from certify.errors import CertifyInputError
from certify.evidence import build_statement, bundle_files, write_bundle
from certify.fixtures import Fixture, fixture_set_files, load_fixtures
from certify.harness import Harness, LogCapture
from certify.leaks import scan
from certify.matrix import Matrix
from certify.package import ImportedPackage, import_package_dir, import_rendered, read_package_files
from certify.provider import find_description, provider_checks
from certify.results import UNCHECKED_LEVEL, CheckResult, derive_level
from certify.servers import (
    SynthesizedVariable,
    certification_variables,
    check_base_urls,
    variables_for,
)
from connector_spec.codegen import GeneratedPackage, render_package
from connector_spec.errors import argument
from connector_spec.loader import LoadedSpec, load_spec
from connector_spec.model import ConnectorSpec

Progress = Callable[[CheckResult], None]


@dataclass
class CertificationResult:
    """Everything one certification run found, and its evidence."""

    spec_path: Path
    provider: str
    version: str
    checks: list[CheckResult]
    level: str
    statement: dict[str, Any]
    statement_bytes: bytes
    files: dict[str, bytes]
    scenarios: int = 0
    requests: int = 0
    matrix_seconds: float = 0.0
    seconds: float = 0.0
    written: list[Path] = field(default_factory=list)
    synthesized: list[SynthesizedVariable] = field(default_factory=list)
    provider_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """True when no check failed."""
        return not any(c.failed for c in self.checks)

    @property
    def failed(self) -> list[CheckResult]:
        """The failed checks."""
        return [c for c in self.checks if c.failed]

    def check(self, check_id: str, operation: str | None = None) -> CheckResult:
        """The result of ``check_id`` (for ``operation``); KeyError if it did not run."""
        for c in self.checks:
            if c.id == check_id and (operation is None or c.operation == operation):
                return c
        raise KeyError(check_id if operation is None else f"{check_id} ({operation})")

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write statement.json, connector.dot and summary.md to ``out_dir``."""
        self.written = write_bundle(Path(out_dir), self.files)
        return self.written

    def to_json(self) -> dict[str, Any]:
        """The machine-readable report (``--json``)."""
        return {
            "ok": self.passed,
            "provider": self.provider,
            "version": self.version,
            "level": self.level,
            "summary": self.statement["predicate"]["summary"],
            "scenarios": self.scenarios,
            "requests": self.requests,
            "seconds": round(self.seconds, 4),
            "checks": [c.to_json() for c in self.checks],
            "synthesized_variables": [v.to_json() for v in self.synthesized],
            "evidence": [str(p) for p in self.written],
        }


class _Selection:
    """``--only`` patterns: exact ids, prefixes (``contract``) or globs (``contract.*``)."""

    def __init__(self, patterns: Sequence[str] | None) -> None:
        self.patterns = list(patterns or [])
        self.used: set[str] = set()

    def __call__(self, check_id: str) -> bool:
        if not self.patterns:
            return True
        hit = False
        for pattern in self.patterns:
            if (
                check_id == pattern
                or check_id.startswith(pattern.rstrip(".") + ".")
                or fnmatch.fnmatchcase(check_id, pattern)
            ):
                self.used.add(pattern)
                hit = True
        return hit


def _timed(
    check_id: str, fn: Callable[[], str | None], selection: _Selection, progress: Progress | None
) -> CheckResult | None:
    if not selection(check_id):
        return None
    start = time.perf_counter()
    message = fn()
    result = CheckResult(
        check_id,
        None,
        "failed" if message else "passed",
        message or "",
        (time.perf_counter() - start) * 1000,
    )
    if progress is not None:
        progress(result)
    return result


def codegen_problem(
    loaded: LoadedSpec,
    first: GeneratedPackage,
    second: GeneratedPackage,
    connector_dir: Path,
    on_disk: dict[str, bytes] | None,
) -> str | None:
    """Why regenerating does not give the same bytes (``None`` when it does)."""
    if first.files != second.files:
        differing = sorted(
            p for p in {*first.files, *second.files} if first.files.get(p) != second.files.get(p)
        )
        return (
            "rendering the spec twice gave different bytes for "
            f"{', '.join(differing[:5])}: code generation is not deterministic"
        )
    if on_disk is None:
        return None
    changed = sorted(p for p in first.files if on_disk.get(p) != first.files[p])
    stale = sorted(p for p in on_disk if p not in first.files)
    if not changed and not stale:
        return None
    parts = []
    if changed:
        parts.append(
            f"{len(changed)} generated file(s) differ from what the spec generates "
            f"({', '.join(str(connector_dir / p) for p in changed[:5])})"
        )
    if stale:
        parts.append(
            f"{len(stale)} file(s) are not generated by the spec "
            f"({', '.join(str(connector_dir / p) for p in stale[:5])})"
        )
    return (
        "; ".join(parts) + f"; regenerate with 'flows generate connector {loaded.path}' "
        "and do not edit generated files"
    )


def manifest_problem(
    spec: ConnectorSpec, shipped: dict[str, Any], rendered: dict[str, Any]
) -> str | None:
    """Why the shipped manifest's capabilities do not cover each operation's effects."""
    if shipped != rendered:
        keys = sorted(k for k in {*shipped, *rendered} if shipped.get(k) != rendered.get(k))
        return (
            f"the shipped manifest differs from the spec in {', '.join(keys)}; "
            "regenerate the package"
        )
    declared = {c["name"]: c.get("implies", []) for c in shipped.get("capabilities", [])}
    for op in shipped.get("operations", []):
        caps = op.get("capabilities", [])
        unknown = [c for c in caps if c not in declared]
        if unknown:
            return (
                f"operation {op['id']} needs capability {unknown[0]!r}, which the manifest "
                "does not declare"
            )
        effects = op.get("effects")
        if effects in ("read", "write", "delete") and not caps:
            return (
                f"operation {op['id']} has effects {effects!r} but declares no capability; "
                "add one to its 'capabilities'"
            )
        if effects in ("write", "delete") and all(c.endswith(":read") for c in caps):
            return (
                f"operation {op['id']} has effects {effects!r} but only read capabilities "
                f"({', '.join(caps)}); it needs a write capability"
            )
    return None


def certify_connector(
    spec_path: str | Path,
    *,
    only: Sequence[str] | None = None,
    out: str | Path | None = None,
    connector_dir: str | Path | None = None,
    progress: Progress | None = None,
    openapi: str | Path | None = None,
    loaded: LoadedSpec | None = None,
    rendered: GeneratedPackage | None = None,
) -> CertificationResult:
    """Certify the connector of ``spec_path`` and return the result (and evidence).

    The package under test is the one generated next to the spec (``connector_dir``,
    default the spec's folder); when none is there, the rendered package is certified.
    ``only`` selects checks by id, prefix or glob. ``out`` writes the evidence bundle when
    every check passed (a failed run leaves earlier evidence untouched; call
    :meth:`CertificationResult.write` to keep the evidence of a failure). ``openapi`` is the
    provider's OpenAPI description to check the spec against (default: the spec's
    ``provider.openapi``); without one the level is at most ``self-consistent``.

    A caller that has already loaded the spec at ``spec_path`` (``loaded``) or rendered it
    once (``rendered``, e.g. for its wheel) passes them so that work is not done again;
    ``codegen.reproducible`` still compares that rendering with one made here.
    """
    started = time.perf_counter()
    loaded = load_spec(spec_path) if loaded is None else loaded
    spec = loaded.spec
    directory = Path(connector_dir) if connector_dir is not None else loaded.path.parent
    selection = _Selection(only)
    fixtures_dir = directory / "fixtures"
    fixtures = load_fixtures(fixtures_dir, {op.id for op in spec.operations})
    # variables without a default get made-up values; a base URL the client would refuse is
    # bad input located in the spec, found before anything runs
    synthesized = certification_variables(loaded)
    for fixture in fixtures:
        if fixture.environment is not None and fixture.environment not in spec.environments:
            raise CertifyInputError(
                f"{fixture.path or fixtures_dir}: environment {fixture.environment!r} is not "
                f"one of the spec's environments ({', '.join(spec.environments) or 'none'})",
                hint="name an environment declared under 'environments:' or drop 'environment'",
            )
    check_base_urls(
        loaded, synthesized, [None, *spec.environments, *(f.environment for f in fixtures)]
    )
    description, no_description = find_description(loaded, openapi)

    first = render_package(loaded) if rendered is None else rendered
    second = render_package(loaded)
    on_disk: dict[str, bytes] | None = None
    if (directory / first.package / "__init__.py").is_file():
        on_disk = read_package_files(directory, first.package)
        package: ImportedPackage = import_package_dir(directory / first.package, first.package)
        package_files = on_disk
    else:
        package = import_rendered(first.files, first.package)
        package_files = first.files

    checks: list[CheckResult] = []
    for early in (
        _timed(
            "codegen.reproducible",
            lambda: codegen_problem(loaded, first, second, directory, on_disk),
            selection,
            progress,
        ),
        _timed(
            "manifest.capabilities",
            lambda: manifest_problem(spec, package.root.manifest(), first.manifest),
            selection,
            progress,
        ),
    ):
        if early is not None:
            checks.append(early)

    capture = LogCapture()
    root = logging.getLogger()
    provider_logger = logging.getLogger(f"flows.connector.{spec.provider.name}")
    old_level = provider_logger.level
    root.addHandler(capture)
    provider_logger.setLevel(logging.DEBUG)
    harness = Harness(package, spec, lambda env: variables_for(loaded, synthesized, env))
    matrix_started = time.perf_counter()
    try:
        # the spec's base URLs were checked above: a client that still refuses its
        # configuration has a runtime fault, which fails the check it happens in
        matrix = Matrix(harness, spec, fixtures, selection, progress)
        checks += matrix.run_all()
        matrix_seconds = time.perf_counter() - matrix_started
        provider_started = time.perf_counter()
        checks += provider_checks(
            loaded,
            package,
            description,
            no_description,
            variables=variables_for(loaded, synthesized, None),
            selected=selection,
            progress=progress,
        )
        provider_seconds = time.perf_counter() - provider_started
    finally:
        root.removeHandler(capture)
        provider_logger.setLevel(old_level)
        harness.close()
        package.close()

    selection("secrets.no_leak")  # marks the patterns that select it as used
    unknown = [p for p in selection.patterns if p not in selection.used]
    if unknown:
        raise CertifyInputError(
            f"{argument('only')} {unknown[0]!r} matches no check of {spec.provider.name}",
            hint="use a check id (contract.auth_401), a prefix (contract) or a glob "
            "(idempotency.*); see docs/certify.md",
        )

    spec_sha = sha256_hex(loaded.raw)
    package_sha = tree_digest(
        {p: b for p, b in package_files.items() if p.startswith(first.package + "/")}
    )
    fixtures_sha = tree_digest(fixture_set_files(fixtures_dir))

    def assemble(all_checks: list[CheckResult]) -> tuple[dict[str, Any], dict[str, bytes]]:
        # a run restricted by --only proves too little to earn a level
        level = (
            "none"
            if selection.patterns
            else derive_level(all_checks, [op.id for op in spec.operations])
        )
        statement = build_statement(
            spec,
            spec_sha256=spec_sha,
            package=first.package,
            package_sha256=package_sha,
            fixtures_sha256=fixtures_sha,
            checks=all_checks,
            level=level,
            synthesized=[v.to_json() for v in synthesized],
        )
        statement["predicate"]["selection"] = list(selection.patterns) or None
        statement["predicate"]["provider_description"] = (
            description.to_json()
            if description is not None
            else {"checked": False, "reason": no_description, "level_cap": UNCHECKED_LEVEL}
        )
        return statement, bundle_files(spec, statement, all_checks)

    leak_start = time.perf_counter()
    if selection("secrets.no_leak"):
        leak_check = CheckResult("secrets.no_leak", None, "passed")
        statement, files = assemble([*checks, leak_check])
        problems = scan(spec, harness, capture.texts, matrix.exception_texts, fixtures, files)
        if problems:
            leak_check.status = "failed"
            leak_check.message = "; ".join(problems)
        leak_check.duration_ms = (time.perf_counter() - leak_start) * 1000
        checks.append(leak_check)
        if progress is not None:
            progress(leak_check)
    statement, files = assemble(checks)
    result = CertificationResult(
        spec_path=loaded.path,
        provider=spec.provider.name,
        version=spec.provider.version,
        checks=checks,
        level=statement["predicate"]["level"],
        statement=statement,
        statement_bytes=files["statement.json"],
        files=files,
        scenarios=matrix.scenarios,
        requests=len(harness.all_requests),
        matrix_seconds=matrix_seconds,
        seconds=time.perf_counter() - started,
        synthesized=synthesized,
        provider_seconds=provider_seconds,
    )
    if out is not None and result.passed:
        result.write(out)
    return result


def default_out_dir(spec_path: str | Path) -> Path:
    """``.flows/evidence/<provider>-<version>/`` for the spec at ``spec_path``."""
    spec = load_spec(spec_path).spec
    return Path(".flows") / "evidence" / f"{spec.provider.name}-{spec.provider.version}"


__all__ = ["CertificationResult", "Fixture", "certify_connector", "default_out_dir"]
