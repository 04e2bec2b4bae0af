"""Python argument names of spec names, shared by the spec rules and code generation.

A spec names parameters and body fields as they go over the wire (``projectId``,
``X-Request-Id``); the generated client takes each as a snake_case keyword argument. The rules
(:mod:`connector_spec.rules`) refuse two fields of one operation that would become the same
argument, so this lives outside :mod:`connector_spec.codegen` (which imports the rules).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

_RESERVED = set(dir(BaseModel)) | {"self", "cls", "Any", "Literal", "Field", "BaseModel"}
# a model field called `bool` (DynamoDB's BOOL) would shadow the type in later annotations
_RESERVED |= {"bool", "bytes", "dict", "float", "int", "list", "str"}


def snake(name: str) -> str:
    """``conversations.list`` / ``dataSet`` → ``conversations_list`` / ``data_set``."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    text = re.sub(r"\W+", "_", text).strip("_").lower()
    if not text:
        text = "field"
    if text[0].isdigit():
        text = f"n_{text}"
    return text


def python_identifier(name: str) -> str:
    """A safe snake_case Python identifier for a field or argument called ``name``."""
    text = snake(name)
    if keyword.iskeyword(text) or text in _RESERVED or text.startswith("model_"):
        text = f"{text}_"
    return text


# Names a generated method body uses for itself: an argument called ``op`` or ``body`` would
# otherwise be overwritten before it is sent (``op = _config.X``) or shadow a helper.
_METHOD_LOCALS = frozenset(
    {
        "op",
        "call",
        "params",
        "body",
        "response",
        "items",
        "item",
        "pick",
        "validated",
        "validated_value",
        "httpx",
        "builtins",
        "extra_headers",
        "timeout",
        "max_retries",
    }
)


def argument_name(name: str, *, whole_body: bool = False) -> str:
    """The keyword argument of a generated method for the parameter or body field ``name``.

    ``whole_body``: the argument carrying the whole request body, which may be ``body``
    itself (the method only ever replaces it with its validated form).
    """
    text = python_identifier(name)
    if text in _METHOD_LOCALS and not (whole_body and text == "body"):
        return f"{text}_"
    return text


# What a generated client object has besides its resources.
_CLIENT_MEMBERS = frozenset({"base_url", "close", "aclose"})


def member_name(name: str) -> str:
    """The client attribute of resource ``name`` or the method of operation ``name``.

    Spec identifiers may be Python keywords (a resource ``global``, an operation ``import``)
    or a client's own members (``close``); those get a trailing ``_``.
    """
    if keyword.iskeyword(name) or name in _CLIENT_MEMBERS:
        return f"{name}_"
    return name


# ---------------------------------------------------------------- client method names

# What a generated resource object has besides its operations' methods.
_RESOURCE_MEMBERS = frozenset({"with_raw_response"})
PAGER_PREFIX = "iter"


def _forms(word: str) -> set[str]:
    """``charge``/``charges``, ``entry``/``entries``, ``box``/``boxes``: both numbers of a noun."""
    forms = {word}
    if word.endswith("ies") and len(word) > 3:
        forms.add(word[:-3] + "y")
    elif word.endswith(("ses", "xes", "zes", "ches", "shes")):
        forms.add(word[:-2])
    elif word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        forms.add(word[:-1] + "ies")
    elif word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    else:
        forms.add(word + "s")
    return forms


def _short_name(op_id: str, resource: str) -> str:
    """``op_id`` without the words naming ``resource`` (``list_charges``, ``charges``: ``list``)."""
    words = snake(op_id).split("_")
    noun = snake(resource).split("_")
    variants = sorted(
        {tuple([*noun[:-1], form]) for form in _forms(noun[-1])}, key=lambda v: (-len(v), v)
    )
    for variant in variants:
        size = len(variant)
        for start in range(len(words) - size + 1):
            if tuple(words[start : start + size]) == variant and size < len(words):
                rest = words[:start] + words[start + size :]
                return "_".join(w for w in rest if w)
    return "_".join(words)


def _safe_member(name: str) -> str:
    if keyword.iskeyword(name) or name in _RESOURCE_MEMBERS or name.startswith("_"):
        return f"{name}_"
    return name


def pager_name(method: str) -> str:
    """The auto-paging iterator of a paginated method: ``list`` → ``iter``, ``search`` →
    ``iter_search``."""
    return PAGER_PREFIX if method in ("list", "list_") else f"{PAGER_PREFIX}_{method.rstrip('_')}"


def method_names(operations: list[tuple[str, str, bool]]) -> dict[str, tuple[str, str, str]]:
    """``{op id: (client attribute, method, auto-pager)}`` for ``(op id, resource, paginated)``.

    The rule (docs/codegen.md): the method is the operation id in snake_case without the words
    naming its resource, singular or plural (``create_charge`` on ``charges`` → ``create``);
    a paginated method's auto-pager is ``iter`` for ``list``, else ``iter_<method>``. When two
    operations of one resource would get the same method or pager name, or the short name is
    empty or starts with a digit, each of those keeps its whole operation id. Python keywords
    and the resource's own members (``with_raw_response``) get a trailing ``_``. The names
    depend only on the operation ids and resources, so they are stable across versions unless
    an operation is added that collides (``flows spec diff`` reports that rename as breaking).
    """
    by_resource: dict[str, list[str]] = {}
    paginated = {op_id for op_id, _, pages in operations if pages}
    for op_id, resource, _ in operations:
        by_resource.setdefault(resource, []).append(op_id)
    result: dict[str, tuple[str, str, str]] = {}
    for resource, op_ids in by_resource.items():
        short = {op_id: _short_name(op_id, resource) for op_id in op_ids}
        for op_id, name in short.items():
            if not name or name[0].isdigit():
                short[op_id] = snake(op_id)
        taken: dict[str, list[str]] = {}
        for op_id, name in short.items():
            taken.setdefault(_safe_member(name), []).append(op_id)
            if op_id in paginated:
                taken.setdefault(pager_name(_safe_member(name)), []).append(op_id)
        clashing = {op_id for ids in taken.values() if len(set(ids)) > 1 for op_id in ids}
        attribute = member_name(resource)
        for op_id in op_ids:
            method = _safe_member(member_name(op_id) if op_id in clashing else short[op_id])
            result[op_id] = (attribute, method, pager_name(method))
    return result


def spec_method_names(operations: Iterable[Any]) -> dict[str, tuple[str, str, str]]:
    """:func:`method_names` of a spec's operations (objects with ``id``, ``resource`` and
    ``pagination``)."""
    return method_names([(op.id, op.resource, op.pagination is not None) for op in operations])


def client_method(
    operations: Iterable[Any], op_id: str, *, iterate: bool = False
) -> tuple[str, str]:
    """``(client attribute, method)`` a caller uses for operation ``op_id`` of a spec's
    ``operations`` (its auto-pager with ``iterate``)."""
    attribute, method, pager = spec_method_names(operations)[op_id]
    return attribute, pager if iterate else method
