"""Translate n8n expressions into structured references.

n8n marks an expression by a leading ``=``; ``{{ ... }}`` segments hold JavaScript. The
segments this module understands become :class:`~flows.ir.model.Ref` values:

- ``$json.x``, ``$json["x"]``                    -> ``input.item.x``
- ``$input.item.json.x``, ``$input.first().json.x``, ``$input.last()``, ``$input.all()``
- ``$('Node').item.json.x`` (also ``.first()``, ``.last()``, ``.all()``) -> ``nodes.Node.output...``
- ``$node["Node"].json.x``                        -> ``nodes.Node.output.item.x``

Anything else is kept verbatim as :class:`~flows.ir.model.Js` (flagged as untranslated).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flows.ir.model import FromAi, Js, Ref, Template

_IDENT = r"[A-Za-z_$][\w$]*"
_QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
_ACCESSOR = re.compile(rf"\s*(?:\??\.\s*({_IDENT})|\??\.?\[\s*(?:(\d+)|({_QUOTED}))\s*\])")
_SCOPE = r"(?:\.\s*(item|first\(\s*\)|last\(\s*\)|all\(\s*\)))"

_ROOTS: list[tuple[str, re.Pattern[str]]] = [
    ("json", re.compile(r"\$json\b")),
    ("input", re.compile(rf"\$input{_SCOPE}")),
    ("node_fn", re.compile(rf"\$\(\s*({_QUOTED})\s*\){_SCOPE}")),
    ("node_legacy", re.compile(rf"\$node\s*\[\s*({_QUOTED})\s*\]")),
    ("node_legacy_dot", re.compile(rf"\$node\s*\.\s*({_IDENT})")),
]
_ARG = _QUOTED + r"|`(?:[^`\\$]|\\.)*`"  # $fromAI's strings may also be plain template literals
_FROM_AI = re.compile(
    # n8n prefixes the placeholders it writes itself with this comment
    r"^(?:/\*\s*n8n-auto-generated-fromAI-override\s*\*/\s*)?"
    rf"\$fromai\(\s*({_ARG})\s*(?:,\s*({_ARG})\s*(?:,\s*({_ARG})\s*(?:,(.*))?)?)?"
    r"\)$",  # greedy default: one backtrack to the final ')' (no quadratic search)
    re.IGNORECASE | re.DOTALL,
)
_FROM_AI_TYPES = ("string", "number", "boolean", "json")
_SEGMENT = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def _scope_of(word: str) -> str:
    return word.split("(")[0].strip()


def _format_path(path: list[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][\w]*", part):
            out += f".{part}"
        else:
            out += "[" + repr(part).replace("'", '"') + "]"
    return out


def _node_text(name: str) -> str:
    if re.fullmatch(r"[A-Za-z_][\w]*", name):
        return f"nodes.{name}"
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'nodes["{escaped}"]'


def _make_ref(node: str | None, scope: str, path: list[str | int]) -> Ref:
    base = _node_text(node) + ".output" if node is not None else "input"
    scope_text = {"item": ".item", "items": ".items", "first": ".items[0]", "last": ".items[-1]"}
    return Ref(
        ref=base + scope_text[scope] + _format_path(path),
        node=node,
        scope=scope,
        path=path,
    )


def _from_ai(text: str) -> FromAi | None:
    """``$fromAI('key', 'description', 'type', default)`` as a :class:`FromAi`, else None."""
    match = _FROM_AI.match(text)
    if match is None:
        return None
    key, description, kind, default = match.groups()
    default = default.strip() if default else None
    kind_text = _unquote(kind).lower() if kind else "string"
    value: str | int | float | bool | None = None
    if default:
        quoted = '"' + default[1:-1] + '"' if default.startswith("'") else default
        try:
            parsed = json.loads(quoted)
        except ValueError:
            return None  # a default that is JavaScript, not a literal: not a plain placeholder
        if isinstance(parsed, float) and not math.isfinite(parsed):
            parsed = default  # 1e999, NaN: kept as the text (JSON has no such number)
        value = parsed if isinstance(parsed, str | int | float | bool) else json.dumps(parsed)
    return FromAi(
        from_ai=_unquote(key),
        description=_unquote(description) if description else "",
        type=kind_text if kind_text in _FROM_AI_TYPES else "string",
        default=value,
    )


def translate_segment(code: str) -> Ref | Js | FromAi:
    """Translate one ``{{ }}`` body; :class:`Js` when it is not a plain reference."""
    text = code.strip()
    from_ai = _from_ai(text)
    if from_ai is not None:
        return from_ai
    for kind, pattern in _ROOTS:
        match = pattern.match(text)
        if match is None:
            continue
        pos = match.end()
        node: str | None = None
        scope = "item"
        needs_json = False
        if kind == "input":
            scope = _scope_of(match.group(1))
            needs_json = scope != "all"
        elif kind == "node_fn":
            node = _unquote(match.group(1))
            scope = _scope_of(match.group(2))
            needs_json = scope != "all"
        elif kind in ("node_legacy", "node_legacy_dot"):
            raw = match.group(1)
            node = _unquote(raw) if kind == "node_legacy" else raw
            needs_json = True
        if scope == "all":
            scope = "items"
        path: list[str | int] = []
        first = True
        while pos < len(text):
            acc = _ACCESSOR.match(text, pos)
            if acc is None:
                return Js(js=code.strip())
            ident, index, quoted = acc.groups()
            part: str | int = (
                ident
                if ident is not None
                else int(index)
                if index is not None
                else _unquote(quoted)
            )
            pos = acc.end()
            if first and needs_json:
                first = False
                if part == "json":
                    continue
                return Js(js=code.strip())
            first = False
            path.append(part)
        # (``$input.item`` / ``$('X').item`` without ``.json`` is the whole item.)
        return _make_ref(node, scope, path)
    return Js(js=code.strip())


def translate_value(value: Any) -> Any:
    """Translate one n8n parameter value (recursively for lists and mappings)."""
    if isinstance(value, str):
        if not value.startswith("="):
            return value
        body = value[1:]
        parts: list[str | Ref | Js | FromAi] = []
        pos = 0
        for match in _SEGMENT.finditer(body):
            if match.start() > pos:
                parts.append(body[pos : match.start()])
            parts.append(translate_segment(match.group(1)))
            pos = match.end()
        if pos < len(body):
            parts.append(body[pos:])
        if not any(isinstance(p, Ref | Js | FromAi) for p in parts):
            return body
        if len(parts) == 1:
            return parts[0]
        return Template(template=parts)
    if isinstance(value, list):
        return [translate_value(v) for v in value]
    if isinstance(value, dict):
        if value.get("__rl") is True and "value" in value:
            # an n8n resource locator: only the value matters outside n8n's editor
            return translate_value(value["value"])
        return {str(k): translate_value(v) for k, v in value.items()}
    return value
