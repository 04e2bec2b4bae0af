"""``flows registry ...``: init, verify, search, show, pull, yank, refresh and trust."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.options import JsonFlag, KeyDirOpt
from flows.cli.output import handles_errors, print_json, safe_markup, stdout_console

registry_app = typer.Typer(help="The signed, file-backed connector registry.", no_args_is_help=True)

RegistryOpt = Annotated[
    str | None,
    typer.Option(
        "--registry",
        help="Registry PATH or URL (file://, https://); default $FLOWS_REGISTRY or "
        ".flows/registry.",
    ),
]
TrustDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--trust-dir",
        help="Where verified metadata is remembered; default $FLOWS_TRUST_DIR or .flows/trusted.",
    ),
]
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


def _location(registry: str | None) -> str:
    from registry.client import default_registry

    return registry or default_registry()


def _local(registry: str | None) -> Path:
    from registry.client import local_path
    from registry.errors import RegistryInputError

    path = local_path(_location(registry))
    if path is None:
        raise RegistryInputError(
            "this command changes the registry and needs a local PATH, not a URL",
            hint="run it where the registry's files are, with --registry PATH",
        )
    return path


def _reader(registry: str | None, trust_dir: Path | None) -> Any:
    from registry.query import open_reader

    return open_reader(_location(registry), trust_dir=trust_dir)


@registry_app.command("init")
@handles_errors
def init(
    registry: RegistryOpt = None,
    key_dir: KeyDirOpt = None,
    identity: Annotated[
        list[str] | None,
        typer.Option(help="Trust keyless signatures by this identity (repeatable)."),
    ] = None,
    issuer: Annotated[str, typer.Option(help="OIDC issuer of --identity.")] = GITHUB_ISSUER,
    sigstore_trusted_root: Annotated[
        Path | None, typer.Option(help="Sigstore trusted_root.json (default: production).")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Create a registry and its signing key (kept outside the registry, mode 0600)."""
    from connector_spec.files import read_input_file
    from registry import Registry

    path = _local(registry)
    identities = [{"identity": i, "issuer": issuer} for i in identity or []]
    trusted = (
        read_input_file(sigstore_trusted_root, max_bytes=16 * 1024 * 1024)
        if sigstore_trusted_root
        else None
    )
    Registry.init(path, key_dir=key_dir, identities=identities, sigstore_trusted_root=trusted)
    if json_output:
        print_json({"ok": True, "registry": str(path)})
    else:
        stdout_console().print(f"created registry {path}")


