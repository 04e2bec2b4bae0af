"""All-or-nothing writes: a failure leaves every target as it was and names the user's path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from connector_spec.errors import InputError
from flows.ir import files
from flows.ir.files import write_all_atomic


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_a_staging_failure_touches_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("old")
    before = _tree(tmp_path)
    missing = tmp_path / "nodir" / "r.md"
    with pytest.raises(InputError) as err:
        write_all_atomic({tmp_path / "a.json": "new", tmp_path / "b.dot": "b", missing: "r"})
    text = err.value.diagnostics()
    assert text.startswith(f"{missing}: cannot write: directory {missing.parent} not found")
    assert "hint: create" in text and ".tmp" not in text
    assert _tree(tmp_path) == before  # no staged file left behind, a.json unchanged


def test_a_failed_move_restores_the_targets_already_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.json").write_text("old a")
    (tmp_path / "c.txt").write_text("old c")
    before = _tree(tmp_path)
    real = os.replace
    calls: list[Any] = []

    def flaky(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 3:  # a.json and b.dot moved, c.txt fails
            raise PermissionError(13, "Permission denied")
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", flaky)
    with pytest.raises(InputError) as err:
        write_all_atomic(
            {tmp_path / "a.json": "new a", tmp_path / "b.dot": "b", tmp_path / "c.txt": "new c"}
        )
    assert str(err.value).startswith(f"{tmp_path / 'c.txt'}: cannot write (Permission denied)")
    monkeypatch.setattr(files.os, "replace", real)
    assert _tree(tmp_path) == before


def test_created_directories_are_removed_on_failure(tmp_path: Path) -> None:
    good = tmp_path / "out" / "sub" / "a.flow.json"
    bad = tmp_path / "file.txt" / "x.dot"  # its parent is a file: cannot be created
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(InputError):
        write_all_atomic({good: "a", bad: "b"}, make_dirs=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]
    assert write_all_atomic({good: "a"}, make_dirs=True) == [good]
    assert good.read_text() == "a"
