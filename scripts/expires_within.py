"""Exit 0 when a registry's timestamp metadata expires within DAYS days, 1 otherwise.

Usage (the farming workflow): ``python scripts/expires_within.py REGISTRY_DIR DAYS``.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path


def main(argv: list[str]) -> int:
    """Compare ``metadata/timestamp.json``'s ``signed.expires`` with now + DAYS."""
    if len(argv) != 2:
        sys.stderr.write("usage: expires_within.py REGISTRY_DIR DAYS\n")
        return 2
    timestamp = Path(argv[0]) / "metadata" / "timestamp.json"
    try:
        expires = json.loads(timestamp.read_bytes())["signed"]["expires"]
        moment = datetime.fromisoformat(expires.replace("Z", "+00:00"))
    except (OSError, ValueError, KeyError, TypeError) as error:
        sys.stderr.write(f"{timestamp}: no readable signed.expires ({error})\n")
        return 2
    return 0 if moment - datetime.now(UTC) < timedelta(days=float(argv[1])) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
