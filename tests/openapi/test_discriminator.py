"""A ``oneOf`` with a ``discriminator``: imported, generated, and decoded into the variant the
property's value names (Cat and Dog declare the same fields, so nothing else tells them apart).
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import TypeAdapter, ValidationError
from typer.testing import CliRunner

from certify import certify_connector
from connector_spec.loader import load_spec
from flows.cli.app import app
from tests.conftest import import_generated

DATA = Path(__file__).parent / "data"
runner = CliRunner()


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ModuleType]:
    out = tmp_path_factory.mktemp("pets")
    imported = runner.invoke(
        app, ["import", "openapi", str(DATA / "discriminator.yaml"), "--out", str(out)]
    )
    assert imported.exit_code == 0, imported.output
    spec_path = out / "pets-example-com-pets" / "connector.yaml"
    generated = runner.invoke(app, ["generate", "connector", str(spec_path)])
    assert generated.exit_code == 0, generated.output
    return spec_path, import_generated(spec_path.parent, "flows_pets_example_com_pets")


def test_the_mapping_says_what_openapi_leaves_implicit(
    package: tuple[Path, ModuleType],
) -> None:
    spec = load_spec(package[0]).spec
    rule = spec.schemas["Pet"].discriminator
    assert rule is not None and rule.property_name == "petType"
    # 'dog' is mapped in the description; Cat is selected by its component's name
    assert rule.mapping == {"dog": "#/schemas/Dog", "Cat": "#/schemas/Cat"}


def test_the_client_decodes_the_variant_the_property_names(
    package: tuple[Path, ModuleType],
) -> None:
    models = importlib.import_module(f"{package[1].__name__}.models")
    pet = TypeAdapter(models.Pet)
    dog = pet.validate_python({"petType": "dog", "name": "Rex"})
    cat = pet.validate_python({"petType": "Cat", "name": "Tom"})
    assert type(dog) is models.Dog  # a union without the discriminator picks Cat (first)
    assert type(cat) is models.Cat
    assert pet.validate_python(dog) is dog  # a model instance is its own variant
    # a value the description does not map (a variant added since) decodes as a union would
    assert type(pet.validate_python({"petType": "parrot", "name": "Polly"})) is models.Cat
    with pytest.raises(ValidationError):
        pet.validate_python({"petType": "dog"})  # the variant's own fields are still checked


def test_the_package_is_clean_and_certifies(package: tuple[Path, ModuleType]) -> None:
    spec_path, _ = package
    tools = Path(sys.executable).parent
    ruff = shutil.which("ruff", path=str(tools)) or "ruff"
    code = str(spec_path.parent / "flows_pets_example_com_pets")
    for args in (["check"], ["format", "--check"]):
        done = subprocess.run(
            [ruff, *args, "--isolated", "--line-length", "100", code],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    certified = certify_connector(spec_path)
    assert certified.passed, [(c.id, c.operation, c.message) for c in certified.failed]
    assert certified.level == "certified"
