"""The CEL environment of policy rules: compiled-program cache, extension functions, checks.

Expressions are compiled once per distinct text (:func:`compile_cel`) with the Rust-backed
``common-expression-language`` package. The extension functions registered for every rule
are listed in :data:`FUNCTIONS`.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import cel

from policies import secrets


def url_scheme(url: Any) -> str:
    """The lower-case scheme of ``url`` (``''`` when it has none)."""
    return urlsplit(str(url)).scheme.lower() if isinstance(url, str) else ""


def url_host(url: Any) -> str:
    """The lower-case host of ``url``; templated hosts keep their ``{variables}``."""
    if not isinstance(url, str):
        return ""
    netloc = urlsplit(url).netloc.rsplit("@", 1)[-1]
    if netloc.startswith("["):
        return netloc.split("]", 1)[0].lstrip("[").lower()
    return netloc.split(":", 1)[0].lower()


@functools.lru_cache(maxsize=1024)
def _host_regex(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^{}]*\})", pattern.lower())
    body = "".join(
        "[a-z0-9-]+(?:\\.[a-z0-9-]+)*" if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(f"^{body}$")


def host_allowed(host: Any, hosts: Any) -> bool:
    """True when ``host`` is one of ``hosts``; ``{var}`` in an entry matches any DNS labels."""
    if not isinstance(host, str) or not host or not isinstance(hosts, list):
        return False
    host = host.lower()
    return any(isinstance(h, str) and _host_regex(h).match(host) for h in hosts)


def _entropy(text: Any) -> float:
    return secrets.entropy(text) if isinstance(text, str) else 0.0


def _looks_secret(text: Any) -> bool:
    return secrets.looks_secret(text) if isinstance(text, str) else False


def _secrets_in(data: Any) -> list[str]:
    return secrets.secrets_in(data)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "url_scheme": url_scheme,
    "url_host": url_host,
    "host_allowed": host_allowed,
    "entropy": _entropy,
    "looks_secret": _looks_secret,
    "secrets_in": _secrets_in,
}

# Functions the CEL interpreter itself provides (macros are expanded before this list).
BUILTIN_FUNCTIONS = frozenset(
    {
        "size", "contains", "startsWith", "endsWith", "matches", "string", "bytes", "double",
        "int", "uint", "dyn", "type", "duration", "timestamp", "has",
        "getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth", "getDate", "getDayOfWeek",
        "getHours", "getMinutes", "getSeconds", "getMilliseconds",
    }
)  # fmt: skip
TYPE_NAMES = frozenset(
    {"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"}
)

_COMPREHENSION = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,")
_SYNTAX_LOCATION = re.compile(r"<input>:(\d+):(\d+):\s*(.*)")


@dataclass(frozen=True)
class CelProblem:
    """A problem in one expression at a 1-based line/column of the expression text."""

    line: int
    column: int
    message: str
    hint: str | None = None


class CelCompileError(Exception):
    """Raised by :func:`compile_cel` for a syntax error."""

    def __init__(self, problem: CelProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@functools.lru_cache(maxsize=4096)
def compile_cel(text: str) -> cel.Program:
    """Compile ``text`` once (cached by text); raise :class:`CelCompileError` on a syntax error."""
    try:
        return cel.compile(text)
    except ValueError as exc:
        raw = str(exc)
        found = _SYNTAX_LOCATION.search(raw)
        if found:
            detail = found.group(3).splitlines()[0]
            problem = CelProblem(
                int(found.group(1)), int(found.group(2)), f"CEL syntax error: {detail}"
            )
        else:
            problem = CelProblem(1, 1, f"CEL syntax error: {raw.splitlines()[0]}")
        raise CelCompileError(problem) from None


def position_of(text: str, name: str) -> tuple[int, int]:
    """1-based line/column of the first whole-word ``name`` in ``text`` (1, 1 if absent)."""
    found = re.search(rf"(?<![\w.]){re.escape(name)}\b", text) or re.search(
        rf"\b{re.escape(name)}\b", text
    )
    if not found:
        return 1, 1
    before = text[: found.start()]
    line = before.count("\n") + 1
    column = found.start() - (before.rfind("\n") + 1) + 1
    return line, column


def static_problems(program: cel.Program, text: str, variables: Iterable[str]) -> list[CelProblem]:
    """Unknown variables and unknown functions of a compiled expression."""
    known_vars = set(variables) | set(_COMPREHENSION.findall(text)) | TYPE_NAMES
    problems: list[CelProblem] = []
    for name in program.variables():
        if name not in known_vars:
            line, column = position_of(text, name)
            problems.append(
                CelProblem(
                    line,
                    column,
                    f"CEL type error: unknown variable {name!r}",
                    _suggest(name, known_vars - TYPE_NAMES),
                )
            )
    known_functions = BUILTIN_FUNCTIONS | set(FUNCTIONS)
    for name in program.functions():
        if not re.fullmatch(r"[A-Za-z]\w*", name) or name in known_functions:
            continue
        line, column = position_of(text, name)
        problems.append(
            CelProblem(
                line,
                column,
                f"CEL type error: unknown function {name!r}",
                _suggest(name, known_functions),
            )
        )
    return problems


def _suggest(name: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, sorted(options), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def describe_eval_error(error: Exception) -> str:
    """A short, one-line description of a CEL evaluation error."""
    if isinstance(error, KeyError):
        return f"no such key {error.args[0]!r}" if error.args else "no such key"
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text.split(". CEL does not coerce")[0].split(". Check that")[0]


def make_context(variables: dict[str, Any]) -> cel.Context:
    """A reusable evaluation context: ``variables`` plus the extension functions.

    Building a context converts the variables once; evaluating many programs on one context
    is then cheap, so evaluate every rule of a subject on the same context.
    """
    return cel.Context(variables, FUNCTIONS)


def run(program: cel.Program, variables: dict[str, Any] | cel.Context) -> Any:
    """Execute ``program`` with ``variables`` (or a context from :func:`make_context`)."""
    context = variables if isinstance(variables, cel.Context) else make_context(variables)
    return program.execute(context)
