"""Codegen faults found on real API descriptions, each from a minimal real-world-shaped schema.

Every generated package here must import, decode what the provider sends and validate what the
caller sends; the whole package must also be mypy --strict clean.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from connector_spec.codegen import render_package
from connector_spec.errors import SpecError
from connector_spec.loader import load_spec
from tests.codegen.specs import generate_and_import, minimal_spec, read_op, write_spec

SCHEMAS: dict[str, Any] = {
    # NameError: an alias used by another alias before its own definition (22 packages).
    "TagList": {"type": "array", "items": {"$ref": "#/schemas/Tag"}},
    "Tag": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    # OpenAI: a schema called Engine used to shadow the runtime's Engine class.
    "Engine": {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string"}, "tags": {"$ref": "#/schemas/TagList"}},
        # GitHub: a description ending in a quote closed the docstring early.
        "description": 'An engine, as in "the model\'s engine" \\ see """docs""" "',
    },
    # A pattern on an integer (JSON Schema ignores it for numbers) raised TypeError on import.
    "Counter": {
        "type": "object",
        "properties": {"count": {"type": "integer", "pattern": "^[0-9]+$", "minimum": 0}},
    },
    # Look-around is not Rust regex syntax: pydantic-core could not compile it.
    "Handle": {
        "type": "object",
        "required": ["login"],
        "properties": {"login": {"type": "string", "pattern": "^(?!admin$)[a-z]+$"}},
    },
    # Recursion through an array item, and through an alias of its own (JSON values).
    "Node": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/schemas/Node"}},
        },
    },
    # Airflow: a class named like a builtin (ImportError), used before its definition.
    "ImportErrorCollection": {
        "type": "object",
        "properties": {
            "import_errors": {"type": "array", "items": {"$ref": "#/schemas/ImportError"}}
        },
    },
    "ImportError": {"type": "object", "properties": {"filename": {"type": "string"}}},
    # DynamoDB: a field called BOOL (-> `bool`) shadowed the type in later annotations.
    "AttributeValue": {
        "type": "object",
        "properties": {"BOOL": {"type": "boolean"}, "NULL": {"type": "boolean"}},
    },
    # AWS Cost Explorer: a filter expression that nests itself through allOf wrappers, once
    # with only a description beside the $ref, once adding a requirement of its own.
    "Expression": {
        "type": "object",
        "properties": {
            "Or": {"type": "array", "items": {"$ref": "#/schemas/Expression"}},
            "Not": {
                "allOf": [
                    {"$ref": "#/schemas/Expression"},
                    {"description": "Return results that don't match."},
                ]
            },
            "Only": {"allOf": [{"$ref": "#/schemas/Expression"}, {"required": ["Or"]}]},
        },
    },
    "JsonValue": {
        "anyOf": [
            {"type": "string"},
            {"type": "number"},
            {"type": "array", "items": {"$ref": "#/schemas/JsonValue"}},
            {"type": "object", "additionalProperties": {"$ref": "#/schemas/JsonValue"}},
        ]
    },
}

OPERATIONS = [
    read_op(
        "get_engine",
        "/engines/{id}",
        {"$ref": "#/schemas/Engine"},
        summary='Retrieve an "engine"',
        params=[{"name": "id", "in": "path", "required": True}],
    ),
    read_op("get_tags", "/tags", {"$ref": "#/schemas/TagList"}),
    read_op("get_counter", "/counter", {"$ref": "#/schemas/Counter"}),
    read_op("get_tree", "/tree", {"$ref": "#/schemas/Node"}),
    read_op("get_value", "/value", {"$ref": "#/schemas/JsonValue"}),
    read_op("get_filter", "/filter", {"$ref": "#/schemas/Expression"}),
    read_op("get_errors", "/errors", {"$ref": "#/schemas/ImportErrorCollection"}),
    # n-auth, AWS Omics: a resource `global` / `import` and an operation `import`.
    dict(
        read_op("import", "/import", {"$ref": "#/schemas/AttributeValue"}),
        resource="global",
    ),
    {
        "id": "rename",
        "resource": "things",
        "summary": "Rename a handle.",
        "method": "PUT",
        "path": "/handle",
        "body": {"schema": {"$ref": "#/schemas/Handle"}},
        "response": {"status": 204},
        "effects": "write",
        "determinism": {"mode": "strict"},
        "idempotency": {"kind": "natural", "natural_key": ["login"]},
    },
]


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("faults")
    spec = minimal_spec("faults", SCHEMAS, OPERATIONS)
    spec["provider"]["display_name"] = 'Faults """Inc"'
    spec["auth"]["secret"] = {"store": 'vault/"""key"'}
    generate_and_import(directory, spec)
    return directory


@pytest.fixture
def pkg(package_dir: Path, generated: Any) -> ModuleType:
    module: ModuleType = generated(package_dir, "flows_faults")
    return module


def _client(pkg: ModuleType, body: Any, seen: list[httpx.Request] | None = None) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(200, json=body) if body is not None else httpx.Response(204)

    return pkg.FaultsClient(
        secret_store=lambda key: "t0ken",
        transport=httpx.MockTransport(handler),
    )


def test_alias_used_before_its_definition_imports_and_decodes(pkg: ModuleType) -> None:
    assert _client(pkg, ["a", 2]).things.get_tags() == ["a", 2]


