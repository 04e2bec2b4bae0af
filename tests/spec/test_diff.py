"""`diff_specs` classification: one case per rule, then versions, then the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from connector_spec.diff import SpecDiff, diff_files, diff_specs
from connector_spec.errors import SpecError
from flows.cli.app import app
from tests.spec.helpers import Mutation, dump_yaml, make_spec, op, param, spec_data

runner = CliRunner()
LIST = "operations.list_items"
GET = "operations.get_item"
CREATE = "operations.create_item"


def _diff(
    new: Mutation, old: Mutation | None = None, *, v_old: str = "1.0.0", v_new: str = "1.0.0"
) -> SpecDiff:
    return diff_specs(make_spec(old, v_old), make_spec(new, v_new))


def _pairs(result: SpecDiff) -> list[tuple[str, str]]:
    return [(c.kind, c.where) for c in result.changes]


def _add_body_field(name: str, schema: dict[str, Any], required: bool = False) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        body = op(data, "create_item")["body"]["schema"]
        body["properties"][name] = schema
        if required:
            body["required"].append(name)

    return mutate


def _inline_item(data: dict[str, Any]) -> None:
    """Replace every $ref to Item by an inline copy and drop the named schema."""
    item = data["schemas"].pop("Item")
    for operation in data["operations"]:
        if operation["response"].get("schema") == {"$ref": "#/schemas/Item"}:
            operation["response"]["schema"] = item
    op(data, "list_items")["response"]["schema"]["properties"]["data"]["items"] = item


# ------------------------------------------------------------------ one case per rule

CASES: list[tuple[str, Mutation | None, Mutation, list[tuple[str, str]]]] = [
    (
        "removed operation",
        None,
        lambda d: d["operations"].remove(op(d, "get_item")),
        [("breaking", GET)],
    ),
    (
        "new operation",
        None,
        lambda d: d["operations"].append({**op(d, "get_item"), "id": "get_item_v2"}),
        [("additive", "operations.get_item_v2")],
    ),
    (
        "removed query parameter",
        None,
        lambda d: op(d, "list_items")["params"].remove(param(d, "list_items", "cursor")),
        [("breaking", f"{LIST}.params.cursor")],
    ),
    (
        "new optional parameter",
        None,
        lambda d: op(d, "list_items")["params"].append({"name": "q", "in": "query"}),
        [("additive", f"{LIST}.params.q")],
    ),
    (
        "new required parameter",
        None,
        lambda d: op(d, "list_items")["params"].append(
            {"name": "q", "in": "query", "required": True}
        ),
        [("breaking", f"{LIST}.params.q")],
    ),
    (
        "optional parameter becomes required",
        None,
        lambda d: param(d, "list_items", "cursor").update(required=True),
        [("breaking", f"{LIST}.params.cursor")],
    ),
    (
        "required parameter becomes optional",
        lambda d: param(d, "list_items", "cursor").update(required=True),
        lambda d: None,
        [("additive", f"{LIST}.params.cursor")],
    ),
    (
        "request type narrowed number -> integer",
        lambda d: param(d, "list_items", "limit")["schema"].update(type="number"),
        lambda d: None,
        [("breaking", f"{LIST}.params.limit")],
    ),
    (
        "request type widened integer -> number",
        None,
        lambda d: param(d, "list_items", "limit")["schema"].update(type="number"),
        [("additive", f"{LIST}.params.limit")],
    ),
    (
        "request type changed integer -> string",
        None,
        lambda d: param(d, "list_items", "limit").update(schema={"type": "string"}),
        # the type changed; dropping minimum and maximum loosens
        [("breaking", f"{LIST}.params.limit")] + [("additive", f"{LIST}.params.limit")] * 2,
    ),
    (
        "request maximum tightened",
        None,
        lambda d: param(d, "list_items", "limit")["schema"].update(maximum=50),
        [("breaking", f"{LIST}.params.limit")],
    ),
    (
        "request maximum loosened",
        None,
        lambda d: param(d, "list_items", "limit")["schema"].update(maximum=500),
        [("additive", f"{LIST}.params.limit")],
    ),
    (
        "request minLength tightened",
        None,
        lambda d: op(d, "create_item")["body"]["schema"]["properties"]["name"].update(minLength=3),
        [("breaking", f"{CREATE}.body.name")],
    ),
    (
        "new pattern on a request field",
        None,
        lambda d: op(d, "create_item")["body"]["schema"]["properties"]["name"].update(
            pattern="^[a-z]+$"
        ),
        [("breaking", f"{CREATE}.body.name")],
    ),
    (
        "new optional body field",
        None,
        _add_body_field("color", {"type": "string"}),
        [("additive", f"{CREATE}.body.color")],
    ),
    (
        "new required body field",
        None,
        _add_body_field("color", {"type": "string"}, required=True),
        [("breaking", f"{CREATE}.body.color")],
    ),
    (
        "optional body field becomes required",
        _add_body_field("color", {"type": "string"}),
        _add_body_field("color", {"type": "string"}, required=True),
        [("breaking", f"{CREATE}.body.color")],
    ),
    (
        "removed body field",
        _add_body_field("color", {"type": "string"}),
        lambda d: None,
        [("breaking", f"{CREATE}.body.color")],
    ),
    (
        "removed request enum value",
        _add_body_field("size", {"type": "string", "enum": ["s", "m", "l"]}),
        _add_body_field("size", {"type": "string", "enum": ["s", "m"]}),
        [("breaking", f"{CREATE}.body.size")],
    ),
    (
        "new request enum value",
        _add_body_field("size", {"type": "string", "enum": ["s", "m"]}),
        _add_body_field("size", {"type": "string", "enum": ["s", "m", "l"]}),
        [("additive", f"{CREATE}.body.size")],
    ),
    (
        "request body removed",
        None,
        lambda d: op(d, "create_item").pop("body"),
        [("breaking", f"{CREATE}.body")],
    ),
    (
        "request body encoding changed",
        None,
        lambda d: op(d, "create_item")["body"].update(encoding="form"),
        [("patch", f"{CREATE}.body")],
    ),
    (
        "removed response field (one per operation returning Item)",
        None,
        lambda d: d["schemas"]["Item"]["properties"].pop("created"),
        [
            ("breaking", f"{LIST}.response.data[].created"),
            ("breaking", f"{GET}.response.created"),
            ("breaking", f"{CREATE}.response.created"),
        ],
    ),
    (
        "new response field",
        None,
        lambda d: op(d, "list_items")["response"]["schema"]["properties"].update(
            total={"type": "integer"}
        ),
        [("additive", f"{LIST}.response.total")],
    ),
    (
        "response type widened to nullable",
        None,
        lambda d: op(d, "list_items")["response"]["schema"]["properties"]["next_cursor"].update(
            type=["string", "null", "integer"]
        ),
        [("breaking", f"{LIST}.response.next_cursor")],
    ),
    (
        "response type narrowed",
        None,
        lambda d: op(d, "list_items")["response"]["schema"]["properties"]["next_cursor"].update(
            type="string"
        ),
        [("additive", f"{LIST}.response.next_cursor")],
    ),
    (
        "response field may now be missing",
        None,
        lambda d: op(d, "list_items")["response"]["schema"].update(required=[]),
        [("breaking", f"{LIST}.response.data")],
    ),
    (
        "new response enum value",
        lambda d: op(d, "list_items")["response"]["schema"]["properties"].update(
            state={"type": "string", "enum": ["open"]}
        ),
        lambda d: op(d, "list_items")["response"]["schema"]["properties"].update(
            state={"type": "string", "enum": ["open", "closed"]}
        ),
        [("additive", f"{LIST}.response.state")],
    ),
    (
        "response schema removed",
        None,
        lambda d: op(d, "get_item")["response"].pop("schema"),
        [("breaking", f"{GET}.response")],
    ),
    (
        "changed auth type",
        None,
        lambda d: d.update(
            auth={"type": "api_key", "in": "header", "name": "X-Key", "secret": {"env": "K"}}
        ),
        [("breaking", "auth.type")],
    ),
    (
        "changed auth secret",
        None,
        lambda d: d["auth"].update(secret={"env": "OTHER_TOKEN"}),
        [("breaking", "auth.secret")],
    ),
    (
        "changed base URL host",
        None,
        lambda d: d.update(base_url="https://api.acme.io"),
        [("breaking", "base_url")],
    ),
    (
        "changed base URL path",
        None,
        lambda d: d.update(base_url="https://api.example.com/v2"),
        [("breaking", "base_url")],
    ),
    (
        "base URL trailing slash only",
        None,
        lambda d: d.update(base_url="https://api.example.com/"),
        [("patch", "base_url")],
    ),
    (
        "changed method",
        None,
        lambda d: op(d, "create_item").update(method="PUT"),
        [("breaking", f"{CREATE}.path")],
    ),
    (
        "changed path",
        None,
        lambda d: op(d, "list_items").update(path="/v2/items"),
        [("breaking", f"{LIST}.path")],
    ),
    (
        "moved to another resource",
        None,
        lambda d: op(d, "list_items").update(resource="things"),
        [("breaking", f"{LIST}.resource")],
    ),
    (
        "effects strengthened write -> delete",
        None,
        lambda d: op(d, "create_item").update(effects="delete"),
        [("breaking", f"{CREATE}.effects")],
    ),
    (
        "effects strengthened none -> read",
        lambda d: op(d, "get_item").update(effects="none"),
        lambda d: None,
        [("breaking", f"{GET}.effects")],
    ),
    (
        "effects weakened",
        None,
        lambda d: op(d, "get_item").update(effects="none"),
        [("additive", f"{GET}.effects")],
    ),
    (
        "determinism weakened",
        None,
        lambda d: op(d, "get_item").update(determinism={"mode": "nondeterministic"}),
        [("breaking", f"{GET}.determinism")],
    ),
    (
        "new volatile field",
        None,
        lambda d: op(d, "create_item")["determinism"]["volatile"].append("/name"),
        [("breaking", f"{CREATE}.determinism")],
    ),
    (
        "idempotency weakened",
        None,
        lambda d: op(d, "create_item").update(
            idempotency={"kind": "unsupported", "reason": "the provider has no key header"}
        ),
        [("breaking", f"{CREATE}.idempotency")],
    ),
    (
        "idempotency header renamed",
        None,
        lambda d: op(d, "create_item")["idempotency"].update(header="X-Idempotency-Key"),
        [("patch", f"{CREATE}.idempotency")],
    ),
    (
        "removed capability",
        lambda d: d["capabilities"].append({"name": "acme.items:admin"}),
        lambda d: None,
        [("breaking", "capabilities.acme.items:admin")],
    ),
    (
        "new capability",
        None,
        lambda d: d["capabilities"].append({"name": "acme.items:admin"}),
        [("additive", "capabilities.acme.items:admin")],
    ),
    (
        "capability no longer implies another",
        None,
        lambda d: d["capabilities"][1].update(implies=[]),
        [("breaking", "capabilities.acme.items:write")],
    ),
    (
        "operation needs a stronger capability",
        None,
        lambda d: op(d, "get_item").update(capabilities=["acme.items:write"]),
        [("breaking", f"{GET}.capabilities"), ("additive", f"{GET}.capabilities")],
    ),
    (
        "no longer paginated",
        None,
        lambda d: op(d, "list_items").pop("pagination"),
        [("breaking", f"{LIST}.pagination")],
    ),
    (
        "named schema removed (inlined with the same shape)",
        None,
        _inline_item,
        [("breaking", "schemas.Item")],
    ),
    (
        "new server variable without a default",
        None,
        lambda d: d.update(
            base_url="https://{tenant}.example.com", variables={"tenant": {"kind": "host"}}
        ),
        [("breaking", "base_url"), ("breaking", "variables.tenant")],
    ),
    (
        "operation deprecated",
        None,
        lambda d: op(d, "get_item").update(deprecated=True),
        [("additive", f"{GET}.deprecated")],
    ),
    (
        "summary and description",
        None,
        lambda d: op(d, "get_item").update(summary="Fetch an item.", description="More."),
        [("patch", f"{GET}.summary"), ("patch", f"{GET}.description")],
    ),
    (
        "provider docs",
        None,
        lambda d: d["provider"].update(description="New words.", docs_url="https://acme.dev"),
        [("patch", "provider.description"), ("patch", "provider.docs_url")],
    ),
    (
        "field description",
        None,
        lambda d: d["schemas"]["Item"]["properties"]["id"].update(description="The id."),
        [
            ("patch", f"{LIST}.response.data[].id"),
            ("patch", f"{GET}.response.id"),
            ("patch", f"{CREATE}.response.id"),
        ],
    ),
    (
        "transport tuning",
        None,
        lambda d: d["transport"]["retry"].update(max_attempts=5),
        [("patch", "transport.retry")],
    ),
    (
        "documented errors",
        None,
        lambda d: op(d, "get_item")["errors"].append({"status": 410, "description": "Gone."}),
        [("patch", f"{GET}.errors")],
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [pytest.param(old, new, expected, id=name) for name, old, new, expected in CASES],
)
def test_each_change_is_classified(
    old: Mutation | None, new: Mutation, expected: list[tuple[str, str]]
) -> None:
    result = _diff(new, old)
    assert _pairs(result) == expected
    assert all(change.message for change in result.changes)


def test_identical_specs_have_no_changes() -> None:
    result = _diff(lambda d: None)
    assert result.changes == ()
    assert result.required_bump == "none"
    assert result.minimum_next_version == "1.0.0"
    assert result.version_problem is None


def test_messages_say_what_changed() -> None:
    result = _diff(
        lambda d: param(d, "list_items", "limit")["schema"].update(type="number"), lambda d: None
    )
    assert result.changes[0].message == "type widened integer → number"
    narrowed = _diff(
        lambda d: None, lambda d: param(d, "list_items", "limit")["schema"].update(type="number")
    )
    assert narrowed.changes[0].message == "type narrowed number → integer"
    removed = _diff(
        _add_body_field("size", {"type": "string", "enum": ["s", "m"]}),
        _add_body_field("size", {"type": "string", "enum": ["s", "m", "l"]}),
    )
    assert removed.changes[0].message == "enum value 'l' no longer accepted"


def test_recursive_schemas_terminate() -> None:
    def tree(description: str) -> Mutation:
        def mutate(data: dict[str, Any]) -> None:
            data["schemas"]["Node"] = {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": description},
                    "children": {"type": "array", "items": {"$ref": "#/schemas/Node"}},
                },
            }
            op(data, "get_item")["response"]["schema"] = {"$ref": "#/schemas/Node"}

        return mutate

    result = _diff(tree("new"), tree("old"))
    assert _pairs(result) == [("patch", f"{GET}.response.name")]


def test_changes_are_json_ready() -> None:
    result = _diff(lambda d: d["operations"].remove(op(d, "get_item")))
    payload = json.loads(json.dumps(result.to_json()))
    assert payload["changes"] == [
        {"kind": "breaking", "where": GET, "message": "operation 'get_item' removed"}
    ]
    assert payload["counts"] == {"breaking": 1, "additive": 0, "patch": 0}
    assert payload["required_bump"] == "major"
    assert payload["minimum_next_version"] == "2.0.0"
    assert payload["ok"] is False
    assert "2.0.0" in payload["version_problem"]


# ------------------------------------------------------------------ versions

REMOVE_OP: Mutation = lambda d: d["operations"].remove(op(d, "get_item"))  # noqa: E731
ADD_PARAM: Mutation = lambda d: op(d, "list_items")["params"].append(  # noqa: E731
    {"name": "q", "in": "query"}
)
DOCS: Mutation = lambda d: op(d, "get_item").update(summary="Other words.")  # noqa: E731


@pytest.mark.parametrize(
    ("mutation", "old", "bump", "minimum"),
    [
        (REMOVE_OP, "1.2.3", "major", "2.0.0"),
        (ADD_PARAM, "1.2.3", "minor", "1.3.0"),
        (DOCS, "1.2.3", "patch", "1.2.4"),
        (REMOVE_OP, "0.4.1", "minor", "0.5.0"),
        (ADD_PARAM, "0.4.1", "patch", "0.4.2"),
        (DOCS, "0.4.1", "patch", "0.4.2"),
        (REMOVE_OP, "2.0.0-rc.1", "major", "2.0.0"),
        (REMOVE_OP, "2.1.0-rc.1", "major", "3.0.0"),
        (ADD_PARAM, "1.2.3+build.7", "minor", "1.3.0"),
    ],
)
def test_required_bump_and_minimum(mutation: Mutation, old: str, bump: str, minimum: str) -> None:
    result = _diff(mutation, v_old=old, v_new=minimum)
    assert (result.required_bump, result.minimum_next_version) == (bump, minimum)
    assert result.version_problem is None


def test_too_small_bump_is_a_version_problem() -> None:
    result = _diff(REMOVE_OP, v_old="1.2.3", v_new="1.3.0")
    assert result.version_problem is not None
    assert "1.3.0 is too low" in result.version_problem
    assert "major bump" in result.version_problem
    assert "2.0.0" in result.version_problem
    assert [c.where for c in result.breaking] == [GET]


def test_prerelease_of_the_minimum_is_too_low_by_semver_precedence() -> None:
    result = _diff(REMOVE_OP, v_old="1.2.3", v_new="2.0.0-rc.1")
    assert result.minimum_next_version == "2.0.0"
    assert result.version_problem is not None


def test_higher_bump_than_needed_is_fine() -> None:
    assert _diff(DOCS, v_old="1.2.3", v_new="3.0.0").version_problem is None


def test_version_going_backwards_without_changes() -> None:
    result = _diff(lambda d: None, v_old="1.2.3", v_new="1.2.0")
    assert result.changes == ()
    assert result.version_problem is not None
    assert "backwards" in result.version_problem


# ------------------------------------------------------------------ files and the CLI


def _write(path: Path, mutate: Mutation | None, version: str) -> Path:
    path.write_text(dump_yaml(spec_data(mutate, version)), encoding="utf-8")
    return path


def test_diff_files_loads_both(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.yaml", None, "1.0.0")
    new = _write(tmp_path / "new.yaml", ADD_PARAM, "1.1.0")
    result = diff_files(old, new)
    assert _pairs(result) == [("additive", f"{LIST}.params.q")]


def test_diff_files_reports_a_bad_spec_with_its_place(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.yaml", None, "1.0.0")
    new = _write(tmp_path / "new.yaml", lambda d: d["provider"].update(nmae="x"), "1.1.0")
    with pytest.raises(SpecError) as info:
        diff_files(old, new)
    assert "new.yaml:" in info.value.diagnostics()
    assert "did you mean 'name'?" in info.value.diagnostics()


def test_cli_diff_ok(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.yaml", None, "1.0.0")
    new = _write(tmp_path / "new.yaml", ADD_PARAM, "1.1.0")
    result = runner.invoke(app, ["spec", "diff", str(old), str(new)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "additive" in result.output
    assert "operations.list_items.params.q" in result.output
    assert "minimum bump: minor (1.0.0 → at least 1.1.0)" in result.output


def test_cli_diff_too_small_bump_exits_1(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.yaml", None, "1.0.0")
    new = _write(tmp_path / "new.yaml", REMOVE_OP, "1.0.1")
    result = runner.invoke(app, ["spec", "diff", str(old), str(new)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "breaking" in result.output
    assert "2.0.0" in result.output


def test_cli_diff_json(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.yaml", None, "1.0.0")
    new = _write(tmp_path / "new.yaml", REMOVE_OP, "1.0.1")
    result = runner.invoke(app, ["spec", "diff", str(old), str(new), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["required_bump"] == "major"
    assert payload["changes"][0]["where"] == GET


def test_cli_diff_no_changes(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.yaml", None, "1.0.0")
    result = runner.invoke(app, ["spec", "diff", str(old), str(old)])
    assert result.exit_code == 0
    assert "no changes" in result.output


def test_cli_diff_missing_file_is_bad_input(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.yaml", None, "1.0.0")
    result = runner.invoke(app, ["spec", "diff", str(old), str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml: file not found" in result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------------ generated names


def _add_list_op(data: dict[str, Any]) -> None:
    """A new operation ``list`` on ``items``: its method name collides with ``list_items``'s."""
    added = dict(op(data, "list_items"), id="list")
    added.pop("sources", None)
    data["operations"].append(added)


def test_a_new_operation_that_renames_a_method_is_breaking() -> None:
    result = _diff(_add_list_op)
    renamed = [c for c in result.changes if c.where == LIST]
    assert [c.kind for c in renamed] == ["breaking"]
    assert "client.items.list() → client.items.list_items()" in renamed[0].message
    assert result.required_bump == "major"


def test_renaming_a_declared_error_class_is_breaking() -> None:
    def named(name: str | None) -> Mutation:
        def mutate(data: dict[str, Any]) -> None:
            error: dict[str, Any] = {"status": 404, "description": "No such item."}
            if name:
                error["name"] = name
            op(data, "get_item")["errors"] = [error]

        return mutate

    result = _diff(named("ItemMissingError"), named(None))
    assert ("breaking", f"{GET}.errors") in _pairs(result)
    same = _diff(named(None), named(None))
    assert same.changes == ()
