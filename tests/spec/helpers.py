"""Building specs for the spec-tooling tests: the rendered template as a base, then edits."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import yaml

from connector_spec.model import ConnectorSpec
from connector_spec.template import render_template

Mutation = Callable[[dict[str, Any]], None]
BASE: dict[str, Any] = yaml.safe_load(render_template("acme"))


def spec_data(mutate: Mutation | None = None, version: str = "1.0.0") -> dict[str, Any]:
    """The template spec as data, with ``provider.version`` set and ``mutate`` applied."""
    data = copy.deepcopy(BASE)
    data["provider"]["version"] = version
    if mutate is not None:
        mutate(data)
    return data


def make_spec(mutate: Mutation | None = None, version: str = "1.0.0") -> ConnectorSpec:
    """A validated ConnectorSpec built from :func:`spec_data`."""
    return ConnectorSpec.model_validate(spec_data(mutate, version))


def op(data: dict[str, Any], op_id: str) -> dict[str, Any]:
    """The operation called ``op_id`` inside spec data."""
    for operation in data["operations"]:
        if operation["id"] == op_id:
            return operation  # type: ignore[no-any-return]
    raise KeyError(op_id)


def param(data: dict[str, Any], op_id: str, name: str) -> dict[str, Any]:
    """The parameter ``name`` of operation ``op_id``."""
    for item in op(data, op_id)["params"]:
        if item["name"] == name:
            return item  # type: ignore[no-any-return]
    raise KeyError(name)


def dump_yaml(data: dict[str, Any]) -> str:
    """Spec data as YAML text."""
    return yaml.safe_dump(data, sort_keys=False)
