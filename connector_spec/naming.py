"""Python argument names of spec names, shared by the spec rules and code generation.

A spec names parameters and body fields as they go over the wire (``projectId``,
``X-Request-Id``); the generated client takes each as a snake_case keyword argument. The rules
(:mod:`connector_spec.rules`) refuse two fields of one operation that would become the same
argument, so this lives outside :mod:`connector_spec.codegen` (which imports the rules).
"""

from __future__ import annotations

import keyword
import re

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
