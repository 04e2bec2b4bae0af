"""Databases (Postgres, MySQL, Microsoft SQL, Redis, MongoDB) and hosts (Execute Command, SSH,
FTP/SFTP): typed steps with engine/protocol, operation, target, query and credential."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows.ir.model import CommandNode, DatabaseNode
from flows.n8n.expressions import translate_value
from flows.n8n.nodes.base import (
    BASE,
    Converted,
    Ctx,
    as_dict,
    common_fields,
    credential_of,
    documented_params,
    raw_param,
    short_type,
)

_ENGINES = {
    "postgres": "postgres",
    "mySql": "mysql",
    "microsoftSql": "mssql",
    "redis": "redis",
    "mongoDb": "mongodb",
}
# Where each engine keeps its target (table, collection or key) and its query.
_TABLE_KEYS = ("table", "collection", "key", "tableName")
_QUERY_KEYS = ("query", "pipeline")
_READ_OPS = ("select", "get", "find", "aggregate", "keys", "info", "pop")


def _effects(operation: str) -> str:
    lowered = operation.lower()
    if lowered.startswith(_READ_OPS) or lowered.startswith("findone"):
        return "read"
    if lowered.startswith("delete"):
        return "delete"
    if lowered in ("executequery", "execute"):
        return "unknown"
    return "write"


def _query_params(ctx: Ctx) -> list[Any]:
    """Postgres/MySQL ``options.queryReplacement``: values for $1, $2... (or ?)."""
    replacement = as_dict(ctx.params.get("options")).get("queryReplacement")
    if replacement in (None, ""):
        replacement = as_dict(ctx.params.get("additionalFields")).get("queryParams")
    if replacement in (None, ""):
        return []
    if isinstance(replacement, str) and not replacement.startswith("="):
        return [part.strip() for part in replacement.split(",") if part.strip()]
    value = translate_value(replacement)
    return value if isinstance(value, list) else [value]


def _database(ctx: Ctx) -> Converted:
    engine = _ENGINES[short_type(ctx.type)]
    operation = str(raw_param(ctx, "operation", "executeQuery"))
    table_key = next((k for k in _TABLE_KEYS if k in ctx.params), None)
    query_key = next((k for k in _QUERY_KEYS if k in ctx.params), None)
    skip = tuple(k for k in ("operation", table_key, query_key) if k)
    effects = _effects(operation)
    node = DatabaseNode(
        **common_fields(ctx),
        engine=engine,
        operation=operation,
        table=translate_value(ctx.params[table_key]) if table_key else None,
        query=translate_value(ctx.params[query_key]) if query_key else None,
        query_params=_query_params(ctx),
        params=documented_params(ctx, skip=skip),
        credential=credential_of(ctx),
        effects=effects,
        determinism="nondeterministic",
    )
    return Converted(node, "built-in")


def _command(ctx: Ctx) -> Converted:
    short = short_type(ctx.type)
    lost: list[str] = []
    if short == "executeCommand":
        protocol, operation = "local", "execute"
    elif short == "ssh":
        protocol = "ssh"
        resource = raw_param(ctx, "resource", "command")
        operation = str(raw_param(ctx, "operation", "execute"))
        if resource == "file":
            protocol = "sftp"
    else:
        protocol = "sftp" if raw_param(ctx, "protocol", "ftp") == "sftp" else "ftp"
        operation = str(raw_param(ctx, "operation", "download"))
    command = ctx.params.get("command")
    if operation == "execute":
        text = str(command or "")
        lines = text.count("\n") + 1 if text else 0
        lost.append(f"shell command kept opaque ({lines} line{'' if lines == 1 else 's'})")
    path = ctx.params.get("path", ctx.params.get("remotePath"))
    effects = {"download": "read", "list": "read", "delete": "delete"}.get(operation, "write")
    node = CommandNode(
        **common_fields(ctx),
        protocol=protocol,
        operation=operation,
        command=translate_value(command),
        path=translate_value(path),
        params=documented_params(ctx, skip=("command", "path", "operation")),
        credential=credential_of(ctx),
        effects="unknown" if operation == "execute" else effects,
        determinism="unknown" if operation == "execute" else "nondeterministic",
        flags=["opaque-code"] if operation == "execute" else [],
    )
    return Converted(node, "lossy" if lost else "built-in", lost)


CONVERTERS: dict[str, Callable[[Ctx], Converted]] = {
    **{BASE + name: _database for name in _ENGINES},
    BASE + "executeCommand": _command,
    BASE + "ssh": _command,
    BASE + "ftp": _command,
}
