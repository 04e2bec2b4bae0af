"""The small, recognisable subset of n8n expressions the harvest can translate.

n8n strings that start with ``=`` are expressions; ``{{ ... }}`` parts are JavaScript. The
harvest never evaluates them. It recognises a few plain forms (a credential field, a node
parameter, optionally wrapped in ``toPathSegment``/``encodeURIComponent`` or stripped of a
trailing slash), string concatenations of those with quoted literals
(``{{"/api/card/" + $parameter.id}}``), and reports everything else as "not expressible".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_TRAILING_SLASH = r'(?:\??\.replace\((?:new RegExp\("/\$"\)|/\\/\+?\$/),\s*""\))?'
_CREDENTIAL = re.compile(
    rf"^\s*\$credentials\??\.(?P<name>{_NAME}){_TRAILING_SLASH}\s*$"
    rf"|^\s*\$credentials\[[\"'](?P<quoted>{_NAME})[\"']\]\s*$"
)
_PARAM_INNER = rf"\$parameter(?:\.(?P<dot>{_NAME})|\[[\"'](?P<quoted>{_NAME})[\"']\])"
_PARAM_BARE = _PARAM_INNER.replace("dot", "dot2").replace("quoted", "quoted2")
_PARAMETER = re.compile(
    rf"^\s*(?:(?:toPathSegment|encodeURIComponent)\(\s*{_PARAM_INNER}\s*\)|{_PARAM_BARE})\s*$"
)
_VALUE = re.compile(r"^=\{\{\s*\$value\s*\}\}$")
_BRACES = re.compile(r"\{\{(.*?)\}\}", re.S)


@dataclass(frozen=True)
class Template:
    """A translated string: ``{name}`` placeholders, or the reason it could not be translated."""

    text: str | None
    names: list[str] = field(default_factory=list)
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """True when the string was translated."""
        return self.text is not None


def is_expression(value: object) -> bool:
    """True for an n8n expression string (starts with ``=``)."""
    return isinstance(value, str) and value.startswith("=")


def credential_field(value: object) -> str | None:
    """``'={{$credentials.apiKey}}'`` → ``'apiKey'``; anything else → ``None``."""
    if not isinstance(value, str) or not value.startswith("="):
        return None
    inner = value[1:].strip()
    match = re.fullmatch(r"\{\{(.*)\}\}", inner, re.S)
    if not match:
        return None
    found = _CREDENTIAL.match(match.group(1))
    if not found:
        return None
    return found.group("name") or found.group("quoted")


def credential_in_text(value: object) -> tuple[str, str, str] | None:
    """``'=Bearer {{$credentials.token}}'`` → ``('Bearer ', 'token', '')``; else ``None``."""
    if not isinstance(value, str) or not value.startswith("="):
        return None
    body = value[1:]
    parts = _BRACES.split(body)
    if len(parts) != 3 or "{{" in parts[0] or "}}" in parts[2]:
        return None
    found = _CREDENTIAL.match(parts[1])
    if not found:
        return None
    return parts[0], found.group("name") or found.group("quoted"), parts[2]


def is_plain_value(value: object) -> bool:
    """True for a field value that sends the field as typed (absent or ``={{ $value }}``)."""
    return value is None or (isinstance(value, str) and bool(_VALUE.match(value.strip())))


def translate(value: str, *, source: str) -> Template:
    """Translate ``value`` into a ``{name}`` template.

    ``source`` is ``"credentials"`` (credential fields, for base URLs) or ``"parameter"``
    (node parameters, for request paths).
    """
    if not value.startswith("="):
        if "{" in value or "}" in value:
            return Template(None, problem=f"literal braces in {value!r}")
        return Template(value)
    body = value[1:]
    out: list[str] = []
    names: list[str] = []
    pos = 0
    for match in _BRACES.finditer(body):
        literal = body[pos : match.start()]
        if "{" in literal or "}" in literal:
            return Template(None, problem=f"unbalanced braces in {value!r}")
        out.append(literal)
        expr = match.group(1)
        name = _match_name(expr, source)
        if name is not None:
            out.append("{" + name + "}")
            names.append(name)
        else:
            pieces = _concatenation(expr, source)
            if pieces is None:
                return Template(None, problem=f"code expression {{{{{expr.strip()}}}}}")
            for is_name, text in pieces:
                out.append("{" + text + "}" if is_name else text)
                if is_name:
                    names.append(text)
        pos = match.end()
    rest = body[pos:]
    if "{" in rest or "}" in rest:
        return Template(None, problem=f"unbalanced braces in {value!r}")
    out.append(rest)
    return Template("".join(out), names)


def _match_name(expr: str, source: str) -> str | None:
    if source == "credentials":
        found = _CREDENTIAL.match(expr)
        if found:
            return found.group("name") or found.group("quoted")
        return None
    found = _PARAMETER.match(expr)
    if not found:
        return None
    for group in ("dot", "quoted", "dot2", "quoted2"):
        if found.group(group):
            return found.group(group)
    return None


_LITERAL = re.compile(r"""^\s*(?:"([^"\\{}]*)"|'([^'\\{}]*)')\s*$""")


def _split_plus(expr: str) -> list[str] | None:
    """``a + "b+c" + f(x)`` → ``['a ', ' "b+c" ', ' f(x)']`` (``None`` if quotes are open)."""
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for index, char in enumerate(expr):
        if quote:
            if char == "\\":
                return None  # escapes: not a plain literal
            if char == quote:
                quote = ""
        elif char in "\"'`":
            if char == "`":
                return None  # template literals interpolate code
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "+" and depth == 0:
            parts.append(expr[start:index])
            start = index + 1
    if quote or depth:
        return None
    parts.append(expr[start:])
    return parts


def _concatenation(expr: str, source: str) -> list[tuple[bool, str]] | None:
    """Pieces (is a name?, text) of ``"lit" + $parameter.x + ...``; ``None`` for other code."""
    if source != "parameter":
        return None
    parts = _split_plus(expr)
    if parts is None or len(parts) < 2:
        return None
    pieces: list[tuple[bool, str]] = []
    for part in parts:
        literal = _LITERAL.match(part)
        if literal is not None:
            pieces.append(
                (False, literal.group(1) if literal.group(1) is not None else literal.group(2))
            )
            continue
        name = _match_name(part, source)
        if name is None:
            return None
        pieces.append((True, name))
    if pieces[0][0] and pieces[1][0]:
        return None  # `a + b` adds numbers in JavaScript; a literal must come first or second
    return pieces
