"""Response bodies made from the provider's own schemas, to decode with the generated client.

Two deterministic variants per schema, chosen to hit what breaks clients:

- ``minimal``: required properties only; every nullable value ``null``; the first option of an
  ``anyOf``/``oneOf``; the first enum value; empty arrays where allowed; ``false``.
- ``full``: every property; the last option (Stripe's expanded object rather than its id);
  the last enum value; an unknown extra key where extra properties are allowed; an open
  string is ``"provider-value"`` (a value no closed enum of the spec lists).

Strings matching a ``pattern`` come from Hypothesis' ``from_regex`` (searched
deterministically). Every instance is then validated against the provider's schema (bundled
by the shared reader, checked by ``jsonschema``): one that does not satisfy it is dropped, so a
limit of this generator never shows up as a disagreement. Each generated value's JSON pointer
in the description is recorded, so a decode error is located in the description.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from certify.provider.schemas import Loc, Side

MAX_DEPTH = 8
# what evaluating a real description's schema can raise: regexes in other dialects, deep nesting
UNEVALUABLE = (re.error, RecursionError, ValueError, TypeError, OverflowError)
OPEN_STRING = "provider-value"
EXTRA_KEY = "flows_unknown_field"
_FORMATS = {
    "email": "user@example.com",
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "uri": "https://example.com/x",
    "url": "https://example.com/x",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


@functools.cache
def _keep_hypothesis_out_of_the_working_tree() -> None:
    """Hypothesis caches Unicode tables under ``./.hypothesis`` by default: certifying must
    not write into the user's working directory, so (unless the user chose a directory with
    ``HYPOTHESIS_STORAGE_DIRECTORY``) its storage goes to the user's temporary directory."""
    import os
    import tempfile

    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        return
    from hypothesis.configuration import set_hypothesis_home_dir

    user = getattr(os, "getuid", lambda: "user")()
    set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), f"flows-hypothesis-{user}"))


@functools.lru_cache(maxsize=512)
def matching(pattern: str, low: int = 0, high: int | None = None) -> str | None:
    """A string matching ``pattern`` with a length in ``[low, high]`` (Hypothesis
    ``from_regex``, searched deterministically), ``None`` if none is found."""
    import warnings

    _keep_hypothesis_out_of_the_working_tree()
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import HypothesisException

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found: str = find(
                st.from_regex(pattern, fullmatch=True),
                lambda s: len(s) >= low and (high is None or len(s) <= high),
                settings=settings(
                    database=None,
                    derandomize=True,
                    max_examples=20,
                    phases=(Phase.generate,),
                    suppress_health_check=list(HealthCheck),
                ),
            )
        return found
    except (HypothesisException, ValueError, TypeError, RecursionError, Exception):
        return None


@dataclass
class Instance:
    """One generated body and where each of its values comes from in the description."""

    variant: str
    value: Any
    pointers: dict[tuple[str, ...], Loc] = field(default_factory=dict)


