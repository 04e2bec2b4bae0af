"""Load policy packs: YAML with located errors, pydantic validation, CEL compilation and checks.

A pack is a YAML file (``apiVersion: flows.dev/v1``, ``kind: PolicyPack``); a pack directory
holds one or more such files. Every problem is reported as ``file:line:col: place: message``.
Loaded packs are cached by path, size and modification time; compiled expressions by text.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from connector_spec.digests import sha256_digest
from connector_spec.errors import Diagnostic, InputError, SpecError
from connector_spec.yaml_source import Loc, SourceMap, YamlDocument, parse_yaml, read_text
from policies import celenv
from policies.compiled import Expr, PolicyPack, Rule, batch_text
from policies.context import (
    BASE_VARIABLES,
    SCOPE_VARIABLES,
)
from policies.errors import PolicyPackError
from policies.model import PackModel, RuleModel
from policies.typecheck import dry_run

DEFAULT_PACK_DIR = Path(__file__).parent / "packs" / "default"
POLICY_DIR_ENV = "FLOWS_POLICY_DIR"
"""Environment variable: the organisation's pack directories (``os.pathsep``-separated)."""
ORG_PACK_DIR = Path(".flows") / "policies"
"""Where organisation packs are found when ``$FLOWS_POLICY_DIR`` is not set (under the cwd)."""
IMPLIED_REQUIREMENTS = {"evidence": "evidence", "fixture": "fixtures"}
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")


# ---------------------------------------------------------------------------- public API


def default_packs() -> list[PolicyPack]:
    """The packs shipped with flows (always applied)."""
    return load_pack_dir(DEFAULT_PACK_DIR)


def org_pack_dirs(workdir: str | Path | None = None) -> list[tuple[Path, str]]:
    """Where organisation packs are discovered, each with how it was chosen.

    ``$FLOWS_POLICY_DIR`` (directories separated by ``os.pathsep``; set but empty: none) or,
    when it is not set, ``.flows/policies`` under ``workdir`` (default: the working directory).
    """
    configured = os.environ.get(POLICY_DIR_ENV)
    if configured is not None:
        return [(Path(part), f"${POLICY_DIR_ENV}") for part in configured.split(os.pathsep) if part]
    base = Path(workdir) if workdir is not None else Path()
    return [(base / ORG_PACK_DIR, str(ORG_PACK_DIR))]


def discover_packs(workdir: str | Path | None = None) -> list[tuple[PolicyPack, str]]:
    """The organisation packs of :func:`org_pack_dirs`, each with where it was found.

    A missing ``.flows/policies`` means no organisation packs; a directory named in
    ``$FLOWS_POLICY_DIR`` that does not exist is an error (a typo must not switch rules off).
    """
    found: list[tuple[PolicyPack, str]] = []
    for directory, source in org_pack_dirs(workdir):
        if not directory.is_dir():
            if source == str(ORG_PACK_DIR) and not directory.exists():
                continue
            raise InputError(
                f"{directory}: no such policy pack directory (named in ${POLICY_DIR_ENV})"
                if source != str(ORG_PACK_DIR)
                else f"{directory}: not a directory (organisation policy packs go there)",
                hint=f"fix ${POLICY_DIR_ENV} (directories separated by {os.pathsep!r}), "
                "or unset it to use .flows/policies under the working directory",
            )
        found += [(pack, source) for pack in _load_pack_files(pack_files(directory))]
    check_unique([pack for pack, _ in found])
    return found


def pack_files(directory: str | Path) -> list[Path]:
    """The pack files of a pack directory: ``*.yaml``/``*.yml`` directly inside, in name order."""
    folder = Path(directory)
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_packs(paths: Iterable[str | Path]) -> list[PolicyPack]:
    """Load every pack file or pack directory in ``paths``; names and rule ids must be unique."""
    packs: list[PolicyPack] = []
    for path in paths:
        target = Path(path)
        if target.is_dir():
            packs += load_pack_dir(target)
        elif target.is_file():
            packs.append(load_pack_file(target))
        else:
            raise InputError(
                f"{target}: no such policy pack file or directory",
                hint="pass a directory holding PolicyPack *.yaml files, or one such file",
            )
    check_unique(packs)
    return packs


