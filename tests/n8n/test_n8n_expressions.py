"""Expression translation: n8n's common forms become structured references."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.ir.model import FromAi, Js, Ref, Template
from flows.n8n.expressions import translate_segment, translate_value


@pytest.mark.parametrize(
    ("source", "ref", "node", "scope", "path"),
    [
        ("={{ $json.email }}", "input.item.email", None, "item", ["email"]),
        ('={{ $json["first name"] }}', 'input.item["first name"]', None, "item", ["first name"]),
        ("={{ $json.items[0].id }}", "input.item.items[0].id", None, "item", ["items", 0, "id"]),
        ("={{ $json.a?.b }}", "input.item.a.b", None, "item", ["a", "b"]),
        ("={{ $json }}", "input.item", None, "item", []),
        ("={{ $input.item.json.x }}", "input.item.x", None, "item", ["x"]),
        ("={{ $input.first().json.x }}", "input.items[0].x", None, "first", ["x"]),
        ("={{ $input.last().json.x }}", "input.items[-1].x", None, "last", ["x"]),
        ("={{ $input.all() }}", "input.items", None, "items", []),
        ("={{ $('Fetch').item.json.id }}", "nodes.Fetch.output.item.id", "Fetch", "item", ["id"]),
        (
            "={{ $('Get rows').first().json.total }}",
            'nodes["Get rows"].output.items[0].total',
            "Get rows",
            "first",
            ["total"],
        ),
        ('={{ $("Fetch").all() }}', "nodes.Fetch.output.items", "Fetch", "items", []),
        ('={{ $node["Fetch"].json.id }}', "nodes.Fetch.output.item.id", "Fetch", "item", ["id"]),
        (
            "={{$node['My Node'].json['a']}}",
            'nodes["My Node"].output.item.a',
            "My Node",
            "item",
            ["a"],
        ),
        ("={{ $node.Fetch.json.id }}", "nodes.Fetch.output.item.id", "Fetch", "item", ["id"]),
    ],
)
def test_references_are_structured(
    source: str, ref: str, node: str | None, scope: str, path: list[str | int]
) -> None:
    value = translate_value(source)
    assert isinstance(value, Ref)
    assert (value.ref, value.node, value.scope, value.path) == (ref, node, scope, path)


def test_quoted_node_names_with_quotes_inside() -> None:
    value = translate_value("={{ $('When clicking \"Test workflow\"').item.json.a }}")
    assert isinstance(value, Ref)
    assert value.node == 'When clicking "Test workflow"'


def test_text_around_references_becomes_a_template() -> None:
    value = translate_value("=Hello {{ $json.name }}, order {{ $('Order').item.json.id }}!")
    assert isinstance(value, Template)
    kinds = [type(p).__name__ if not isinstance(p, str) else p for p in value.template]
    assert kinds == ["Hello ", "Ref", ", order ", "Ref", "!"]


@pytest.mark.parametrize(
    "code",
    [
        "$json.name.toUpperCase()",
        "$now.toISO()",
        "JSON.stringify($json)",
        "$json.a + 1",
        "$('X').item.binary.data",
        "$input.item.json.x ? 1 : 2",
        "$env.SECRET",
    ],
)
def test_other_javascript_is_kept_verbatim_and_flagged(code: str) -> None:
    value = translate_value("={{ " + code + " }}")
    assert isinstance(value, Js)
    assert value.js == code
    assert value.untranslated is True


def test_plain_values_pass_through() -> None:
    assert translate_value("plain") == "plain"
    assert translate_value("=no braces") == "no braces"
    assert translate_value(3) == 3
    assert translate_value({"a": ["={{ $json.x }}"]})["a"][0].ref == "input.item.x"


def test_resource_locators_are_unwrapped() -> None:
    value = translate_value({"__rl": True, "mode": "id", "value": "={{ $json.id }}"})
    assert isinstance(value, Ref)
    assert value.path == ["id"]


@given(st.text(max_size=200))
def test_any_segment_translates_without_error(code: str) -> None:
    result = translate_segment(code)
    assert isinstance(result, Ref | Js)


@given(st.text(max_size=300))
def test_any_expression_string_translates(text: str) -> None:
    result = translate_value("=" + text)
    assert isinstance(result, str | Ref | Js | Template)


def test_from_ai_placeholders_become_typed_tool_arguments() -> None:
    value = translate_value("={{ $fromAI('limit', 'how many rows', 'number', 10) }}")
    assert value == FromAi(from_ai="limit", description="how many rows", type="number", default=10)
    text = translate_value('=Hi {{ $fromAi("name") }}!')
    assert text.template == ["Hi ", FromAi(from_ai="name"), "!"]
    # a default that is not a scalar is kept as its JSON text; an unknown type is a string
    value = translate_value("={{ $fromAI('q', 'filter', 'object', [{\"a\": 1}]) }}")
    assert (value.type, value.default) == ("string", '[{"a": 1}]')
    # more JavaScript around it is not a placeholder
    assert isinstance(translate_value("={{ $fromAI('n') + 1 }}"), Js)


def test_from_ai_with_huge_whitespace_is_read_in_linear_time() -> None:
    # an unclosed call padded with spaces once made the matcher search quadratically (a hang)
    text = "={{ $fromAI('a', " + " " * 200_000 + "x }}"
    assert isinstance(translate_value(text), Js)


def test_from_ai_default_json_cannot_hold_stays_text() -> None:
    value = translate_value("={{ $fromAI('n', 'count', 'number', 1e999) }}")
    assert value.default == "1e999"


def test_from_ai_placeholders_n8n_writes_itself_are_read() -> None:
    value = translate_value(
        "={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('q', `the query (e.g. 'a')`, "
        "'string') }}"
    )
    assert value == FromAi(from_ai="q", description="the query (e.g. 'a')", type="string")
    # a template literal that interpolates is JavaScript, not a placeholder
    assert isinstance(translate_value("={{ $fromAI('q', `for ${$json.x}`) }}"), Js)