def test_schema_named_like_a_runtime_class_does_not_shadow_it(pkg: ModuleType) -> None:
    engine = _client(pkg, {"id": "davinci", "tags": ["x"]}).things.get_engine(id="davinci")
    assert type(engine).__name__ == "Engine2" and engine.id == "davinci"
    client = _client(pkg, {"id": "e"})
    assert type(client._engine).__name__ == "Engine"


def test_descriptions_with_quotes_and_backslashes_are_kept_verbatim(pkg: ModuleType) -> None:
    models = importlib.import_module("flows_faults.models")
    assert models.Engine2.__doc__ == SCHEMAS["Engine"]["description"]
    method_doc = pkg.FaultsClient.__init__  # the package imported at all: docstrings are valid
    assert method_doc is not None
    assert 'Retrieve an "engine"' in (pkg.client.ThingsResource.get_engine.__doc__ or "")


def test_pattern_on_an_integer_is_ignored_as_json_schema_says(pkg: ModuleType) -> None:
    assert _client(pkg, {"count": 7}).things.get_counter().count == 7
    with pytest.raises(pkg.DecodeError):
        _client(pkg, {"count": -1}).things.get_counter()  # minimum still applies


def test_look_around_pattern_is_validated_with_python_re(pkg: ModuleType) -> None:
    seen: list[httpx.Request] = []
    _client(pkg, None, seen).things.rename(login="octocat")
    assert seen[0].content == b'{"login":"octocat"}'
    with pytest.raises(pkg.RequestValidationError):
        _client(pkg, None).things.rename(login="admin")


def test_python_keywords_and_builtin_names_are_escaped(pkg: ModuleType) -> None:
    value = _client(pkg, {"BOOL": True, "NULL": False}).global_.import_()
    assert value.bool_ is True and value.null is False
    errors = _client(pkg, {"import_errors": [{"filename": "dag.py"}]}).things.get_errors()
    assert type(errors.import_errors[0]).__name__ == "ImportError2"


def test_recursive_schemas_decode_at_any_depth(pkg: ModuleType) -> None:
    tree = _client(pkg, {"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]})
    result = tree.things.get_tree()
    assert result.children[0].children[0].name == "c"
    nested = {"Not": {"Or": [{"Not": {}}], "Only": {"Or": []}}}
    expression = _client(pkg, nested).things.get_filter()
    assert type(expression.not_).__name__ == "Expression"
    assert expression.not_.only.or_ == []
    with pytest.raises(pkg.DecodeError):
        _client(pkg, {"Only": {}}).things.get_filter()  # Only requires Or
    value = {"k": [1.5, "x", {"deep": ["y"]}]}
    assert _client(pkg, value).things.get_value() == value


def test_generation_is_byte_identical_and_mypy_strict_clean(package_dir: Path) -> None:
    loaded = load_spec(package_dir / "connector.yaml")
    assert render_package(loaded).files == render_package(loaded).files
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent))
    if mypy is None:
        pytest.skip("mypy is not installed")
    result = subprocess.run(
        [mypy, "--strict", "--no-incremental", "--follow-imports=silent", "flows_faults"],
        cwd=package_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("schemas", "where"),
    [
        ({"A": {"$ref": "#/schemas/B"}, "B": {"$ref": "#/schemas/A"}}, "schemas.A.$ref"),
        ({"A": {"allOf": [{"$ref": "#/schemas/A"}]}}, "schemas.A.allOf[0].$ref"),
    ],
)
def test_a_pure_ref_cycle_is_refused_at_the_ref(
    tmp_path: Path, schemas: dict[str, Any], where: str
) -> None:
    spec = minimal_spec("cycle", schemas, [read_op("get", "/x", {"type": "object"})])
    with pytest.raises(SpecError) as caught:
        load_spec(write_spec(tmp_path, spec))
    text = caught.value.diagnostics()
    assert where in text and "cycle" in text and "→" in text


def test_required_names_from_another_all_of_member_are_accepted(tmp_path: Path) -> None:
    # Azure: the resource's `location` is defined by the base and required by the extension.
    schemas = {
        "TrackedResource": {"type": "object", "properties": {"location": {"type": "string"}}},
        "Store": {
            "allOf": [
                {"$ref": "#/schemas/TrackedResource"},
                {"required": ["location"], "properties": {"sku": {"type": "string"}}},
            ]
        },
    }
    spec = minimal_spec("azure", schemas, [read_op("get", "/s", {"$ref": "#/schemas/Store"})])
    loaded = load_spec(write_spec(tmp_path, spec))
    models = render_package(loaded).files["flows_azure/models.py"].decode()
    assert "    location: str\n" in models  # merged: required and defined


def test_the_faults_spec_certifies(package_dir: Path) -> None:
    from certify import certify_connector

    result = certify_connector(package_dir / "connector.yaml", connector_dir=package_dir)
    failed = [f"{c.id} {c.operation}: {c.message}" for c in result.checks if c.failed]
    assert failed == []


def test_string_literals_are_valid_utf8_python_whatever_the_text() -> None:
    from connector_spec.codegen.models import pystr

    for text in ('plain "quoted"', "it's", "Zürich €", "lone \ud800 surrogate", "a\\b\n"):
        literal = pystr(text)
        assert eval(literal) == text  # our own literal
        literal.encode("utf-8")