class Generator:
    """Builds :class:`Instance` s from the provider's schemas."""

    def __init__(self, side: Side, budget: int = 4000) -> None:
        self.side = side
        self.budget = budget
        self._left = budget

    def instance(self, raw: Any, loc: Loc, variant: str) -> Instance:
        """The ``variant`` instance of the schema ``raw`` found at ``loc``."""
        made = Instance(variant, None)
        self._left = self.budget
        made.value = self._value(raw, loc, variant, (), made.pointers, 0)
        return made

    def _value(
        self,
        raw: Any,
        loc: Loc,
        variant: str,
        path: tuple[str, ...],
        pointers: dict[tuple[str, ...], Loc],
        depth: int,
    ) -> Any:
        if not isinstance(raw, dict):
            return OPEN_STRING
        raw, loc = self.side.resolve(raw, loc)
        pointers[path] = loc
        self._left -= 1
        # past the budget (a huge description) the rest of the body is kept minimal
        minimal = variant == "minimal" or self._left <= 0
        kind = raw.get("type")
        kinds = [kind] if isinstance(kind, str) else list(kind) if isinstance(kind, list) else []
        nullable = raw.get("nullable") is True or "null" in kinds
        if "const" in raw:
            return raw["const"]
        values = raw.get("enum")
        if isinstance(values, list) and values:
            if minimal and None in values:
                return None
            concrete = [v for v in values if v is not None] or [None]
            return concrete[0] if minimal else concrete[-1]
        if minimal and nullable:
            return None
        if depth > MAX_DEPTH:
            return None if nullable else ({} if "object" in kinds else OPEN_STRING)
        for key in ("anyOf", "oneOf"):
            group = raw.get(key)
            if isinstance(group, list) and group:
                index = 0 if minimal else len(group) - 1
                return self._value(
                    group[index], (*loc, key, index), variant, path, pointers, depth + 1
                )
        members = raw.get("allOf")
        if isinstance(members, list) and members:
            flat = self._flatten(raw, loc)
            if flat is None:  # a scalar member (AWS: allOf [$ref: a string, {description}])
                first = next(m for m in members if isinstance(m, dict))
                index = members.index(first)
                return self._value(first, (*loc, "allOf", index), variant, path, pointers, depth)
            return self._object(flat, loc, variant, path, pointers, depth)
        concrete_kinds = [k for k in kinds if k != "null"]
        main = concrete_kinds[0] if concrete_kinds else None
        if main is None:
            main = "object" if "properties" in raw else "array" if "items" in raw else "string"
        if main == "object":
            return self._object(raw, loc, variant, path, pointers, depth)
        if main == "array":
            count = (
                int(raw.get("minItems") or 0) if minimal else max(1, int(raw.get("minItems") or 0))
            )
            items = raw.get("items", {})
            return [
                self._value(items, (*loc, "items"), variant, (*path, str(i)), pointers, depth + 1)
                for i in range(min(count, 3))
            ]
        if main in ("integer", "number"):
            low, high = raw.get("minimum"), raw.get("maximum")
            number = 1 if (low is None or low <= 1) and (high is None or high >= 1) else low or high
            return int(number) if main == "integer" else float(number)
        if main == "boolean":
            return not minimal
        return self._string(raw, minimal)

    def _flatten(self, raw: dict[str, Any], loc: Loc, depth: int = 0) -> dict[str, Any] | None:
        """``raw`` with its ``allOf`` members merged into one object schema (``None`` when a
        member is not an object); ``x-flows-locs`` keeps where each property is written."""
        merged: dict[str, Any] = {"properties": {}, "required": [], "x-flows-locs": {}}
        parts = [(raw, loc)]
        for index, member in enumerate(raw.get("allOf") or []):
            if isinstance(member, dict):
                parts.append(self.side.resolve(member, (*loc, "allOf", index)))
        for part, where in parts:
            kind = part.get("type")
            if part is not raw and depth < MAX_DEPTH and part.get("allOf"):
                inner = self._flatten(part, where, depth + 1)
                if inner is None:
                    return None
                part, where = inner, where
            elif kind not in (None, "object") and not (isinstance(kind, list) and "object" in kind):
                return None
            props = part.get("properties")
            if isinstance(props, dict):
                for name, child in props.items():
                    merged["properties"].setdefault(name, child)
                    locs = part.get("x-flows-locs") or {}
                    merged["x-flows-locs"].setdefault(
                        name, locs.get(name, (*where, "properties", name))
                    )
            merged["required"] += [r for r in part.get("required") or [] if isinstance(r, str)]
            if part.get("additionalProperties") is False:
                merged["additionalProperties"] = False
        return merged

    def _object(
        self,
        raw: dict[str, Any],
        loc: Loc,
        variant: str,
        path: tuple[str, ...],
        pointers: dict[tuple[str, ...], Loc],
        depth: int,
    ) -> dict[str, Any]:
        found = raw.get("properties")
        props: dict[str, Any] = found if isinstance(found, dict) else {}
        required = [r for r in raw.get("required") or [] if isinstance(r, str)]
        names = [n for n in props if n in required] if variant == "minimal" else list(props)
        names += [r for r in required if r not in props and r not in names]
        body: dict[str, Any] = {}
        locs = raw.get("x-flows-locs") or {}
        for name in names:
            child = props.get(name, {})
            where = locs.get(name, (*loc, "properties", name))
            body[name] = self._value(child, where, variant, (*path, name), pointers, depth + 1)
        extra = raw.get("additionalProperties")
        if variant == "full" and extra is not False and EXTRA_KEY not in body:
            where = (*loc, "additionalProperties")
            schema = extra if isinstance(extra, dict) else {"type": "string"}
            body[EXTRA_KEY] = self._value(
                schema, where, variant, (*path, EXTRA_KEY), pointers, depth + 1
            )
        return body

    @staticmethod
    def _string(raw: dict[str, Any], minimal: bool) -> str:
        fmt = raw.get("format")
        if isinstance(fmt, str) and fmt in _FORMATS:
            return _FORMATS[fmt]
        low = int(raw.get("minLength") or 0)
        high = raw.get("maxLength")
        pattern = raw.get("pattern")
        if isinstance(pattern, str):
            found = matching(pattern, low, high if isinstance(high, int) else None)
            if found is not None:
                return found
        text = "x" * max(1, low) if minimal else OPEN_STRING
        if len(text) < low:
            text += "x" * (low - len(text))
        if isinstance(high, int) and len(text) > high:
            text = text[:high]
        return text


def valid(bundled: dict[str, Any], value: Any) -> bool:
    """True when ``value`` satisfies the bundled JSON Schema (formats checked).

    A schema Python cannot evaluate (a ``pattern`` in another regex dialect, such as
    ``\\p{L}``) proves nothing: the value counts as not valid, so it is never used.
    """
    validator = jsonschema.Draft202012Validator(
        bundled, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    try:
        return bool(validator.is_valid(value))
    except UNEVALUABLE:
        return False
