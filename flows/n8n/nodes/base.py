"""What every translator shares: the node context, the result, and small parameter helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flows.ir.catalog import CatalogOperation, ConnectorCatalog
from flows.n8n.expressions import translate_value

BASE = "n8n-nodes-base."
LANGCHAIN = "@n8n/n8n-nodes-langchain."
STICKY = BASE + "stickyNote"


@dataclass
class Converted:
    """The IR node for one n8n node and how faithful it is."""

    node: Any
    status: str  # mapped | built-in | lossy | unsupported
    lost: list[str] = field(default_factory=list)
    suggestion: str | None = None
    reason: str | None = None
    refs: int = 0
    js: int = 0
    link: CatalogOperation | None = None  # the connector operation the node maps onto


@dataclass(frozen=True)
class Ctx:
    """What a converter gets: the n8n node, its parameters (defaults applied) and the catalog."""

    raw: dict[str, Any]
    params: dict[str, Any]
    version: float
    catalog: ConnectorCatalog

    @property
    def type(self) -> str:
        """The n8n node type."""
        return str(self.raw.get("type"))


def common_fields(ctx: Ctx) -> dict[str, Any]:
    """The fields every IR node takes from its n8n node: name, disabled, error mode, provenance."""
    from flows.ir.model import Provenance

    raw = ctx.raw
    on_error = raw.get("onError")
    mode = "stop"
    if on_error == "continueErrorOutput":
        mode = "error_port"
    elif on_error == "continueRegularOutput" or raw.get("continueOnFail") is True:
        mode = "continue"
    node_id = raw.get("id")
    return {
        "name": raw["name"],
        "disabled": bool(raw.get("disabled", False)),
        "on_error": mode,
        "source": Provenance(
            n8n_type=ctx.type,
            type_version=ctx.version,
            n8n_id=node_id if isinstance(node_id, str) else None,
        ),
    }


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else {}


def small_int(value: Any, default: int = 0, high: int = 64) -> int:
    """A small non-negative integer parameter (``default`` when it is not one)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        number = int(value)
    except ValueError:
        return default
    return number if 0 <= number <= high else default


def options_lost(options: Any, keep: tuple[str, ...] = ()) -> list[str]:
    """One 'not represented' line per option key outside ``keep``."""
    if not isinstance(options, dict):
        return []
    return [f"option {k!r} is not represented" for k in sorted(options) if k not in keep]


def whole(value: Any, low: int, high: int) -> int | None:
    """``value`` as a whole number in ``[low, high]`` (numbers and numeric strings), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and low <= value <= high:
        return value
    return None


def unique(names: list[str]) -> list[str]:
    """``names`` with repeats suffixed ``_1``, ``_2``... so each is unique."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def pairs(block: Any, key: str) -> dict[str, Any]:
    """n8n's ``{key: [{name, value}, ...]}`` list as a name -> translated value mapping."""
    out: dict[str, Any] = {}
    if isinstance(block, dict):
        for item in block.get(key) or []:
            if isinstance(item, dict) and item.get("name"):
                out[str(item["name"])] = translate_value(item.get("value"))
    return out


def documented_params(ctx: Ctx, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every parameter of the node (n8n's documented defaults are already in ``ctx.params``),
    expressions translated; ``skip`` names those the caller types separately."""
    return {str(k): translate_value(v) for k, v in ctx.params.items() if k not in skip}


def raw_param(ctx: Ctx, name: str, default: Any = None) -> Any:
    """One parameter as the node has it (n8n's default applied), else ``default``."""
    return ctx.params.get(name, default)


def credential_of(ctx: Ctx) -> str | None:
    """The first credential type the node uses (n8n keys credentials by type)."""
    creds = ctx.raw.get("credentials")
    return str(next(iter(creds))) if isinstance(creds, dict) and creds else None


def short_type(node_type: str) -> str:
    """``n8n-nodes-base.postgres`` -> ``postgres``."""
    return node_type.rsplit(".", 1)[-1]


def snake(name: str) -> str:
    """``splitOut`` -> ``split_out``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
