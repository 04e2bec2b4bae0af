"""`pull --to DIR` is all-or-nothing: staged, then moved into place; bad destinations exit 2."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from registry import Registry, RegistryInputError, RegistryReader
from registry.query import pull
from tests.registry.helpers import publication


def snapshot(directory: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(directory)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(directory.rglob("*"))
    }


@pytest.fixture
def published(reg: Registry) -> Registry:
    reg.publish(publication("stripe", "1.0.0"))
    return reg


def test_a_directory_in_the_way_writes_nothing(
    published: Registry, reader: Callable[..., RegistryReader], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / "summary.md").mkdir(parents=True)
    (out / "connector.yaml").write_bytes(b"mine")
    before = snapshot(out)
    with pytest.raises(RegistryInputError, match=r"summary\.md") as exc:
        pull(reader(), "stripe", None, out)
    assert exc.value.exit_code == 2
    assert snapshot(out) == before


def test_a_failure_while_moving_files_in_restores_the_directory(
    published: Registry,
    reader: Callable[..., RegistryReader],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "connector.yaml").write_bytes(b"mine")
    (out / "notes.txt").write_bytes(b"keep me")
    before = snapshot(out)
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src: object, dst: object) -> None:
        if Path(str(dst)).parent == out:  # the third file moved into DIR fails
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        pull(reader(), "stripe", None, out)
    monkeypatch.setattr(os, "replace", real_replace)
    assert snapshot(out) == before


def test_pull_into_a_new_and_an_existing_directory(
    published: Registry, reader: Callable[..., RegistryReader], tmp_path: Path
) -> None:
    info, written = pull(reader(), "stripe", None, tmp_path / "new" / "dir")
    assert len(written) == 5 and all(p.is_file() for p in written)
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["dir"]  # no leftovers
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "connector.yaml").write_bytes(b"old")
    (existing / "notes.txt").write_bytes(b"keep me")
    pull(reader(), "stripe", None, existing)
    assert (existing / "notes.txt").read_bytes() == b"keep me"
    assert (existing / "connector.yaml").read_bytes() != b"old"
    assert sorted(p.name for p in existing.iterdir()) == sorted([*info.files, "notes.txt"])


def test_cli_pull_into_a_symlink_loop_exits_2_naming_the_path(
    published: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from flows.cli.app import app

    monkeypatch.setenv("FLOWS_TRUST_DIR", str(tmp_path / "trusted"))
    published.now = lambda: datetime.now(UTC)
    published.refresh()  # the CLI reads with the real clock
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    for to in (loop, loop / "sub"):
        result = CliRunner().invoke(
            app, ["registry", "pull", "stripe", "--to", str(to), "--registry", str(published.root)]
        )
        assert result.exit_code == 2, result.output
        assert ("Traceback" not in result.output and result.exception is None) or isinstance(
            result.exception, SystemExit
        )
        assert str(loop) in result.output.replace("\n", "")
