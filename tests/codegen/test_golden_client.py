"""Golden record of the client-features spec (``tests/codegen/client_spec.py``): the generated
client, errors module and README, byte for byte (names without stutter, docstrings, declared
error classes, raw wrappers, per-call options, streams, lazy model imports).

After an intended change to code generation, regenerate the record with
``python -m tests.codegen.test_golden_client`` and review the diff.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from connector_spec.codegen import render_package
from connector_spec.loader import load_spec
from tests.codegen.client_spec import payco_spec
from tests.codegen.specs import write_spec

GOLDEN = Path(__file__).parent / "golden"
FILES = {"client.py": "flows_payco/client.py", "errors.py": "flows_payco/errors.py"}
FILES["README.md"] = "README.md"


def _rendered() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        files = render_package(load_spec(write_spec(Path(tmp), payco_spec()))).files
    return {name: files[path] for name, path in FILES.items()}


def test_client_features_match_the_golden_record() -> None:
    for name, content in _rendered().items():
        expected = (GOLDEN / f"payco_{name}.txt").read_bytes()
        assert content == expected, f"{name} changed: regenerate and review the golden record"


if __name__ == "__main__":
    for name, content in _rendered().items():
        (GOLDEN / f"payco_{name}.txt").write_bytes(content)
