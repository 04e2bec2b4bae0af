"""The evidence bundle: an in-toto Statement v1 (RFC 8785 bytes), a DOT graph, a summary."""

from __future__ import annotations

import platform
import shutil
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from certify.canonical import canonical_bytes
from certify.results import CheckResult
from connector_spec.errors import InputError, argument
from connector_spec.model import ConnectorSpec

HARNESS_NAME = "flows-certify"
HARNESS_VERSION = "0.1.0"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://flows.dev/certification/v1"
STATEMENT_FILE = "statement.json"
DOT_FILE = "connector.dot"
SUMMARY_FILE = "summary.md"
_PACKAGES = ("httpx", "pydantic", "rfc8785", "flows")


def environment() -> dict[str, Any]:
    """Python, platform and the versions of the packages certification depends on."""
    versions: dict[str, str] = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "python": platform.python_version(),
        "platform": f"{sys.platform}-{platform.machine()}",
        "packages": versions,
    }


def build_statement(
    spec: ConnectorSpec,
    *,
    spec_sha256: str,
    package: str,
    package_sha256: str,
    fixtures_sha256: str,
    checks: list[CheckResult],
    level: str,
    synthesized: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The in-toto Statement (``predicate.policy`` stays null: publishing fills it).

    ``synthesized`` lists the values certification made up for server variables without a
    default (``predicate.synthesized_variables``, present only when there are some).
    """
    summary = {s: sum(1 for c in checks if c.status == s) for s in ("passed", "failed", "skipped")}
    statement: dict[str, Any] = {
        "_type": STATEMENT_TYPE,
        "subject": [
            {"name": "connector.yaml", "digest": {"sha256": spec_sha256}},
            {"name": f"package:{package}", "digest": {"sha256": package_sha256}},
            {"name": "fixtures", "digest": {"sha256": fixtures_sha256}},
        ],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "harness": {"name": HARNESS_NAME, "version": HARNESS_VERSION},
            "connector": {"provider": spec.provider.name, "version": spec.provider.version},
            "checks": [c.to_json() for c in checks],
            "summary": summary,
            "level": level,
            "environment": environment(),
            "policy": None,
            "waivers": [{"rule": w.rule, "reason": w.reason} for w in spec.waivers],
        },
    }
    if synthesized:
        statement["predicate"]["synthesized_variables"] = list(synthesized)
    return statement


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(spec: ConnectorSpec, checks: list[CheckResult]) -> str:
    """Graphviz DOT: operations → capabilities and effects; failing operations in red."""
    failing = {c.operation for c in checks if c.failed}
    lines = [
        f"digraph {_dot_id(spec.provider.name)} {{",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
    ]
    for cap in spec.capabilities:
        lines.append(f"  {_dot_id('cap:' + cap.name)} [label={_dot_id(cap.name)}, shape=hexagon];")
        for implied in cap.implies:
            lines.append(
                f"  {_dot_id('cap:' + cap.name)} -> {_dot_id('cap:' + implied)} "
                '[style=dashed, label="implies"];'
            )
    for effect in sorted({op.effects for op in spec.operations}):
        lines.append(f"  {_dot_id('effect:' + effect)} [label={_dot_id(effect)}, shape=diamond];")
    for op in spec.operations:
        colour = "red" if op.id in failing else "darkgreen"
        label = f"{op.id}\\n{op.method} {op.path}"
        lines.append(f'  {_dot_id("op:" + op.id)} [label="{label}", shape=box, color={colour}];')
        lines.append(f"  {_dot_id('op:' + op.id)} -> {_dot_id('effect:' + op.effects)};")
        for cap_name in op.capabilities:
            lines.append(f"  {_dot_id('op:' + op.id)} -> {_dot_id('cap:' + cap_name)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_summary(spec: ConnectorSpec, statement: dict[str, Any]) -> str:
    """A Markdown summary: level, counts, failures, and a table per operation."""
    predicate = statement["predicate"]
    summary = predicate["summary"]
    checks = predicate["checks"]
    lines = [
        f"# Certification: {spec.provider.name} {spec.provider.version}",
        "",
        f"- level: **{predicate['level']}**",
        f"- checks: {summary['passed']} passed, {summary['failed']} failed, "
        f"{summary['skipped']} skipped",
        f"- harness: {predicate['harness']['name']} {predicate['harness']['version']}",
    ]
    described = predicate.get("provider_description")
    if isinstance(described, dict) and described.get("checked") is False:
        lines.append(
            f"- provider description: none checked, so the level is at most "
            f"**{described.get('level_cap')}** ({described.get('reason')})"
        )
    elif isinstance(described, dict):
        lines.append(
            f"- provider description: {described.get('title')} {described.get('version') or ''}"
            f" (`{described.get('source')}`, sha256 {str(described.get('sha256'))[:12]})"
        )
    made = predicate.get("synthesized_variables") or []
    if made:
        lines.append(
            "- base-URL variables without a default, certified with made-up values: "
            + ", ".join(f"`{v['name']}={v['value']}` ({v['from']})" for v in made)
        )
    lines.append("")
    failed = [c for c in checks if c["status"] == "failed"]
    if failed:
        lines += ["## Failures", ""]
        lines += [
            f"- `{c['id']}` ({c['operation'] or 'connector'}): {c['message']}" for c in failed
        ]
        lines.append("")
    lines += ["## Checks", "", "| check | operation | status | ms |", "|---|---|---|---|"]
    for c in checks:
        lines.append(
            f"| `{c['id']}` | {c['operation'] or '-'} | {c['status']} | {c['duration_ms']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def bundle_files(
    spec: ConnectorSpec, statement: dict[str, Any], checks: list[CheckResult]
) -> dict[str, bytes]:
    """The three evidence files by name."""
    return {
        STATEMENT_FILE: canonical_bytes(statement),
        DOT_FILE: render_dot(spec, checks).encode(),
        SUMMARY_FILE: render_summary(spec, statement).encode(),
    }


def write_bundle(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write the bundle all-or-nothing: stage in a sibling temp dir, then replace each file."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".evidence-", dir=out_dir))
    except OSError as exc:
        raise InputError(
            f"{out_dir}: cannot write the evidence bundle ({exc.strerror or exc})",
            hint=f"choose another {argument('out')} directory",
        ) from None
    written: list[Path] = []
    try:
        for name, content in files.items():
            (stage / name).write_bytes(content)
        for name in files:
            target = out_dir / name
            (stage / name).replace(target)
            written.append(target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return written