@registry_app.command("verify")
@handles_errors
def verify(
    ref: Annotated[str | None, typer.Argument(help="NAME or NAME@VERSION; default all.")] = None,
    registry: RegistryOpt = None,
    trust_dir: TrustDirOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Check every signature, digest, metadata version and expiry, and the log."""
    from registry.layout import parse_ref

    name, version = parse_ref(ref) if ref else (None, None)
    report = _reader(registry, trust_dir).verify(name, version)
    if json_output:
        print_json(report.to_json())
        if not report.ok:
            raise typer.Exit(1)
        return
    report.raise_for_problems()
    count = sum(len(v) for v in report.connectors.values())
    stdout_console().print(
        f"[green]ok[/] {safe_markup(report.location)}: {len(report.connectors)} connectors, "
        f"{count} versions, {report.stats.signatures} signatures, {report.stats.files} files"
    )


@registry_app.command("search")
@handles_errors
def search(
    query: Annotated[str, typer.Argument(help="Text to look for in names and descriptions.")],
    registry: RegistryOpt = None,
    trust_dir: TrustDirOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Find connectors (the registry is verified first)."""
    from registry.query import search as run_search

    hits = run_search(_reader(registry, trust_dir), query)
    if json_output:
        print_json({"ok": True, "results": hits})
        return
    console = stdout_console()
    if not hits:
        console.print(f"no connector matches {safe_markup(repr(query))}")
    for hit in hits:
        flag = " [red](yanked)[/]" if hit["latest_yanked"] else ""
        also = f"  yanked: {', '.join(hit['yanked'])}" if hit["yanked"] else ""
        console.print(
            f"{safe_markup(hit['name'])}  {safe_markup(hit['latest'])}{flag}  "
            f"level={safe_markup(hit['level'])}{safe_markup(also)}"
        )


@registry_app.command("show")
@handles_errors
def show(
    ref: Annotated[str, typer.Argument(help="NAME or NAME@VERSION.")],
    registry: RegistryOpt = None,
    trust_dir: TrustDirOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Versions, certification level, checks, capabilities, signer and waivers."""
    from registry.layout import parse_ref
    from registry.query import show as run_show

    name, version = parse_ref(ref)
    result = run_show(_reader(registry, trust_dir), name, version)
    if json_output:
        print_json({"ok": True, **result.to_json()})
        return
    escape = safe_markup
    console = stdout_console()
    console.print(
        f"[bold]{escape(result.name)}@{escape(result.version)}[/]  level: {escape(result.level)}"
    )
    console.print(f"signed by: {escape(result.signer)}")
    console.print(f"digest: {escape(result.digest)}")
    if result.yanked:
        console.print(f"[red]yanked[/]: {escape(result.yanked.get('reason'))}")
    versions = ", ".join(
        v["version"] + (" (yanked)" if v["yanked"] else "") for v in result.versions
    )
    console.print(f"versions: {escape(versions)}")
    console.print(f"capabilities: {escape(', '.join(result.capabilities) or 'none')}")
    for check in result.checks:
        operation = f" [{check['operation']}]" if check.get("operation") else ""
        console.print(
            f"  check {escape(check.get('id'))}{escape(operation)}: {escape(check.get('status'))} "
            f"({escape(check.get('duration_ms'))} ms) {escape(check.get('message') or '')}"
        )
    for waiver in result.waivers:
        console.print(f"  waiver {escape(waiver.get('rule'))}: {escape(waiver.get('reason'))}")


@registry_app.command("pull")
@handles_errors
def pull(
    ref: Annotated[str, typer.Argument(help="NAME or NAME@VERSION (default: newest).")],
    to: Annotated[Path, typer.Option("--to", help="Directory to write the files into.")],
    registry: RegistryOpt = None,
    trust_dir: TrustDirOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Verify a connector version, then write its files into DIR (nothing on failure)."""
    from registry.layout import parse_ref
    from registry.query import pull as run_pull

    name, version = parse_ref(ref)
    info, written = run_pull(_reader(registry, trust_dir), name, version, to)
    if json_output:
        print_json(
            {"ok": True, "name": name, "version": info.version, "files": [str(p) for p in written]}
        )
        return
    stdout_console().print(
        f"pulled {name}@{safe_markup(info.version)} into {safe_markup(to)} ({len(written)} files)"
    )


@registry_app.command("yank")
@handles_errors
def yank(
    ref: Annotated[str, typer.Argument(help="NAME@VERSION to yank.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the log).")],
    registry: RegistryOpt = None,
    key_dir: KeyDirOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Mark a version as yanked (it is never deleted)."""
    from registry import Registry
    from registry.errors import RegistryInputError
    from registry.layout import parse_ref

    name, version = parse_ref(ref)
    if version is None:
        raise RegistryInputError("yank needs NAME@VERSION", hint="e.g. stripe@1.0.0")
    status = Registry.open(_local(registry), key_dir=key_dir).yank(name, version, reason)
    if json_output:
        print_json({"ok": True, "status": status, "name": name, "version": version})
    else:
        stdout_console().print(f"{status}: {name}@{version}")


@registry_app.command("refresh")
@handles_errors
def refresh(
    registry: RegistryOpt = None,
    key_dir: KeyDirOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Re-sign snapshot and timestamp so clients do not see frozen (expired) metadata."""
    from registry import Registry

    path = _local(registry)
    Registry.open(path, key_dir=key_dir).refresh()
    if json_output:
        print_json({"ok": True, "registry": str(path)})
    else:
        stdout_console().print(f"refreshed {path}; timestamp valid for 7 days")


@registry_app.command("trust")
@handles_errors
def trust(
    location: Annotated[
        str | None, typer.Argument(help="Registry PATH or URL; default --registry.")
    ] = None,
    reset: Annotated[
        bool,
        typer.Option(
            "--reset",
            help="Forget the pinned root and newest metadata of LOCATION; the next read "
            "trusts whatever it serves then (check with its publisher first).",
        ),
    ] = False,
    registry: RegistryOpt = None,
    trust_dir: TrustDirOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Show (or --reset) what this client pinned for a registry location on first use."""
    from registry.client import default_trust_dir, pinned_trust, reset_trust

    where = location or _location(registry)
    base = trust_dir or default_trust_dir()
    info = pinned_trust(base, where)
    if reset:
        forgot = reset_trust(base, where)
        if json_output:
            print_json({"ok": True, "location": info["location"], "reset": forgot})
        elif forgot:
            stdout_console().print(
                f"forgot the trust pinned for {safe_markup(info['location'])}; the next read "
                "trusts the registry served there on first use"
            )
        else:
            stdout_console().print(f"nothing pinned for {safe_markup(info['location'])}")
        return
    if json_output:
        print_json({"ok": True, **info})
    elif not info["pinned"]:
        stdout_console().print(f"nothing pinned for {safe_markup(info['location'])} yet")
    elif "damaged" in info:
        stdout_console().print(
            f"{safe_markup(info['location'])}: {safe_markup(info['damaged'])}; forget it with "
            f"`flows registry trust --reset {safe_markup(info['location'])}`"
        )
    else:
        stdout_console().print(
            f"{safe_markup(info['location'])}: root version {info['root_version']} "
            f"(keys {', '.join(k[:16] for k in info['root_keyids'])}), newest timestamp "
            f"version {info['timestamp_version']}; stored in {safe_markup(info['store'])}"
        )
