"""The static site: one HTML page per dashboard and an index, with every script and style next to them."""

from __future__ import annotations

import json
import re
from html import escape
from importlib import resources
from pathlib import Path

from appbuilder.build.visuals import visual_settings
from appbuilder.model import App, Layout
from appbuilder.preview.cache import cache_dir, vl_versions, write_atomic
from appbuilder.preview.charts import CONFIG
from appbuilder.preview.payload import Payload, grid_layout, shows_title
from appbuilder.preview.results import DashboardView

ASSETS = ("preview.js", "preview.css")
_UNITS = {"w": "week", "d": "day", "h": "hour", "m": "minute", "s": "second"}


def time_label(time_range: str) -> str:
    """``-7d`` → ``Last 7 days``; ``-1d2h`` → ``Last 1 day 2 hours``; named ranges as words."""
    parts = re.findall(r"(\d+)([wdhms])", time_range)
    if time_range.startswith("-") and parts:
        return "Last " + " ".join(f"{n} {_UNITS[u]}{'' if n == '1' else 's'}" for n, u in parts)
    return time_range.replace("_", " ").capitalize()


def page_name(slug: str) -> str:
    """File name of a dashboard's page; a dashboard file called ``index`` must not replace the index."""
    return "index-dashboard.html" if slug == "index" else f"{slug}.html"


def _json_script(doc: object) -> str:
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def page_data(view: DashboardView, *, serve: bool) -> dict[str, object]:
    """The page's JSON: variables, a pool of distinct payloads, and per view which payload each panel shows."""
    pool: list[Payload] = []
    index: dict[str, int] = {}
    views: dict[str, dict[str, int]] = {}
    for key, panels in view.views.items():
        views[key] = {}
        for panel_id, payload in panels.items():
            text = json.dumps(payload, sort_keys=True)
            if text not in index:
                index[text] = len(pool)
                pool.append(payload)
            views[key][panel_id] = index[text]
    return {"dashboard": view.dashboard.slug, "title": view.dashboard.title, "serve": serve, "config": CONFIG,
            "variables": [{"name": v.name, "label": v.label, "default": v.default, "options": v.options}
                          for v in view.variables],
            "payloads": pool, "views": views}


def _grid_style(layout: Layout) -> str:
    return f"grid-column:{layout.x + 1} / span {layout.width};grid-row:{layout.y + 1} / span {layout.height}"


def _head(title: str, scripts: list[str]) -> str:
    tags = "".join(f'<script src="assets/{s}"></script>' for s in scripts)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="assets/preview.css">{tags}</head>\n')


def dashboard_html(app: App, view: DashboardView, *, serve: bool = False) -> str:
    """One dashboard page; its script draws each panel from the embedded payloads."""
    dash = view.dashboard
    filters = []
    for var in view.variables:
        options = "".join(f'<option value="{escape(o)}"{" selected" if o == var.default else ""}>'
                          f'{escape("All" if o == "*" else o)}</option>' for o in var.options)
        hint = f'<span class="hint">{escape(var.note)}</span>' if var.note else ""
        filters.append(f'<label>{escape(var.label)}<select name="{escape(var.name)}">{options}</select>{hint}'
                       f'</label>')
    panels = []
    for panel in dash.panels:
        layout = grid_layout(panel)
        template = f' data-title-template="{escape(panel.title)}"' if "{{" in panel.title else ""
        shown = shows_title(panel, visual_settings(panel))
        title = f'<h2 class="panel-title">{escape(view.title(panel))}</h2>' if shown else ""
        panels.append(f'<section class="panel" data-panel="{escape(panel.id)}" data-chart="{escape(panel.chart)}" '
                      f'title="{escape(panel.title)}"{template} style="{_grid_style(layout)}">{title}'
                      f'<div class="panel-body"></div></section>')
    variables = f'<div class="variables">{"".join(filters)}</div>' if filters else ""
    return (_head(f"{dash.title} - preview", ["vega.js", "land.js"]) +
            f'<body data-ready="false"><header class="topbar"><a class="crumb" href="index.html">'
            f'{escape(app.name)}</a><span class="crumb">/</span><h1>{escape(dash.title)}</h1>'
            f'<span class="time">{escape(time_label(dash.time_range))}</span></header>\n{variables}'
            f'<div class="note" id="preview-note" hidden></div>\n'
            f'<main class="grid">\n' + "\n".join(panels) + '\n</main>\n'
            f'<script type="application/json" id="preview-data">{_json_script(page_data(view, serve=serve))}'
            f'</script>\n<script src="assets/preview.js"></script>\n</body></html>\n')


def index_html(app: App, views: list[DashboardView]) -> str:
    cards = []
    for view in views:
        dash = view.dashboard
        errors = sum(1 for p in view.views[""].values() if p.get("kind") == "error")
        status = f", {errors} with errors" if errors else ""
        cards.append(f'<a class="card" href="{escape(page_name(dash.slug))}"><h2>{escape(dash.title)}</h2>'
                     f'<p>{escape(dash.description)}</p><span class="meta">{len(dash.panels)} panels{status} · '
                     f'{len(view.variables)} variables · {escape(time_label(dash.time_range))}</span></a>')
    return (_head(f"{app.name} - dashboards preview", []) +
            f'<body><header class="topbar"><h1>{escape(app.name)} {escape(app.version)}</h1>'
            f'<span class="crumb">dashboards drawn from the sample events</span></header>'
            f'<main class="index">{"".join(cards)}</main></body></html>\n')


def vega_bundle() -> str:
    """The Vega, Vega-Lite and vega-embed bundle of vl-convert, cached per version of vl-convert (which decides
    vega-embed's), Vega and Vega-Lite (building it takes ~2 s)."""
    import vl_convert

    version = "-".join(vl_versions())
    path = cache_dir() / f"vega-bundle-{re.sub(r'[^0-9A-Za-z.-]', '_', version)}.js"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    bundle = vl_convert.javascript_bundle()
    write_atomic(path, bundle)  # without a cache directory it is built again next time
    return bundle


def land_topology() -> str:
    return (resources.files("appbuilder.preview") / "assets" / "land-110m.json").read_text(encoding="utf-8")


def write_assets(out: Path) -> list[Path]:
    """Write the scripts and style every page uses into ``out/assets``."""
    folder = out / "assets"
    folder.mkdir(parents=True, exist_ok=True)
    files = {name: (resources.files("appbuilder.preview") / "assets" / name).read_text(encoding="utf-8")
             for name in ASSETS}
    files["vega.js"] = vega_bundle()
    files["land.js"] = f"window.APPBUILDER_LAND = {land_topology()};\n"
    written = []
    for name, text in sorted(files.items()):
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def write_site(app: App, views: list[DashboardView], out: Path, *, serve: bool = False) -> list[Path]:
    """Write the index, one page per dashboard and the assets into ``out``; returns the pages written."""
    out.mkdir(parents=True, exist_ok=True)
    write_assets(out)
    pages = {"index.html": index_html(app, views)}
    for view in views:
        pages[page_name(view.dashboard.slug)] = dashboard_html(app, view, serve=serve)
    written = []
    for name, text in pages.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
