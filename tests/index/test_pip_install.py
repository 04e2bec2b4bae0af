"""Real pip (and uv) install published connectors from the registry's simple index.

The registry is made by the real publish pipeline (certified, gated, signed); it is served by
``http.server`` on 127.0.0.1 and read through ``file://``. Each install goes into a fresh
virtual environment that already sees httpx and pydantic, so nothing is downloaded from
anywhere but the registry.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.publish import publish_connector
from registry import Registry
from tests.conftest import SMALL_SEEDS
from tests.index.helpers import fresh_venv, installed_version, pip, pip_env, serve

PROJECT = "flows-connector-stripe"
CLIENT_CALL = textwrap.dedent(
    """\
    import httpx, flows_stripe
    def handler(request):
        return httpx.Response(200, json={"id": "ch_1", "object": "charge", "amount": 5,
            "currency": "usd", "created": 1, "livemode": False, "paid": True,
            "status": "succeeded", "metadata": {}})
    client = flows_stripe.StripeClient(credentials={"STRIPE_API_KEY": "sk_test_x"},
                                       transport=httpx.MockTransport(handler))
    print(client.charges.retrieve(charge="ch_1").amount)
    """
)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry holding stripe 1.0.0 and 1.0.1, the latter yanked."""
    base = tmp_path_factory.mktemp("pip-registry")
    root, keys = base / "registry", base / "keys"
    for version in ("1.0.0", "1.0.1"):
        work = base / f"stripe-{version}"
        shutil.copytree(
            SMALL_SEEDS / "stripe", work, ignore=shutil.ignore_patterns("__pycache__", "build")
        )
        spec = work / "connector.yaml"
        text = spec.read_text()
        spec.write_text(re.sub(r"(?m)^  version: 1\.0\.0$", f"  version: {version}", text))
        shutil.rmtree(work / "flows_stripe")  # certify the package rendered from this spec
        publish_connector(spec, registry=root, key_dir=keys, notice=lambda _: None)
    Registry.open(root, key_dir=keys).yank(PROJECT.rsplit("-", 1)[1], "1.0.1", "wrong base URL")
    return root


@pytest.fixture(scope="module")
def served(published: Path) -> Iterator[tuple[str, list[str]]]:
    with serve(published) as (url, seen):
        yield url, seen


def run_client(python: Path) -> str:
    done = subprocess.run(
        [str(python), "-c", CLIENT_CALL], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_pip_installs_the_newest_unyanked_version_over_http(
    served: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, seen = served
    python = fresh_venv(tmp_path / "venv")
    done = pip(python, "--index-url", f"{url}/simple", PROJECT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert installed_version(python, PROJECT) == "1.0.0"  # 1.0.1 is yanked
    assert run_client(python) == "5"
    wheel = "/targets/stripe/1.0.0/flows_connector_stripe-1.0.0-py3-none-any.whl"
    assert wheel in seen
    assert f"{wheel}.metadata" in seen  # PEP 658: pip read the core metadata file first
    assert not any("1.0.1" in path and path.endswith(".whl") for path in seen)


def test_a_yanked_version_is_installed_only_when_pinned(
    served: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, _ = served
    python = fresh_venv(tmp_path / "venv")
    done = pip(python, "--index-url", f"{url}/simple", f"{PROJECT}==1.0.1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert installed_version(python, PROJECT) == "1.0.1"
    assert "wrong base URL" in done.stdout + done.stderr  # pip shows the yank reason


def test_pip_installs_from_a_file_url(published: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    done = pip(python, "--index-url", (published / "simple").as_uri(), PROJECT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert installed_version(python, PROJECT) == "1.0.0"


def test_uv_pip_installs_over_http(served: tuple[str, list[str]], tmp_path: Path) -> None:
    uv = str(Path(sys.executable).parent / "uv")
    if not Path(uv).is_file():
        pytest.skip("uv is not installed (the dev extra installs it from PyPI)")
    url, _ = served
    python = fresh_venv(tmp_path / "venv")
    done = subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--python",
            str(python),
            "--no-cache",
            "--index-url",
            f"{url}/simple",
            "--no-deps",
            PROJECT,
        ],
        capture_output=True,
        text=True,
        env=pip_env(),
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert installed_version(python, PROJECT) == "1.0.0"
    assert run_client(python) == "5"


def test_a_lock_file_installs_exactly_the_verified_wheel_with_require_hashes(
    published: Path, served: tuple[str, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = served
    monkeypatch.setenv("FLOWS_TRUST_DIR", str(tmp_path / "trust"))
    lock = tmp_path / "connectors.lock"
    result = CliRunner().invoke(
        app, ["registry", "lock", "stripe", "--registry", url, "--out", str(lock)]
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    text = lock.read_text()
    assert f"--index-url {url}/simple" in text
    assert re.search(rf"(?m)^{PROJECT}==1\.0\.0 \\\n    --hash=sha256:[0-9a-f]{{64}}$", text)
    python = fresh_venv(tmp_path / "venv")
    done = pip(python, "--require-hashes", "--no-deps", "-r", str(lock))
    assert done.returncode == 0, done.stdout + done.stderr
    assert installed_version(python, PROJECT) == "1.0.0"
    assert run_client(python) == "5"


def test_pip_refuses_a_wheel_that_differs_from_the_locked_hash(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWS_TRUST_DIR", str(tmp_path / "trust"))
    copy = tmp_path / "mirror"
    shutil.copytree(published, copy, symlinks=True)
    lock = tmp_path / "connectors.lock"
    result = CliRunner().invoke(
        app, ["registry", "lock", "stripe@1.0.0", "--registry", str(copy), "--out", str(lock)]
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    wheel = copy / "targets/stripe/1.0.0/flows_connector_stripe-1.0.0-py3-none-any.whl"
    wheel.write_bytes(wheel.read_bytes() + b"\0")  # the mirror serves other bytes later
    python = fresh_venv(tmp_path / "venv")
    done = pip(python, "--require-hashes", "--no-deps", "-r", str(lock))
    assert done.returncode != 0
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in done.stdout + done.stderr
