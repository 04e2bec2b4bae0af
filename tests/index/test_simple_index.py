"""Every commit writes a PEP 503/691 index with PEP 658/714 metadata and PEP 592 yanks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from registry import Registry, RegistryReader
from registry import publish as publish_module
from tests.index.helpers import tiny_wheel, wheel_publication

PAGE = "simple/flows-connector-stripe/index.html"


class Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append(dict(attrs))


def anchors(path: Path) -> list[dict[str, str | None]]:
    parser = Anchors()
    parser.feed(path.read_text())
    return parser.anchors


def follow(root: Path, page: str, href: str) -> Path:
    """The file a relative link on ``page`` points to, resolved as a URL (as pip does)."""
    url = urljoin((root / page).as_uri(), href.split("#")[0])
    return Path(unquote(urlparse(url).path))


@pytest.fixture
def two_versions(reg: Registry) -> Registry:
    reg.publish(wheel_publication("stripe", "1.0.0"))
    reg.publish(wheel_publication("stripe", "1.1.0"))
    reg.publish(wheel_publication("acme-crm", "0.1.0"))
    reg.yank("stripe", "1.1.0", 'sends "amount" in cents <twice>')
    return reg


def test_project_page_links_each_wheel_with_hash_metadata_and_yank(two_versions: Registry) -> None:
    root = two_versions.root
    links = {a["href"].split("#")[0].rsplit("/", 1)[1]: a for a in anchors(root / PAGE)}  # type: ignore[union-attr]
    assert set(links) == {
        "flows_connector_stripe-1.0.0-py3-none-any.whl",
        "flows_connector_stripe-1.1.0-py3-none-any.whl",
    }
    for name, version in (("stripe", "1.0.0"), ("stripe", "1.1.0")):
        filename, wheel = tiny_wheel(name, version)
        anchor = links[filename]
        href = str(anchor["href"])
        assert href.endswith("#sha256=" + hashlib.sha256(wheel).hexdigest())
        assert follow(root, PAGE, href).read_bytes() == wheel
        assert anchor["data-requires-python"] == ">=3.11"
        metadata = follow(root, PAGE, href).with_name(filename + ".metadata").read_bytes()
        assert b"Name: flows-connector-stripe" in metadata
        digest = "sha256=" + hashlib.sha256(metadata).hexdigest()
        assert anchor["data-core-metadata"] == anchor["data-dist-info-metadata"] == digest
    assert "data-yanked" not in links["flows_connector_stripe-1.0.0-py3-none-any.whl"]
    yanked = links["flows_connector_stripe-1.1.0-py3-none-any.whl"]["data-yanked"]
    assert yanked == 'sends "amount" in cents <twice>'


def test_json_pages_follow_pep_691(two_versions: Registry) -> None:
    root = two_versions.root
    top = json.loads((root / "simple/index.json").read_text())
    assert top["meta"]["api-version"].startswith("1.")
    assert [p["name"] for p in top["projects"]] == [
        "flows-connector-acme-crm",
        "flows-connector-stripe",
    ]
    assert 'href="flows-connector-acme-crm/"' in (root / "simple/index.html").read_text()
    page = json.loads((root / "simple/flows-connector-stripe/index.json").read_text())
    assert page["name"] == "flows-connector-stripe"
    assert page["versions"] == ["1.0.0", "1.1.0"]
    first, second = page["files"]
    _, wheel = tiny_wheel("stripe", "1.0.0")
    assert first["hashes"] == {"sha256": hashlib.sha256(wheel).hexdigest()}
    assert first["requires-python"] == ">=3.11"
    assert "sha256" in first["core-metadata"] and "yanked" not in first
    assert second["yanked"] == 'sends "amount" in cents <twice>'
    assert follow(root, "simple/flows-connector-stripe/index.json", first["url"]).is_file()


def test_the_views_are_signed_targets_and_verify_reports_tampering(
    two_versions: Registry, reader: Callable[..., RegistryReader]
) -> None:
    assert reader(trust=False).verify().ok
    for rel in (PAGE, "site/index.json", "site/c/stripe/1.0.0.html"):
        served = two_versions.root / rel
        original = served.read_bytes()
        served.write_bytes(original.replace(b"1.0.0", b"6.6.6"))
        report = reader(trust=False).verify()
        served.write_bytes(original)
        real = str(served.resolve().relative_to(two_versions.root.resolve()))
        assert real.startswith("targets/_views/")
        assert (real, "content does not match its length/sha256 in the signed metadata") in {
            (p.file, p.message) for p in report.problems
        }
    metadata = next(two_versions.root.glob("targets/stripe/1.0.0/*.metadata"))
    metadata.write_bytes(metadata.read_bytes() + b"Requires-Dist: evil\n")
    assert not reader(trust=False).verify().ok


def test_one_connector_is_verified_without_reading_the_views(
    two_versions: Registry, reader: Callable[..., RegistryReader]
) -> None:
    # the views are derived from every connector: hashing them on each `show`/`pull`/`lock`
    # made reading one connector cost as much as the whole registry. A whole verify still
    # covers them.
    served = two_versions.root / "site/index.json"
    original = served.read_bytes()
    served.write_bytes(original.replace(b"1.0.0", b"6.6.6"))
    try:
        assert reader(trust=False).verify("stripe").ok
        assert not reader(trust=False).verify().ok
    finally:
        served.write_bytes(original)


def test_a_publish_that_dies_before_its_commit_changes_no_served_view(
    two_versions: Registry, reader: Callable[..., RegistryReader], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = two_versions.root
    before = {p: (root / p).read_bytes() for p in (PAGE, "simple/index.json", "site/index.json")}
    real_write = publish_module.layout.atomic_write

    def crash_at_commit(path: Path, data: bytes) -> None:
        if path.name == "timestamp.json":
            raise OSError("killed")
        real_write(path, data)

    monkeypatch.setattr(publish_module.layout, "atomic_write", crash_at_commit)
    with pytest.raises(OSError, match="killed"):
        two_versions.publish(wheel_publication("stripe", "1.2.0"))
    monkeypatch.undo()
    assert {p: (root / p).read_bytes() for p in before} == before
    assert reader(trust=False).verify().ok
    two_versions.publish(wheel_publication("zeta", "1.0.0"))  # the next writer cleans up
    views = root / "targets" / "_views"
    groups = [views / "g", *views.glob("p/*"), *views.glob("c/*")]
    assert len(groups) == 1 + 3 + 3
    assert all(len(list(group.iterdir())) == 1 for group in groups)  # no dead writer's views
    assert "1.2.0" not in (root / PAGE).read_text()
    assert "flows-connector-zeta" in (root / "simple/index.html").read_text()
    assert reader(trust=False).verify().ok


def test_refresh_rebuilds_every_view(
    two_versions: Registry, reader: Callable[..., RegistryReader]
) -> None:
    root = two_versions.root
    page = (root / PAGE).read_bytes()
    two_versions.refresh()
    assert (root / PAGE).read_bytes() == page
    assert reader(trust=False).verify().ok


def test_a_publish_that_dies_after_its_commit_is_finished_by_the_next_writer(
    two_versions: Registry, reader: Callable[..., RegistryReader], monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry import views

    root = two_versions.root
    monkeypatch.setattr(views.Views, "switch", lambda *args: None)  # killed before switching
    two_versions.publish(wheel_publication("stripe", "1.2.0"))
    monkeypatch.undo()
    assert "1.2.0" not in (root / PAGE).read_text()  # the previous, complete view is served
    assert (root / views.PENDING).is_file()
    assert reader(trust=False).verify().ok  # the committed views are in place, unlinked
    two_versions.publish(wheel_publication("zeta", "1.0.0"))
    assert "flows_connector_stripe-1.2.0-py3-none-any.whl" in (root / PAGE).read_text()
    assert "flows-connector-zeta" in (root / "simple/index.html").read_text()
    assert not (root / views.PENDING).exists()
    assert len(list((root / "targets/_views/p/flows-connector-stripe").iterdir())) == 1
    assert reader(trust=False).verify().ok
