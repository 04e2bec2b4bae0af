"""n8n's ``displayOptions``: whether a parameter is shown for the values a node has.

A parameter is shown when every ``show`` key matches and no ``hide`` key does; a key is another
parameter's name (``/name`` at the root) or ``@version``; a value is a plain value or a
``{"_cnd": {op: bound}}`` test. The importer uses it to apply the defaults n8n would have
applied, including which ``resource`` and ``operation`` a node has when its export omits them.
"""

from __future__ import annotations

from typing import Any


def _condition_holds(op: str, actual: Any, bound: Any) -> bool:
    """One ``_cnd`` test of n8n's displayOptions (unknown tests do not hold)."""
    if op == "eq":
        return bool(actual == bound)
    if op == "not":
        return bool(actual != bound)
    if op == "includes":
        return isinstance(actual, str) and isinstance(bound, str) and bound in actual
    if op == "startsWith":
        return isinstance(actual, str) and isinstance(bound, str) and actual.startswith(bound)
    if op == "endsWith":
        return isinstance(actual, str) and isinstance(bound, str) and actual.endswith(bound)
    if op == "exists":
        return actual is not None
    numbers = isinstance(actual, int | float) and not isinstance(actual, bool)
    if op == "between" and numbers and isinstance(bound, dict):
        low, high = bound.get("from"), bound.get("to")
        return (
            isinstance(low, int | float)
            and isinstance(high, int | float)
            and (low <= actual <= high)
        )
    if not numbers or not isinstance(bound, int | float):
        return False
    checks = {"gt": actual > bound, "gte": actual >= bound, "lt": actual < bound}
    return bool(checks.get(op, actual <= bound if op == "lte" else False))


def _one_of(values: Any, actual: Any) -> bool:
    """Whether ``actual`` is one of displayOptions' ``values`` (plain values or ``_cnd``)."""
    for value in values if isinstance(values, list) else [values]:
        if isinstance(value, dict) and isinstance(value.get("_cnd"), dict):
            if all(_condition_holds(op, actual, b) for op, b in value["_cnd"].items()):
                return True
        elif value == actual:
            return True
    return False


def shown(show: Any, hide: Any, version: float, params: dict[str, Any]) -> bool:
    """n8n's rule: shown when every ``show`` key matches and no ``hide`` key does."""

    def actual(key: str) -> Any:
        return version if key == "@version" else params.get(key.lstrip("/"))

    if isinstance(show, dict) and not all(_one_of(v, actual(k)) for k, v in show.items()):
        return False
    return not (isinstance(hide, dict) and any(_one_of(v, actual(k)) for k, v in hide.items()))
