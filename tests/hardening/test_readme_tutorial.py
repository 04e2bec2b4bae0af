"""The README's five-minute tutorial runs verbatim and prints what the README shows.

Every ``bash`` block and every ``$ command`` of a ``console`` block in the tutorial section is
run, in order, as one bash script started from the repository root (so ``source
.venv/bin/activate`` and ``cd "$(mktemp -d)"`` run as written; ``TMPDIR`` points into the
test's temporary directory). A ``python`` block is saved under the name the text before it
gives ("Save it as `call_acme.py`"). Each expected output line of a console block must appear
in the command's output, with run-dependent parts (durations, temporary paths, key ids,
digests) matched loosely; lines with an ellipsis and table borders are not compared.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO

README = REPO / "README.md"
VENV = REPO / ".venv" / "bin" / "activate"
BOX = re.compile(r"[┏┃┡│└━┗┛┓┣┫]")


@dataclass
class Command:
    """One ``$ command`` (or a bash block) and the output lines the README expects."""

    text: str
    expected: list[str] = field(default_factory=list)


def tutorial_steps(readme: str) -> tuple[list[Command], dict[str, str]]:
    """The commands of the tutorial in order, and the files its python blocks are saved as."""
    section = readme[
        readme.index("## Five-minute tutorial") : readme.index(
            "\n## ", readme.index("## Five-minute tutorial") + 5
        )
    ]
    commands: list[Command] = []
    files: dict[str, str] = {}
    for match in re.finditer(r"```(\w+)\n(.*?)```", section, re.S):
        kind, body = match.group(1), match.group(2)
        if kind == "bash":
            commands.append(Command(body))
        elif kind == "python":
            before = section[: match.start()]
            name = re.findall(r"Save it as `([^`]+)`", before)[-1]
            files[name] = body
        elif kind == "console":
            for line in body.splitlines():
                if line.startswith("$ "):
                    commands.append(Command(line[2:]))
                elif commands and "$ " in body:
                    commands[-1].expected.append(line)
    return commands, files


def _loose(line: str) -> re.Pattern[str]:
    """A pattern for an expected line: durations, temp paths, hex ids and digests vary."""
    pattern = re.escape(line.strip())
    pattern = re.sub(r"/tmp/tmp\\\.[A-Za-z0-9]+", r"\\S+", pattern)
    pattern = pattern.replace(r"/path/to/flows", r"\S+")
    pattern = re.sub(r"[0-9a-f]{8,}", "[0-9a-f]+", pattern)
    pattern = re.sub(r"\d+\\\.\d+", r"\\d+(?:\\.\\d+)?", pattern)
    pattern = re.sub(r"\d+(\\ ms|ms)", r"\\d+\1", pattern)
    return re.compile(pattern)


def test_the_tutorial_section_is_found() -> None:
    commands, files = tutorial_steps(README.read_text(encoding="utf-8"))
    assert [c.text for c in commands][:2] == [
        "source .venv/bin/activate        # from the repository root; puts flows and python on "
        'PATH\ncd "$(mktemp -d)"                # connectors/ and .flows/ of this tutorial go '
        "here\n",
        "mkdir -p connectors/acme",
    ]
    assert list(files) == ["call_acme.py"]
    assert len(commands) > 10


@pytest.mark.skipif(not VENV.is_file(), reason="needs the repository's .venv (README set-up)")
def test_the_readme_tutorial_runs_verbatim(tmp_path: Path) -> None:
    commands, files = tutorial_steps(README.read_text(encoding="utf-8"))
    script = ["exec 2>&1"]
    for index, command in enumerate(commands):
        for name, body in files.items():
            if f"python {name}" in command.text:
                script.append(f"cat > {name} <<'FLOWS_README_PY'\n{body}FLOWS_README_PY")
        script.append(f"echo '@@step {index}@@'")
        script.append(command.text.rstrip("\n"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLOWS_", "VIRTUAL_ENV"))}
    env.update(TMPDIR=str(tmp_path), NO_COLOR="1", COLUMNS="200", TERM="dumb")
    run = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outputs = re.split(r"@@step (\d+)@@\n", run.stdout)
    by_step = {int(outputs[i]): outputs[i + 1] for i in range(1, len(outputs) - 1, 2)}
    assert len(by_step) == len(commands), run.stdout[-3000:]
    problems: list[str] = []
    for index, command in enumerate(commands):
        actual = [line.strip() for line in by_step[index].splitlines()]
        if "Traceback" in by_step[index]:
            problems.append(f"$ {command.text}: traceback\n{by_step[index]}")
        for line in command.expected:
            if not line.strip() or "…" in line or BOX.search(line):
                continue
            pattern = _loose(line)
            if not any(pattern.fullmatch(a) for a in actual):
                problems.append(f"$ {command.text}\n  expected: {line}\n  got:\n{by_step[index]}")
    assert problems == [], "\n".join(problems)
