"""A hostile registry cannot drive the terminal: control characters are shown, not obeyed."""

from __future__ import annotations

from pathlib import Path

from registry import Registry
from registry import tuf_metadata as tm
from registry.keys import load_key
from tests.registry.helpers import publication, statement
from tests.registry.helpers import run_registry_cli as run

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x9b31m"


def assert_shown_not_obeyed(out: str) -> None:
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out, repr(out)
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m" in out.replace("\n", ""), repr(out)


def test_hostile_text_in_signed_content_is_escaped_in_rich_output(env: Path) -> None:
    reg = Registry.init(env / "reg", key_dir=env / "keys", notice=lambda _m: None)
    evil = statement()
    evil["predicate"]["level"] = HOSTILE
    evil["predicate"]["checks"][0]["status"] = HOSTILE
    reg.publish(publication(stmt=evil))
    reg.yank("stripe", "1.0.0", HOSTILE)
    for command in (("show", "stripe"), ("search", "stripe")):
        code, out = run(*command)
        assert code == 0, out
        assert_shown_not_obeyed(out)


def test_hostile_role_names_in_problems_are_escaped(env: Path) -> None:
    reg = Registry.init(env / "reg", key_dir=env / "keys", notice=lambda _m: None)
    reg.publish(publication())
    # the registry's owner is hostile: a validly signed targets role names a role with escapes
    meta = env / "reg" / "metadata"
    path = meta / "2.targets.json"
    targets = tm.Metadata[tm.Targets].from_bytes(path.read_bytes())
    key = tm.keys_of(
        tm.Metadata[tm.Root].from_bytes((meta / "1.root.json").read_bytes()).signed, "targets"
    )
    tm.delegate(targets.signed, f"c.{HOSTILE}", "x", key)
    path.write_bytes(tm.sign(targets, [load_key(env / "keys" / "default.pem")]))
    code, out = run("verify")
    assert code == 1
    assert_shown_not_obeyed(out)


def test_every_rich_renderable_is_escaped() -> None:
    from rich.table import Table

    from flows.cli.output import stdout_console

    console = stdout_console()
    table = Table("name")
    table.add_row(HOSTILE)
    with console.capture() as captured:
        console.print(table)
        console.print(f"[bold]{HOSTILE}[/]")
    out = captured.get()
    assert "\x1b]0" not in out and "\x07" not in out and "\x9b" not in out, repr(out)
    assert out.count("\\x1b]0;pwned") == 2
