"""Dashboard previews: panels drawn from local query results on the sample events.

``results`` runs every panel (and every value of every variable) with the sample runner of ``appbuilder test``;
``payload`` turns one result table into what a panel shows (a Vega-Lite spec from ``charts``, an SVG from
``drawing``, a table, Markdown or a message); ``page`` writes the static site, ``png`` one image per dashboard
and ``serve`` a local server that re-renders when the YAML changes.
"""

from __future__ import annotations

from importlib.util import find_spec

# what drawing needs beyond the core install: the `preview` extra (pip install 'appbuilder[preview]')
PREVIEW_MODULES = {"vl_convert": "vl-convert-python", "markdown_it": "markdown-it-py"}
PREVIEW_EXTRA_HINT = "pip install 'appbuilder[preview]'"


def missing_preview_packages() -> list[str]:
    """The packages of the preview extra that are not installed (their names on the package index)."""
    return [package for module, package in PREVIEW_MODULES.items() if find_spec(module) is None]
