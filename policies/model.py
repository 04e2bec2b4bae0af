"""PolicyPack v1: the pydantic models of one policy pack file."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

API_VERSION = "flows.dev/v1"
KIND = "PolicyPack"

Scope = Literal["provider", "operation", "fixture", "evidence"]
Input = Literal["manifest", "evidence", "fixtures"]
Severity = Literal["error", "warning"]

PACK_NAME_PATTERN = r"^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$"
RULE_ID_PATTERN = r"^[a-z][a-z0-9_-]*\.[a-z0-9][a-z0-9_.-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RuleModel(_Strict):
    """One rule: a CEL condition that must hold for every subject it applies to."""

    id: str = Field(pattern=RULE_ID_PATTERN, description="'<pack name>.<rule name>'")
    description: str = Field(min_length=1)
    severity: Severity = "error"
    applies_to: Scope
    requires: list[Input] = Field(
        default_factory=list, description="Inputs without which the rule is not applicable."
    )
    when: str | None = Field(default=None, description="CEL: which subjects the rule applies to.")
    condition: str = Field(min_length=1, description="CEL: true when the subject complies.")
    message: str = Field(min_length=1, description="Shown on failure; {cel} placeholders.")
    hint: str | None = Field(default=None, description="What to do about a failure.")


class PackModel(_Strict):
    """A whole policy pack file."""

    api_version: Literal["flows.dev/v1"] = Field(alias="apiVersion")
    kind: Literal["PolicyPack"]
    name: str = Field(pattern=PACK_NAME_PATTERN, min_length=2, max_length=64)
    version: str = "1"
    description: str | None = None
    rules: list[RuleModel] = Field(min_length=1)
