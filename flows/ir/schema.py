"""The published JSON Schema of Flow IR v1."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from flows.ir.model import Flow

SCHEMA_ID = "https://flows.dev/schemas/flow-ir-v1.json"


def flow_schema() -> dict[str, Any]:
    """The JSON Schema generated from the models."""
    schema = Flow.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    return schema


def schema_text() -> str:
    """The schema as stable, indented JSON text."""
    return json.dumps(flow_schema(), indent=2, sort_keys=True) + "\n"


def published_schema_text() -> str:
    """The schema file shipped in the package (``flows/ir/flow-ir-v1.schema.json``)."""
    return resources.files("flows.ir").joinpath("flow-ir-v1.schema.json").read_text("utf-8")
