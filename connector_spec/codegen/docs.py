"""Docstrings of generated code: the spec's summaries and descriptions, wrapped to the line
limit, in the Google style ``help()`` and IDEs show (Args, Returns, Raises)."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Sequence

from connector_spec.codegen.models import LINE_LIMIT, doc_text

MAX_TYPE_IN_DOC = 48  # longer annotations are left to the signature


def wrap(text: str, indent: str, *, hang: str = "") -> list[str]:
    """``text`` (already docstring-safe) as lines of at most the line limit; blank lines
    between paragraphs are kept; lines after the first of a paragraph get ``hang`` more."""
    return list(_wrap(text, indent, hang))


@functools.lru_cache(maxsize=4096)
def _wrap(text: str, indent: str, hang: str) -> tuple[str, ...]:
    plain = "\n" not in text and "\t" not in text and "  " not in text and text == text.strip()
    if plain and len(indent) + len(text) <= LINE_LIMIT:
        return (f"{indent}{text}",) if text else ()  # the common case: one short line
    out: list[str] = []
    width = LINE_LIMIT - len(indent)
    for paragraph in text.split("\n\n"):
        words = " ".join(paragraph.split())
        if not words:
            continue
        if out:
            out.append("")
        lines = textwrap.wrap(
            words,
            width,
            subsequent_indent=hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
        out += [f"{indent}{line}" for line in lines]
    return tuple(out)


def docstring(sections: Sequence[str | list[str]], indent: str) -> list[str]:
    """A docstring from sections: a string is wrapped text, a list is pre-built lines (kept).

    The first section is the summary. The result includes the quotes and fits the line limit;
    a docstring of one line of text stays on one line (as ruff format wants it).
    """
    blocks: list[list[str]] = []
    for index, section in enumerate(sections):
        if isinstance(section, list):
            lines = list(section)
        elif index == 0:  # the opening quotes take room on the first line
            lines = wrap('"""' + section, indent)
            if lines:
                lines[0] = lines[0].replace('"""', "", 1)
        else:
            lines = wrap(section, indent)
        if lines:
            blocks.append(lines)
    if not blocks:
        return [f'{indent}"""."""']
    if len(blocks) == 1 and len(blocks[0]) == 1:
        one = f'{indent}"""{blocks[0][0].strip()}"""'
        if len(one) <= LINE_LIMIT:
            return [one]
        # too long with both quotes: two lines of text instead
        narrower = textwrap.wrap(blocks[0][0].strip(), len(blocks[0][0].strip()) - 4)
        blocks = [[f"{indent}{line}" for line in narrower]]
    body: list[str] = []
    for block in blocks:
        if body:
            body.append("")
        body += block
    body[0] = f'{indent}"""{body[0].strip()}'
    return [*body, f'{indent}"""']


def entry(name: str, text: str, indent: str) -> list[str]:
    """One ``name: text`` item of an Args/Raises section, continued lines hanging."""
    head = f"{name}: {text}" if text else f"{name}:"
    return wrap(head, indent, hang="    ") or [f"{indent}{name}:"]


def section(title: str, entries: list[list[str]], indent: str) -> list[str]:
    """``Title:`` followed by its entries (nothing when there are none)."""
    if not entries:
        return []
    return [f"{indent}{title}:", *[line for item in entries for line in item]]


def typed_name(name: str, type_expr: str) -> str:
    """``name (type)`` when the type is short enough to help, else ``name``."""
    if len(type_expr) <= MAX_TYPE_IN_DOC:
        return f"{name} ({type_expr})"
    return name


def describe(text: str | None) -> str:
    """A spec description made docstring-safe (empty when absent)."""
    return doc_text(text or "")


OPTION_DOCS = (
    ("extra_headers", "Headers added to this request (after the spec's own)."),
    ("timeout", "Seconds (or an ``httpx.Timeout``) for this request instead of the client's."),
    ("max_retries", "Retries for this request instead of the client's (0: none)."),
)


def method_doc(
    *,
    summary: str,
    description: str | None,
    facts: str,
    args: list[tuple[str, str, str, bool]],
    returns: tuple[str, str] | None,
    raises: list[tuple[str, str]],
    pager: bool = False,
    indent: str = "        ",
) -> list[str]:
    """The docstring of a generated method.

    ``args``: (name, type, description, required); ``returns``: (type, description);
    ``raises``: (class, when). ``pager``: the auto-paging iterator (Yields, not Returns).
    """
    inner = indent + "    "
    arg_entries = []
    for name, type_expr, text, required in args:
        note = text if required else (f"{text} Optional." if text else "Optional.")
        arg_entries.append(entry(typed_name(name, type_expr), note.strip(), inner))
    arg_entries += [entry(name, text, inner) for name, text in OPTION_DOCS]
    result: list[str] = []
    if returns is not None:
        kind, text = returns
        title = "Yields" if pager else "Returns"
        result = section(title, [entry(kind, text, inner)], indent)
    raised = section("Raises", [entry(name, text, inner) for name, text in raises], indent)
    summary_text = describe(summary)
    extra = describe(description)
    sections: list[str | list[str]] = [summary_text]
    if extra and " ".join(extra.split()) != " ".join(summary_text.split()):
        sections.append(extra)
    sections += [facts, section("Args", arg_entries, indent), result, raised]
    return docstring(sections, indent)
