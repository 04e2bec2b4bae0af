"""`flows spec diff` on the widened schema keywords: allOf, readOnly/writeOnly, uniqueItems,
min/maxProperties and discriminators, each with its direction (request vs response)."""

from __future__ import annotations

from typing import Any

import pytest

from connector_spec.diff import diff_specs
from tests.spec.helpers import Mutation, make_spec, op

CREATE = "operations.create_item"


def _body_prop(name: str, **keywords: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        op(data, "create_item")["body"]["schema"]["properties"][name].update(keywords)

    return mutate


def _item_prop(name: str, **keywords: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data["schemas"]["Item"]["properties"][name].update(keywords)

    return mutate


def _kinds(new: Mutation, old: Mutation | None = None) -> list[tuple[str, str, str]]:
    result = diff_specs(make_spec(old), make_spec(new, "2.0.0"))
    return [(c.kind, c.where, c.message) for c in result.changes]


def test_all_of_is_compared_as_the_merged_schema() -> None:
    def split_item(data: dict[str, Any]) -> None:
        item = data["schemas"]["Item"]
        data["schemas"]["Base"] = {
            "type": "object",
            "required": ["id"],
            "properties": {"id": item["properties"].pop("id")},
        }
        item["required"].remove("id")
        data["schemas"]["Item"] = {"allOf": [{"$ref": "#/schemas/Base"}, item]}

    changes = _kinds(split_item)
    assert [c[0] for c in changes] == ["additive"]  # only the new named schema Base
    assert changes[0][1] == "schemas.Base"


@pytest.mark.parametrize(
    ("mutation", "kind", "where"),
    [
        (_body_prop("name", readOnly=True), "breaking", f"{CREATE}.body.name"),
        (_item_prop("created", writeOnly=True), "breaking", "operations.get_item.response.created"),
        (_body_prop("name", uniqueItems=True), "breaking", f"{CREATE}.body.name"),
        (_item_prop("name", uniqueItems=True), "patch", "operations.get_item.response.name"),
    ],
)
def test_one_way_fields_and_unique_items_by_direction(
    mutation: Mutation, kind: str, where: str
) -> None:
    changes = _kinds(mutation)
    assert (kind, where) in [(c[0], c[1]) for c in changes], changes


def test_read_only_dropped_from_a_request_field_is_additive() -> None:
    changes = _kinds(lambda d: None, _body_prop("name", readOnly=True))
    assert ("additive", f"{CREATE}.body.name", "no longer readOnly") in changes


def test_map_size_bounds_tighten_and_loosen() -> None:
    def with_map(bound: int) -> Mutation:
        def mutate(data: dict[str, Any]) -> None:
            op(data, "create_item")["body"]["schema"]["properties"]["tags"] = {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "maxProperties": bound,
            }

        return mutate

    tighter = _kinds(with_map(2), with_map(5))
    assert ("breaking", f"{CREATE}.body.tags", "maxProperties tightened 5 → 2") in tighter
    looser = _kinds(with_map(5), with_map(2))
    assert ("additive", f"{CREATE}.body.tags", "maxProperties loosened 2 → 5") in looser


def test_discriminator_changes() -> None:
    def pet(mapping: dict[str, str], name: str = "kind") -> Mutation:
        def mutate(data: dict[str, Any]) -> None:
            data["schemas"]["Item"]["properties"]["pet"] = {
                "oneOf": [{"$ref": "#/schemas/Item"}, {"type": "string"}],
                "discriminator": {"propertyName": name, "mapping": mapping},
            }

        return mutate

    one = {"a": "#/schemas/Item"}
    two = {"a": "#/schemas/Item", "b": "#/schemas/Item"}
    where = "operations.get_item.response.pet"
    assert ("additive", where, "discriminator mapping extended") in _kinds(pet(two), pet(one))
    assert any(c[:2] == ("breaking", where) for c in _kinds(pet(one), pet(two)))
    assert any(c[:2] == ("breaking", where) for c in _kinds(pet(one, "type"), pet(one)))


def test_recursion_through_inline_all_of_terminates() -> None:
    def expression(extra: str) -> Mutation:
        def mutate(data: dict[str, Any]) -> None:
            data["schemas"]["Item"]["properties"]["filter"] = {"$ref": "#/schemas/Expression"}
            data["schemas"]["Expression"] = {
                "type": "object",
                "properties": {
                    "only": {"allOf": [{"$ref": "#/schemas/Expression"}, {"required": [extra]}]},
                    extra: {"type": "string"},
                },
            }

        return mutate

    changes = _kinds(expression("b"), expression("a"))
    assert any(c[1].endswith(".filter.only.only.b") for c in changes)


def test_body_and_response_content_changes() -> None:
    def whole(data: dict[str, Any]) -> None:
        op(data, "create_item")["body"]["argument"] = "body"

    assert any(c[:2] == ("breaking", f"{CREATE}.body") for c in _kinds(whole))

    def text_response(data: dict[str, Any]) -> None:
        response = op(data, "get_item")["response"]
        response.pop("schema")
        response["content"] = "text"

    changes = _kinds(text_response)
    assert ("breaking", "operations.get_item.response") in [c[:2] for c in changes]

    def media(data: dict[str, Any]) -> None:
        op(data, "create_item")["body"]["media_type"] = "application/merge-patch+json"

    assert [c[0] for c in _kinds(media)] == ["patch"]


def test_auth_and_operation_server_changes() -> None:
    def implicit(data: dict[str, Any]) -> None:
        data["auth"]["obtained_from"] = {"flow": "oauth2_implicit"}

    assert [c[:2] for c in _kinds(implicit)] == [("patch", "auth.obtained_from")]

    def public(data: dict[str, Any]) -> None:
        op(data, "get_item")["auth"] = "none"

    assert ("additive", "operations.get_item.auth") in [c[:2] for c in _kinds(public)]
    assert ("breaking", "operations.get_item.auth") in [
        c[:2] for c in _kinds(lambda d: None, public)
    ]

    def moved(data: dict[str, Any]) -> None:
        op(data, "get_item")["base_url"] = "https://files.acme.example"

    assert ("breaking", "operations.get_item.base_url") in [c[:2] for c in _kinds(moved)]


def test_query_style_is_a_wire_format_patch() -> None:
    def styled(data: dict[str, Any]) -> None:
        op(data, "list_items")["params"][0]["explode"] = False

    changes = _kinds(styled)
    assert [c[0] for c in changes] == ["patch"] and "query style" in changes[0][2]


def test_discriminator_mapping_must_name_a_schema() -> None:
    from connector_spec.rules import check_rules

    def broken(data: dict[str, Any]) -> None:
        data["schemas"]["Item"]["properties"]["pet"] = {
            "oneOf": [{"$ref": "#/schemas/Item"}],
            "discriminator": {"propertyName": "kind", "mapping": {"a": "#/schemas/Nope"}},
        }

    issues = check_rules(make_spec(broken))
    assert [i.loc[-3:] for i in issues] == [("discriminator", "mapping", "a")]
