"""The static catalog site of a registry (see :mod:`registry.site.render`)."""

from __future__ import annotations

from registry.site.render import Links, connector_files, index_files, render_graph, static_files

__all__ = ["Links", "connector_files", "index_files", "render_graph", "static_files"]
