"""The registry as a Python package index: PEP 503 HTML and PEP 691 JSON simple pages.

``simple/index.html`` (and ``index.json``) list one project per connector
(``flows-connector-<name>``); ``simple/<project>/index.html`` and ``index.json`` list its
wheels with ``#sha256=`` (PEP 503), ``data-requires-python`` (PEP 503/345), the core metadata
file beside each wheel (PEP 658, under both the PEP 714 name ``data-core-metadata`` and the
older ``data-dist-info-metadata``) and PEP 592 yanks carrying the registry's yank reason.
Wheels are linked where the registry stores them (``targets/<name>/<version>/``), so any
static web server, or ``file://``, serves a working index.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from registry import layout
from registry.catalog import Entry

SIMPLE_DIR = "simple"
API_VERSION = "1.1"
METADATA_SUFFIX = ".metadata"


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()


def _page(title: str, body: Iterable[str]) -> bytes:
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "  <head>",
        '    <meta name="pypi:repository-version" content="1.1">',
        f"    <title>{escape(title)}</title>",
        "  </head>",
        "  <body>",
        f"    <h1>{escape(title)}</h1>",
        *(f"    {line}" for line in body),
        "  </body>",
        "</html>",
    ]
    return ("\n".join(lines) + "\n").encode()


def root_pages(projects: Sequence[str]) -> dict[str, bytes]:
    """``simple/index.html`` and ``simple/index.json`` listing ``projects``."""
    ordered = sorted(set(projects))
    html = _page("Simple index", (f'<a href="{escape(p)}/">{escape(p)}</a><br>' for p in ordered))
    data = {"meta": {"api-version": API_VERSION}, "projects": [{"name": p} for p in ordered]}
    return {f"{SIMPLE_DIR}/index.html": html, f"{SIMPLE_DIR}/index.json": _json(data)}


def wheel_url(name: str, version: str, filename: str) -> str:
    """The wheel's URL relative to a project page (``simple/<project>/``)."""
    return f"../../{layout.TARGETS}/{name}/{version}/{filename}"


def project_pages(name: str, versions: Iterable[tuple[Entry, Any]]) -> dict[str, bytes]:
    """The HTML and JSON pages of connector ``name`` from ``(entry, yanked record)`` pairs.

    Versions without a wheel are left out (there is nothing to install).
    """
    pairs = sorted(versions, key=lambda pair: layout.semver_key(pair[0]["version"]))
    project = ""
    anchors: list[str] = []
    files: list[dict[str, Any]] = []
    for entry, yanked in pairs:
        wheel = entry.get("wheel")
        if not wheel:
            continue
        project = wheel["project"]
        url = wheel_url(name, entry["version"], wheel["filename"])
        attrs = [f'href="{escape(url)}#sha256={wheel["sha256"]}"']
        item: dict[str, Any] = {
            "filename": wheel["filename"],
            "url": url,
            "hashes": {"sha256": wheel["sha256"]},
            "size": wheel["size"],
        }
        if entry.get("published"):
            item["upload-time"] = str(entry["published"])
        if wheel.get("requires_python"):
            attrs.append(f'data-requires-python="{escape(wheel["requires_python"])}"')
            item["requires-python"] = wheel["requires_python"]
        if wheel.get("metadata_sha256"):
            value = f"sha256={wheel['metadata_sha256']}"
            attrs.append(f'data-dist-info-metadata="{value}" data-core-metadata="{value}"')
            item["core-metadata"] = {"sha256": wheel["metadata_sha256"]}
            item["dist-info-metadata"] = {"sha256": wheel["metadata_sha256"]}
        if yanked:
            reason = str(yanked.get("reason") or "yanked") if isinstance(yanked, dict) else "yanked"
            attrs.append(f'data-yanked="{escape(reason)}"')
            item["yanked"] = reason
        anchors.append(f"<a {' '.join(attrs)}>{escape(wheel['filename'])}</a><br>")
        files.append(item)
    if not project:
        return {}
    data = {
        "meta": {"api-version": API_VERSION},
        "name": project,
        "files": files,
        "versions": [item["filename"].split("-")[1] for item in files],
    }
    base = f"{SIMPLE_DIR}/{project}"
    return {
        f"{base}/index.html": _page(f"Links for {project}", anchors),
        f"{base}/index.json": _json(data),
    }
