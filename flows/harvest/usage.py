"""Usage counts of n8n node types from a directory of workflow exports."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from connector_spec.errors import argument
from connector_spec.files import UnreadableFile, read_input_file
from flows.harvest.errors import UsageDirError

MAX_WORKFLOW_BYTES = 16 * 1024 * 1024


@dataclass
class Usage:
    """How often each node type appears in the workflows read."""

    source: str
    counts: Counter[str] = field(default_factory=Counter)
    files_read: int = 0
    skipped: list[str] = field(default_factory=list)


def load_usage(directory: Path) -> Usage:
    """Count node instances per type in every ``*.json`` workflow under ``directory``.

    Files that are not JSON workflow exports are skipped and listed in ``skipped``.
    """
    if not directory.is_dir():
        raise UsageDirError(
            f"{directory}: not a directory",
            hint=f"{argument('usage')} takes a directory of n8n workflow exports (*.json)",
        )
    usage = Usage(str(directory))
    for file in sorted(directory.rglob("*.json")):
        try:
            data = json.loads(read_input_file(file, max_bytes=MAX_WORKFLOW_BYTES))
        except UnreadableFile as exc:  # too large, a FIFO, a symlink loop, ...
            usage.skipped.append(exc.items[0].format())
            continue
        except (ValueError, RecursionError) as exc:
            usage.skipped.append(f"{file}: {exc}")
            continue
        nodes = data.get("nodes") if isinstance(data, dict) else None
        if not isinstance(nodes, list):
            usage.skipped.append(f"{file}: no 'nodes' list (not a workflow export)")
            continue
        usage.files_read += 1
        for node in nodes:
            if isinstance(node, dict) and isinstance(node.get("type"), str):
                usage.counts[node["type"]] += 1
    return usage