def load_pack_dir(directory: str | Path) -> list[PolicyPack]:
    """Every ``*.yaml``/``*.yml`` pack file directly inside ``directory``, in name order."""
    folder = Path(directory)
    files = pack_files(folder)
    if not files:
        raise InputError(
            f"{folder}: no policy pack files (*.yaml) in this directory",
            hint="a pack file starts with 'apiVersion: flows.dev/v1' and 'kind: PolicyPack'",
        )
    return _load_pack_files(files)


def _load_pack_files(files: Sequence[Path]) -> list[PolicyPack]:
    packs = [load_pack_file(p) for p in files]
    check_unique(packs)
    return packs


def load_pack_file(path: str | Path) -> PolicyPack:
    """Load, validate and type-check one pack file (cached while the file is unchanged)."""
    file_path = Path(path)
    try:
        stat = file_path.stat()
    except OSError:
        stat = None
    if stat is None:
        return _load_pack_file(str(file_path), 0, 0)
    return _load_pack_file(str(file_path.resolve()), stat.st_size, stat.st_mtime_ns, str(file_path))


def parse_pack_bytes(raw: bytes, name: str) -> PolicyPack:
    """Validate and compile pack bytes; ``name`` is used in diagnostics."""
    document = _parse(raw, name)
    if not isinstance(document.data, dict):
        raise PolicyPackError([Diagnostic(name, 1, 1, "", "a policy pack is a YAML mapping", None)])
    try:
        model = PackModel.model_validate(document.data)
    except ValidationError as exc:
        raise PolicyPackError(
            [_from_pydantic(err, document, name) for err in exc.errors()]
        ) from None
    problems: list[Diagnostic] = []
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, rule_model in enumerate(model.rules):
        where: Loc = ("rules", index)
        if not rule_model.id.startswith(f"{model.name}."):
            problems.append(
                _at(
                    document,
                    name,
                    (*where, "id"),
                    f"rule id {rule_model.id!r} is not in this pack's namespace",
                    f"name it '{model.name}.<rule>' (the pack is called {model.name!r})",
                )
            )
        if rule_model.id in seen:
            problems.append(
                _at(
                    document,
                    name,
                    (*where, "id"),
                    f"duplicate rule id {rule_model.id!r} "
                    f"(first used by rules[{seen[rule_model.id]}])",
                    None,
                )
            )
        seen.setdefault(rule_model.id, index)
        rule, rule_problems = _compile_rule(rule_model, model.name, document, name, where)
        problems += rule_problems
        if rule is not None:
            rules.append(rule)
    if not problems:
        problems += dry_run(rules, name)
    if problems:
        raise PolicyPackError(problems)
    for rule in rules:  # compile the all-subjects form now, so evaluation only runs it
        celenv.compile_cel(batch_text(rule, frozenset(SCOPE_VARIABLES[rule.applies_to])))
    return PolicyPack(
        name=model.name,
        version=model.version,
        description=model.description,
        file=name,
        digest=sha256_digest(raw),
        rules=tuple(rules),
    )


def check_unique(packs: Sequence[PolicyPack]) -> None:
    """Refuse two packs with one name or one rule id in two packs."""
    problems: list[Diagnostic] = []
    names: dict[str, str] = {}
    rule_ids: dict[str, str] = {}
    for pack in packs:
        if pack.name in names and names[pack.name] != pack.file:
            problems.append(
                Diagnostic(
                    pack.file, None, None, "name",
                    f"pack name {pack.name!r} is already used by {names[pack.name]}",
                    "give every pack a distinct name",
                )
            )  # fmt: skip
            continue
        names[pack.name] = pack.file
        for rule in pack.rules:
            if rule.id in rule_ids and rule_ids[rule.id] != pack.file:
                problems.append(
                    Diagnostic(
                        pack.file, rule.condition.line, None, "",
                        f"rule id {rule.id!r} is already defined in {rule_ids[rule.id]}", None,
                    )
                )  # fmt: skip
            rule_ids.setdefault(rule.id, pack.file)
    if problems:
        raise PolicyPackError(problems)


