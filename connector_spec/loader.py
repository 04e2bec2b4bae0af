"""Load a ConnectorSpec file: bounded YAML, pydantic validation, cross-field rules.

Every problem is reported as ``file:line:col: field.path: message`` and all problems of a
file are reported at once.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from connector_spec.digests import sha256_digest
from connector_spec.errors import Diagnostic, SpecError
from connector_spec.model import ConnectorSpec
from connector_spec.rules import check_rules
from connector_spec.yaml_source import Loc, SourceMap, parse_yaml, read_text


@dataclass(frozen=True)
class LoadedSpec:
    """A validated spec together with where it came from."""

    spec: ConnectorSpec
    path: Path
    raw: bytes

    @property
    def digest(self) -> str:
        """``sha256:<hex>`` of the spec file's bytes."""
        return sha256_digest(self.raw)


def load_spec(path: str | Path) -> LoadedSpec:
    """Read and validate a spec file; raise :class:`SpecError` with every problem found."""
    file_path = Path(path)
    raw = read_text(file_path)
    return LoadedSpec(spec=parse_spec_bytes(raw, str(file_path)), path=file_path, raw=raw)


def parse_spec_bytes(raw: bytes, name: str) -> ConnectorSpec:
    """Validate spec bytes; ``name`` is used in diagnostics."""
    document = parse_yaml(raw, name)
    if not isinstance(document.data, dict):
        raise SpecError([Diagnostic(name, 1, 1, "", "a connector spec is a YAML mapping", None)])
    try:
        spec = ConnectorSpec.model_validate(document.data)
    except ValidationError as exc:
        raise SpecError(
            _merge_union_branches(
                [
                    _diagnostic_from_pydantic(err, document.data, document.source_map, name)
                    for err in exc.errors()
                ]
            )
        ) from None
    issues = check_rules(spec)
    if issues:
        raise SpecError(
            [
                _located(
                    name,
                    document.source_map,
                    _data_loc(issue.loc, document.data),
                    issue.message,
                    issue.hint,
                )
                for issue in issues
            ]
        )
    return spec


def format_loc(loc: Loc) -> str:
    """``('operations', 2, 'id')`` → ``operations[2].id``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _located(
    name: str, source_map: SourceMap, loc: Loc, message: str, hint: str | None
) -> Diagnostic:
    position = source_map.position(loc)
    line, col = position if position else (None, None)
    return Diagnostic(name, line, col, format_loc(loc), message, hint)


def _data_loc(loc: tuple[Any, ...], data: Any) -> Loc:
    """Drop pydantic-only parts (union tags, validator names) from ``loc``."""
    result: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(current, dict) and isinstance(part, str):
            if part in current:
                result.append(part)
                current = current[part]
            elif last:
                result.append(part)
            continue
        if isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            result.append(part)
            current = current[part]
            continue
        if not isinstance(current, (dict, list)):
            break  # a scalar was reached: what remains are pydantic's union-branch tags
        if last and isinstance(part, (str, int)):
            result.append(part)
    return tuple(result)


def _merge_union_branches(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic per place: a value failing every branch of a union reads as one error."""
    merged: dict[tuple[str, int | None, int | None], Diagnostic] = {}
    for diagnostic in diagnostics:
        key = (diagnostic.path, diagnostic.line, diagnostic.column)
        first = merged.get(key)
        if first is None:
            merged[key] = diagnostic
            continue
        got = re.search(r" \(got .*\)$", diagnostic.message)
        extra = diagnostic.message[: got.start()] if got else diagnostic.message
        if extra and extra not in first.message:
            head = re.search(r" \(got .*\)$", first.message)
            base = first.message[: head.start()] if head else first.message
            suffix = first.message[head.start() :] if head else ""
            message = f"{base}, or {extra[:1].lower()}{extra[1:]}{suffix}"
            merged[key] = dataclasses.replace(first, message=message)
    return list(merged.values())


def _diagnostic_from_pydantic(err: Any, data: Any, source_map: SourceMap, name: str) -> Diagnostic:
    loc = _data_loc(tuple(err["loc"]), data)
    kind = err["type"]
    hint: str | None = None
    message = str(err["msg"])
    if kind == "extra_forbidden":
        field = str(loc[-1]) if loc else ""
        message = f"unknown field {field!r}"
        allowed = _allowed_fields(tuple(err["loc"])[:-1])
        close = difflib.get_close_matches(field, sorted(allowed), n=1, cutoff=0.6)
        if close:
            hint = f"did you mean {close[0]!r}?"
        elif allowed:
            hint = "allowed here: " + ", ".join(sorted(allowed))
    elif kind == "missing":
        message = f"required field {str(loc[-1])!r} is missing" if loc else "required field missing"
        loc_for_position = loc[:-1]
        position = source_map.position(loc_for_position)
        line, col = position if position else (None, None)
        return Diagnostic(name, line, col, format_loc(loc), message, None)
    elif kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        message = f"unknown type {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    elif kind == "literal_error" and loc == ("apiVersion",):
        hint = "this flows understands apiVersion 'flows.dev/v1'"
    elif kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    if "input" in err and kind not in ("extra_forbidden", "missing", "value_error"):
        shown = repr(err["input"])
        if len(shown) <= 60 and not isinstance(err["input"], (dict, list)):
            message = f"{message} (got {shown})"
    return _located(name, source_map, loc, message, hint)


# ---------------------------------------------------------------- "did you mean" support


def _allowed_fields(model_loc: tuple[Any, ...]) -> set[str]:
    """Field names (by alias) allowed at ``model_loc`` inside a ConnectorSpec."""
    current: Any = ConnectorSpec
    for part in model_loc:
        current = _step(current, part)
        if current is None:
            return set()
    names: set[str] = set()
    for model in _models_in(current):
        for field_name, info in model.model_fields.items():
            names.add(info.alias or field_name)
    return names


def _unwrap(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out += _unwrap(arg)
        return out
    return [annotation]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    return [a for a in _unwrap(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]


def _step(annotation: Any, part: Any) -> Any:
    for option in _unwrap(annotation):
        origin = typing.get_origin(option)
        if isinstance(option, type) and issubclass(option, BaseModel):
            for field_name, info in option.model_fields.items():
                if part in (field_name, info.alias):
                    return info.annotation
        elif origin is list and isinstance(part, int):
            return typing.get_args(option)[0]
        elif origin is dict and isinstance(part, str):
            return typing.get_args(option)[1]
    # a discriminated-union tag: pick the member whose literal 'type' matches
    for model in _models_in(annotation):
        tag = model.model_fields.get("type")
        if tag is not None and part in typing.get_args(tag.annotation):
            return model
    return None
