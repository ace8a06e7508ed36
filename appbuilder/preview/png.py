"""One PNG per dashboard, drawn without a browser: the page's layout as one SVG (title bar, filters, panels on the
24-column grid), chart panels rendered by vl-convert from the same Vega-Lite specs (kept in the chart cache, so an
unchanged chart is not drawn again), then rasterised by vl-convert (``raster``: in worker processes while the
next dashboard's charts are drawn).

Each panel's drawing is placed as a translated group, not a nested ``<svg>``: resvg clips a nested viewport
through a canvas-sized layer, which made rasterising twice as slow. Every drawing is sized to its panel.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

from appbuilder.build.visuals import visual_settings
from appbuilder.model import App
from appbuilder.preview import drawing, raster
from appbuilder.preview.cache import ChartCache
from appbuilder.preview.charts import sized
from appbuilder.preview.page import land_topology, time_label
from appbuilder.preview.payload import COLUMN_PX, ROW_PX, TITLE_PX, Payload, body_size, grid_layout, shows_title
from appbuilder.preview.results import DashboardView

MARGIN = 16
HEADER = 52
FILTERS = 44
WIDTH = 24 * COLUMN_PX + 2 * MARGIN
_DOCUMENT = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?<svg\b([^>]*)>(.*)</svg>\s*$", re.S)
_FONT = re.compile(r'\sfont-family="([^"]*)"')


def body_svg(payload: Payload, width: int, height: int, land: object, charts: ChartCache | None = None) -> str:
    """One panel's drawing area as an SVG document of ``width`` × ``height`` (charts read from and kept in
    ``charts`` when given)."""
    kind = payload.get("kind")
    if kind == "vega":
        import vl_convert

        spec = sized(payload["spec"], width, height, land)
        cached = charts.get(spec) if charts is not None else None
        if cached is not None:
            return cached
        try:
            svg = vl_convert.vegalite_to_svg(spec)
            if charts is not None:
                charts.put(spec, svg)
            return svg
        except ValueError as exc:  # vl-convert reports a spec it cannot draw as ValueError (+ a JS stack)
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            reason = next((line for line in reversed(lines) if not line.startswith("at ")), "unknown error")
            return drawing.message_svg(f"Could not draw the chart: {reason}", width, height, error=True)
    if kind == "svg":
        return str(payload["svg"])
    if kind == "table":
        return drawing.table_svg(payload["columns"], payload["rows"], width, height)
    if kind == "text":
        return drawing.text_svg(str(payload.get("markdown", "")), width, height,
                                str(payload.get("color") or drawing.TEXT), str(payload.get("background") or "white"))
    return drawing.message_svg(str(payload.get("message", "")), width, height, error=kind == "error")


def _place(svg: str, x: float, y: float) -> str:
    """A panel's SVG document (drawn at its panel's size) as a group at ``x``, ``y`` of the dashboard."""
    match = _DOCUMENT.match(svg)
    if match is None:
        raise ValueError("not an SVG document")
    font = _FONT.search(match[1])
    family = f' font-family="{font[1]}"' if font else ""
    return f'<g transform="translate({x},{y})"{family}>{match[2]}</g>'


def _filters(view: DashboardView, top: int) -> str:
    out, x = [], float(MARGIN)
    for var in view.variables:
        text = f"{var.label}: {'All' if var.default == '*' else var.default}"
        width = len(text) * 12 * drawing.CHAR + 20
        if x + width > WIDTH - MARGIN:
            break
        out.append(f'<rect x="{x:.1f}" y="{top + 9}" width="{width:.1f}" height="26" rx="13" fill="#f8fafc" '
                   f'stroke="#cbd5e0"/><text x="{x + 10:.1f}" y="{top + 26}" font-size="12" fill="#4a5568">'
                   f'{escape(text)}</text>')
        x += width + 8
    return "".join(out)


def dashboard_svg(app: App, view: DashboardView, land: object, charts: ChartCache | None = None) -> str:
    """The whole dashboard at its default variable values as one SVG document."""
    dash = view.dashboard
    top = HEADER + (FILTERS if view.variables else 0)
    layouts = [(p, grid_layout(p)) for p in dash.panels]
    rows = max((lay.y + lay.height for _, lay in layouts), default=1)
    height = top + rows * ROW_PX + 2 * MARGIN
    period = time_label(dash.time_range)
    parts = [f'<rect width="{WIDTH}" height="{height}" fill="#eef1f5"/>',
             f'<rect width="{WIDTH}" height="{HEADER}" fill="#ffffff"/>',
             f'<rect y="{HEADER - 1}" width="{WIDTH}" height="1" fill="#dfe3e8"/>',
             f'<text x="{MARGIN}" y="32" font-size="13" fill="#718096">{escape(app.name)} /</text>',
             f'<text x="{MARGIN + len(app.name) * 7.5 + 22:.1f}" y="33" font-size="19" font-weight="bold" '
             f'fill="#1c2b3a">{escape(dash.title)}</text>',
             f'<rect x="{WIDTH - MARGIN - 120}" y="12" width="120" height="28" rx="4" fill="#f8fafc" '
             f'stroke="#cbd5e0"/><text x="{WIDTH - MARGIN - 60}" y="31" font-size="12" text-anchor="middle" '
             f'fill="#4a5568">{escape(period)}</text>']
    if view.variables:
        parts.append(f'<rect y="{HEADER}" width="{WIDTH}" height="{FILTERS}" fill="#ffffff"/>'
                     f'<rect y="{top - 1}" width="{WIDTH}" height="1" fill="#dfe3e8"/>{_filters(view, HEADER)}')
    payloads = view.views[""]
    for panel, lay in layouts:
        x, y = MARGIN + lay.x * COLUMN_PX + 4, top + MARGIN + lay.y * ROW_PX + 4
        width, height_px = lay.width * COLUMN_PX - 8, lay.height * ROW_PX - 8
        parts.append(f'<rect x="{x}" y="{y}" width="{width}" height="{height_px}" rx="4" fill="#ffffff" '
                     f'stroke="#dfe3e8"/>')
        top_px = TITLE_PX if shows_title(panel, visual_settings(panel)) else 4
        if top_px == TITLE_PX:
            parts.append(f'<text x="{x + 10}" y="{y + 20}" font-size="13" font-weight="bold" fill="#26384f">'
                         f'{escape(drawing.fit(view.title(panel), 13, width - 20))}</text>')
        bw, bh = body_size(lay)
        bh += TITLE_PX - top_px
        svg = body_svg(payloads.get(panel.id, {"kind": "empty", "message": ""}), bw, bh, land, charts)
        parts.append(_place(svg, x + 2, y + top_px))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="{drawing.FONT}">{"".join(parts)}</svg>')


def write_pngs(app: App, views: list[DashboardView], out: Path, *, workers: int | None = None) -> list[Path]:
    """Write ``<dashboard>.png`` per dashboard into ``out``; returns the files. ``workers`` processes rasterise
    (default: one per CPU, see ``raster.worker_count``; 0 draws everything in this process)."""
    out.mkdir(parents=True, exist_ok=True)
    land = json.loads(land_topology())
    charts = ChartCache()
    charts.prune()
    svgs = (dashboard_svg(app, view, land, charts) for view in views)
    written = []
    count = raster.worker_count(len(views)) if workers is None else workers
    for view, image in zip(views, raster.rasterise(svgs, count), strict=True):
        path = out / f"{view.dashboard.slug}.png"
        path.write_bytes(image)
        written.append(path)
    return written