# ---------------------------------------------------------------------------- internals


@functools.lru_cache(maxsize=256)
def _load_pack_file(resolved: str, size: int, mtime_ns: int, shown: str = "") -> PolicyPack:
    name = shown or resolved
    try:
        raw = read_text(Path(resolved))
    except SpecError as exc:
        raise PolicyPackError(
            [Diagnostic(name, d.line, d.column, d.path, d.message, d.hint) for d in exc.items]
        ) from None
    return parse_pack_bytes(raw, name)


def _parse(raw: bytes, name: str) -> YamlDocument:
    try:
        return parse_yaml(raw, name)
    except SpecError as exc:
        items = list(exc.items)
        if len(items) == 1 and items[0].message == "file is empty":
            items = [
                Diagnostic(name, 1, 1, "", "file is empty", "start with 'apiVersion: flows.dev/v1'")
            ]
        raise PolicyPackError(items) from None


def _format_loc(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _at(document: YamlDocument, name: str, loc: Loc, message: str, hint: str | None) -> Diagnostic:
    position = document.source_map.position(loc)
    line, column = position if position else (None, None)
    return Diagnostic(name, line, column, _format_loc(loc), message, hint)


def _from_pydantic(err: Any, document: YamlDocument, name: str) -> Diagnostic:
    loc: Loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
    kind = err["type"]
    message = str(err["msg"]).removeprefix("Value error, ")
    hint: str | None = None
    if kind == "extra_forbidden":
        field = str(loc[-1]) if loc else ""
        message = f"unknown field {field!r}"
        model = RuleModel if len(loc) >= 3 and loc[0] == "rules" else PackModel
        allowed = sorted(info.alias or key for key, info in model.model_fields.items())
        close = difflib.get_close_matches(field, allowed, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else "allowed here: " + ", ".join(allowed)
    elif kind == "missing":
        message = f"required field {str(loc[-1])!r} is missing" if loc else message
        return (
            _at(document, name, loc[:-1], message, None)
            if loc
            else _at(document, name, (), message, None)
        )
    elif kind == "literal_error" and loc == ("apiVersion",):
        hint = "this flows understands apiVersion 'flows.dev/v1'"
    elif kind == "literal_error" and loc == ("kind",):
        hint = "a policy pack has 'kind: PolicyPack'"
    if "input" in err and kind not in ("extra_forbidden", "missing"):
        shown = repr(err["input"])
        if len(shown) <= 60 and not isinstance(err["input"], (dict, list)):
            message = f"{message} (got {shown})"
    return _at(document, name, loc, message, hint)


def _value_position(source_map: SourceMap, loc: Loc) -> tuple[int | None, int | None]:
    position = source_map.values.get(loc) or source_map.position(loc)
    return position if position else (None, None)


def _expr_position(
    document: YamlDocument, loc: Loc, text: str, line: int, column: int
) -> tuple[int | None, int | None]:
    """Map a position inside an expression to a position in the pack file (best effort)."""
    start_line, start_col = _value_position(document.source_map, loc)
    if start_line is None or start_col is None:
        return start_line, start_col
    lines = document.raw.decode("utf-8", "replace").splitlines()
    first = lines[start_line - 1][start_col - 1 :] if start_line <= len(lines) else ""
    block = first[:1] in ("|", ">")
    if line == 1 and not block:
        quoted = 1 if first[:1] in ("'", '"') else 0
        return start_line, start_col + quoted + column - 1
    expr_lines = text.splitlines()
    while len(expr_lines) > 1 and not expr_lines[-1].strip():
        expr_lines.pop()
    if line > len(expr_lines):  # an error at the very end: point after the last text
        line = len(expr_lines)
        column = len(expr_lines[-1]) + 1 if expr_lines else 1
    wanted = expr_lines[line - 1] if expr_lines else ""
    stripped = wanted.strip()
    for number in range(start_line, min(len(lines), start_line + 200) + 1):
        if number == start_line and block:
            continue
        offset = lines[number - 1].find(stripped) if stripped else -1
        if offset >= 0:
            lead = len(wanted) - len(wanted.lstrip())
            return number, offset + 1 + max(column - 1 - lead, 0)
    return start_line, start_col


def _scope_variables(scope: str) -> frozenset[str]:
    return frozenset(BASE_VARIABLES) | frozenset(SCOPE_VARIABLES[scope])


def _compile_expr(
    text: str,
    place_loc: Loc,
    scope: str,
    document: YamlDocument,
    name: str,
    offset: tuple[int, int] = (0, 0),
) -> tuple[Expr | None, list[Diagnostic]]:
    """Compile one expression; ``offset`` is its (line, column) shift inside a message."""

    def located(problem: celenv.CelProblem) -> Diagnostic:
        line = problem.line + offset[0]
        column = problem.column + (offset[1] if problem.line == 1 else 0)
        file_line, file_col = _expr_position(document, place_loc, full_text, line, column)
        return Diagnostic(
            name, file_line, file_col, _format_loc(place_loc), problem.message, problem.hint
        )

    full_text = document.data
    for part in place_loc:
        full_text = full_text[part]
    full_text = str(full_text)
    try:
        program = celenv.compile_cel(text)
    except celenv.CelCompileError as exc:
        return None, [located(exc.problem)]
    known = _scope_variables(scope)
    problems = [located(p) for p in celenv.static_problems(program, text, known)]
    if problems:
        return None, problems
    line, column = _expr_position(document, place_loc, full_text, 1 + offset[0], 1 + offset[1])
    return (
        Expr(
            text=text,
            program=program,
            file=name,
            place=_format_loc(place_loc),
            line=line,
            column=column,
            variables=frozenset(program.variables()) & known,
        ),
        [],
    )


def _compile_rule(
    model: RuleModel, pack: str, document: YamlDocument, name: str, where: Loc
) -> tuple[Rule | None, list[Diagnostic]]:
    scope = model.applies_to
    problems: list[Diagnostic] = []
    when: Expr | None = None
    if model.when is not None:
        when, found = _compile_expr(model.when, (*where, "when"), scope, document, name)
        problems += found
    condition, found = _compile_expr(model.condition, (*where, "condition"), scope, document, name)
    problems += found
    parts: list[str | Expr] = []
    cursor = 0
    for match in _PLACEHOLDER.finditer(model.message):
        parts.append(model.message[cursor : match.start()])
        cursor = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
            continue
        before = model.message[: match.start(1)]
        offset = (before.count("\n"), match.start(1) - (before.rfind("\n") + 1))
        expr, found = _compile_expr(
            match.group(1), (*where, "message"), scope, document, name, offset
        )
        problems += found
        if expr is not None:
            parts.append(expr)
    parts.append(model.message[cursor:])
    if problems or condition is None:
        return None, problems
    requires: set[str] = set(model.requires)
    if scope in IMPLIED_REQUIREMENTS:
        requires.add(IMPLIED_REQUIREMENTS[scope])
    return (
        Rule(
            id=model.id,
            description=model.description,
            severity=model.severity,
            applies_to=scope,
            requires=frozenset(requires),
            when=when,
            condition=condition,
            message=tuple(p for p in parts if p != ""),
            hint=model.hint,
            pack=pack,
            file=name,
        ),
        [],
    )
