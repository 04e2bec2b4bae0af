"""Render the static catalog: an index page over a prebuilt JSON index, one page per version.

Everything is plain files (HTML, one CSS, one small script, the index as ``index.json`` and
as ``catalog.js`` so that it loads from ``file://`` too), with relative links, so the site
works from any static host and from the file system. Functions return ``{path: bytes}``
relative to the site directory; callers decide where to write them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files as package_files
from typing import Any

from registry import layout
from registry.catalog import SOURCES, Entry

INDEX_JSON = "index.json"
CATALOG_JS = "catalog.js"
ASSETS = ("assets/site.css", "assets/site.js")
#: Graphviz gets this long per graph and this much DOT; a graph over either limit is linked.
DOT_TIMEOUT_S = 20.0
MAX_DOT_BYTES = 2 << 20


@dataclass(frozen=True)
class Links:
    """Where the site finds the registry's files.

    ``registry_url`` is the registry's public URL when known (a site written outside the
    registry); ``None`` means the site lives in the registry's ``site/`` directory and links
    relatively, and its script fills the registry's URL into the install commands.
    """

    registry_url: str | None = None

    def registry(self, depth: int) -> str:
        """The registry root as seen from a page ``depth`` directories below ``site/``."""
        if self.registry_url:
            return self.registry_url.rstrip("/") + "/"
        return "../" * (depth + 1)


@cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("registry.site", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def static_files() -> dict[str, bytes]:
    """The stylesheet and the script."""
    base = package_files("registry.site") / "static"
    return {rel: (base / rel.split("/", 1)[1]).read_bytes() for rel in ASSETS}


def index_files(summaries: Iterable[Entry], links: Links) -> dict[str, bytes]:
    """``index.html``, ``index.json`` and ``catalog.js`` over the connector summaries."""
    rows = sorted(summaries, key=lambda s: str(s["name"]))
    data = {"format": 1, "connectors": rows}
    compact = json.dumps(data, separators=(",", ":"), sort_keys=True)
    levels = sorted({str(r["level"]) for r in rows if r.get("level")})
    html = (
        _environment()
        .get_template("index.html.j2")
        .render(
            count=len(rows),
            levels=levels,
            sources=SOURCES,
            registry_root=links.registry(0),
            baked=links.registry_url is not None,
        )
    )
    return {
        "index.html": html.encode(),
        INDEX_JSON: (compact + "\n").encode(),
        # </ cannot end the script element early: JSON escapes nothing else that matters
        CATALOG_JS: ("window.FLOWS_CATALOG=" + compact.replace("</", "<\\/") + ";\n").encode(),
    }


def render_graph(dot: bytes) -> bytes | None:
    """SVG of a DOT graph via Graphviz's ``dot`` when installed; ``None`` otherwise."""
    exe = shutil.which("dot")
    if exe is None or len(dot) > MAX_DOT_BYTES:
        return None
    try:
        done = subprocess.run(
            [exe, "-Tsvg"], input=dot, capture_output=True, timeout=DOT_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 and done.stdout.lstrip().startswith(b"<") else None


def _yank_record(yanked: Any) -> dict[str, Any] | None:
    if not yanked:
        return None
    return yanked if isinstance(yanked, dict) else {"reason": "yanked"}


def connector_files(
    name: str,
    versions: Iterable[tuple[Entry, Any]],
    links: Links,
    graphs: Mapping[str, bytes] | None = None,
) -> dict[str, bytes]:
    """The pages of one connector: ``c/<name>/<version>.html`` each, ``c/<name>/index.html``.

    ``graphs`` maps a version to its SVG (rendered by the caller, see :func:`render_graph`).
    The index page of a connector is the page of its newest version that is not yanked.
    """
    pairs = sorted(versions, key=lambda pair: layout.semver_key(pair[0]["version"]))
    if not pairs:
        return {}
    available = [pair for pair in pairs if not pair[1]]
    newest = (available or pairs)[-1][0]["version"]
    nav = [{"version": e["version"], "yanked": bool(y)} for e, y in reversed(pairs)]
    template = _environment().get_template("version.html.j2")
    out: dict[str, bytes] = {}
    for entry, yanked in pairs:
        version = entry["version"]
        svg_name = f"{version}.svg" if graphs and version in graphs else None
        page = template.render(
            e=entry,
            yanked=_yank_record(yanked),
            versions=nav,
            newest=newest,
            svg=svg_name,
            registry_root=links.registry(2),
            baked=links.registry_url is not None,
        ).encode()
        out[f"c/{name}/{version}.html"] = page
        if svg_name and graphs:
            out[f"c/{name}/{svg_name}"] = graphs[version]
        if version == newest:
            out[f"c/{name}/index.html"] = page
    return out
