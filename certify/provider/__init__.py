"""Provider conformance: is the spec true to the provider's own OpenAPI description?

``contract.provider.description`` (connector) says what was checked, or why nothing was
(then the level is capped at ``self-consistent``). Per operation:

- ``operation``: the description has no operation with this method and path;
- ``params``: a parameter's name, location, type or required-ness disagrees;
- ``body``: the body's encoding, required fields or field types disagree;
- ``response``: the spec's response schema refuses a response the provider describes;
- ``requests``: a request the sync or async client builds does not validate;
- ``responses``: a body made from the provider's examples or schemas does not decode.

Each disagreement is located at the spec's ``file:line:col`` and the description's JSON
pointer, with a hint. A disagreement the spec lists under ``provider.openapi.accepted``
(operation and pointer, with a reason) is reported but does not fail the check.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from certify.package import ImportedPackage
from certify.provider.dynamic import DynamicChecks, Runner
from certify.provider.match import match_operations
from certify.provider.source import ProviderDescription, find_description
from certify.provider.static import Disagreement, StaticChecks
from certify.provider.wire import Validators
from certify.results import CheckResult
from connector_spec.loader import LoadedSpec
from connector_spec.yaml_source import Loc, SourceMap, parse_yaml

__all__ = ["CHECKS", "ProviderDescription", "find_description", "provider_checks"]

CHECKS = ("operation", "params", "body", "response", "requests", "responses")
PREFIX = "contract.provider."


def _accepted(description: ProviderDescription, item: Disagreement) -> str | None:
    for entry in description.accepted:
        if entry.operation == item.operation and any(
            p == entry.pointer or p.startswith(entry.pointer + "/") for p in item.pointers()
        ):
            return entry.reason
    return None


def provider_checks(
    loaded: LoadedSpec,
    package: ImportedPackage,
    description: ProviderDescription | None,
    reason: str,
    *,
    variables: dict[str, str] | None,
    selected: Callable[[str], bool],
    progress: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Every selected ``contract.provider.*`` check of ``loaded`` against ``description``."""
    results: list[CheckResult] = []

    def emit(result: CheckResult) -> None:
        results.append(result)
        if progress is not None:
            progress(result)

    start = time.perf_counter()
    if description is None:
        if selected(PREFIX + "description"):
            emit(CheckResult(PREFIX + "description", None, "skipped", reason))
        return results
    spec = loaded.spec
    source_maps: list[SourceMap] = []  # parsed when a disagreement is first located

    def position_of(loc: Loc) -> tuple[int, int] | None:
        if not source_maps:
            source_maps.append(parse_yaml(loaded.raw, str(loaded.path)).source_map)
        return source_maps[0].position(loc)

    found: dict[tuple[str, str], list[str]] = {}
    accepted: dict[tuple[str, str], list[str]] = {}

    def note(item: Disagreement) -> None:
        """File ``item`` as a failure, or as an accepted note (located by the file's name
        only: a passing check's evidence must not depend on where the spec was certified)."""
        why = _accepted(description, item)
        position = position_of(item.spec_loc)
        name = str(loaded.path) if why is None else loaded.path.name
        place = f"{name}:{position[0]}:{position[1]}" if position else name
        text = f"{place}: {item.operation}: {item.message} [provider {item.pointer}]"
        text += f" (hint: {item.hint})" if item.hint else ""
        if why is None:
            found.setdefault((item.operation, item.check), []).append(text)
        else:
            accepted.setdefault((item.operation, item.check), []).append(
                f"{text} (accepted: {why})"
            )

    matches, unmatched = match_operations(spec, description.document)
    static = StaticChecks(spec, description.document)
    for index, op in unmatched:
        static.missing(index, op)
    for match in matches:
        static.compare(match)
    for item in static.found:
        note(item)
    static_ms = (time.perf_counter() - start) * 1000
    description_result = CheckResult(
        PREFIX + "description",
        None,
        "passed",
        f"checked against {description.shown} ({description.document.title} "
        f"{description.document.api_version or ''}, sha256 {description.sha256[:12]}): "
        f"{len(matches)} of {len(spec.operations)} operation(s) found",
        static_ms,
    )
    if selected(PREFIX + "description"):
        emit(description_result)

    validators = Validators(description.document)
    runner = Runner(package, spec, variables)
    dynamic = DynamicChecks(runner, spec, validators)
    by_id = {m.operation.id: m for m in matches}
    try:
        for index, op in enumerate(spec.operations):
            found_match = by_id.get(op.id)
            for check in CHECKS:
                check_id = PREFIX + check
                if not selected(check_id):
                    continue
                began = time.perf_counter()
                if found_match is not None and check in ("requests", "responses"):
                    problems = (
                        dynamic.requests(found_match)
                        if check == "requests"
                        else dynamic.responses(found_match)
                    )
                    for problem in problems:
                        location = ("operations", index)
                        note(
                            Disagreement(
                                check, op.id, location, problem.pointer, problem.message, ""
                            )
                        )
                status = "passed"
                lines = found.get((op.id, check), [])
                if found_match is None and check != "operation":
                    status, lines = "skipped", [f"{op.id} is not in the provider's description"]
                elif lines:
                    status = "failed"
                notes = accepted.get((op.id, check), [])
                message = "; ".join(lines + notes)
                emit(
                    CheckResult(
                        check_id,
                        op.id,
                        status,  # type: ignore[arg-type]
                        message,
                        (time.perf_counter() - began) * 1000,
                    )
                )
    finally:
        runner.close()
    return results
