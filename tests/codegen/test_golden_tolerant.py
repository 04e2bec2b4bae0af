"""Golden record of the tolerant reader: the models generated for allOf, discriminated unions,
readOnly/writeOnly, open enums, id-or-object fields, maps and uniqueItems, byte for byte.

After an intended change to code generation, regenerate the record with
``python -m tests.codegen.test_golden_tolerant`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

from connector_spec.codegen import render_package
from connector_spec.loader import load_spec

GOLDEN = Path(__file__).parent / "golden"


def _rendered() -> dict[str, bytes]:
    files = render_package(load_spec(GOLDEN / "tolerant.yaml")).files
    return {name: files[f"flows_tolerant/{name}"] for name in ("models.py", "client.py")}


def test_tolerant_models_and_client_match_the_golden_record() -> None:
    for name, content in _rendered().items():
        expected = (GOLDEN / f"tolerant_{name}.txt").read_bytes()
        assert content == expected, f"{name} changed: regenerate and review the golden record"


if __name__ == "__main__":
    for name, content in _rendered().items():
        (GOLDEN / f"tolerant_{name}.txt").write_bytes(content)
