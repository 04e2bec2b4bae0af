"""Capabilities of a generated spec: one hierarchy per provider, assigned by effects.

Every resource gets ``<provider>.<resource>:read``, ``:write`` (implies ``:read``) and
``:delete`` as its operations need them; each operation requires the one its ``effects``
names (the connection check reads ``<provider>.connection``). This is what certification's
``manifest.capabilities`` check and the default policy pack (``capabilities-cover-effects``,
``delete-distinct-capability``) ask of every connector.
"""

from __future__ import annotations

from typing import Any

_ACTIONS = ("read", "write", "delete")
_DESCRIPTIONS = {
    "read": "Read {resource}.",
    "write": "Create and change {resource}; implies read.",
    "delete": "Delete {resource}.",
}


def assign_capabilities(provider: str, operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Set each operation's ``capabilities``; return the spec's ``capabilities`` list.

    Operations with ``effects: none`` need no capability. Order is deterministic: resources
    in order of first appearance, then read, write, delete.
    """
    needed: dict[str, set[str]] = {}
    for op in operations:
        action = op.get("effects")
        if action not in _ACTIONS:
            continue
        resource = str(op["resource"])
        actions = needed.setdefault(resource, set())
        actions.add(str(action))
        if action == "write":
            actions.add("read")  # write implies read: declare what it implies
        op["capabilities"] = [f"{provider}.{resource}:{action}"]
    declared: list[dict[str, Any]] = []
    for resource, actions in needed.items():
        for action in _ACTIONS:
            if action not in actions:
                continue
            cap: dict[str, Any] = {
                "name": f"{provider}.{resource}:{action}",
                "description": _DESCRIPTIONS[action].format(resource=resource.replace("_", " ")),
            }
            if action == "write":
                cap["implies"] = [f"{provider}.{resource}:read"]
            declared.append(cap)
    return declared
