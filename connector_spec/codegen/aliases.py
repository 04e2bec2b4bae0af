"""Module-level order of generated type aliases; recursive ones become lazy ``TypeAliasType``."""

from __future__ import annotations

import re

from connector_spec.codegen.models import AliasDef, call_lines, pystr


def order_aliases(aliases: list[AliasDef]) -> list[AliasDef]:
    """Non-enum aliases in an order where each is defined before another uses it.

    Model classes are defined before these aliases and resolve their own annotations lazily,
    so only alias-to-alias uses matter. An alias that uses itself through other aliases (a
    recursive schema such as ``Json = dict[str, Json] | list[Json] | str``) becomes a lazily
    evaluated ``TypeAliasType``; pure ``$ref`` cycles never get here (the rules refuse them).
    """
    others = [a for a in aliases if not a.is_literal]
    names = {a.name for a in others}
    uses = {
        a.name: set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", a.expr or "")) & names for a in others
    }
    recursive = {name for name in names if name in _reachable(name, uses)}
    done: set[str] = set()
    ordered: list[AliasDef] = []
    pending = list(others)
    while pending:
        ready = [a for a in pending if (uses[a.name] - recursive - {a.name}) <= done]
        if not ready:  # only recursive aliases left waiting on each other: all are lazy
            ready = pending
        for alias in ready:
            pending.remove(alias)
            done.add(alias.name)
            ordered.append(_lazy(alias) if alias.name in recursive else alias)
    return ordered


def _reachable(start: str, uses: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(uses.get(start, ()))
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(uses.get(name, ()))
    return seen


def _lazy(alias: AliasDef) -> AliasDef:
    head = f"{alias.name} = TypeAliasType"
    args = [pystr(alias.name), pystr(alias.expr or "Any")]
    return AliasDef(alias.name, call_lines(head, args, ""), alias.expr)
