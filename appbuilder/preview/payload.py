"""What one panel shows for one result: a JSON-able payload the page script and the PNG renderer both draw.

Kinds: ``vega`` (a Vega-Lite spec), ``svg`` (drawn here: single value, honeycomb), ``table``, ``text``
(Markdown), ``empty`` and ``error`` (a message, as Sumo shows one in the panel).
"""

from __future__ import annotations

from typing import Any

from appbuilder.model import Layout, Panel
from appbuilder.preview import drawing
from appbuilder.preview.charts import BUILDERS, NoChart, chart_spec
from appbuilder.preview.tables import format_value, is_number, row_label, shape_of
from appbuilder.query.evaluate import Table

Payload = dict[str, Any]

COLUMN_PX = 60  # one grid column in the PNG (24 columns: 1440 px)
ROW_PX = 30  # one grid row
TITLE_PX = 30  # the panel's title bar
NO_DATA = "No data for the selected time range and filters."


def shows_title(panel: Panel, settings: dict[str, Any]) -> bool:
    """Sumo hides a text panel's title unless its ``text.showTitle`` is set."""
    if not panel.title:
        return False
    return panel.chart != "text" or bool(_section(settings, "text").get("showTitle"))


def grid_layout(panel: Panel) -> Layout:
    """The panel's place on the 24-column grid (a panel without one sits at the origin at its size)."""
    return panel.layout or Layout(0, 0, panel.width, panel.height)


def body_size(layout: Layout) -> tuple[int, int]:
    """Pixel size of a panel's drawing area at the PNG's scale (the page scales SVGs to fit)."""
    return max(layout.width * COLUMN_PX - 12, 40), max(layout.height * ROW_PX - TITLE_PX - 12, 30)


def _section(settings: dict[str, Any], name: str) -> dict[str, Any]:
    value = settings.get(name)
    return value if isinstance(value, dict) else {}


def threshold_color(value: float, thresholds: object) -> str | None:
    """Colour of the first ``{from, to, color}`` band holding ``value``; bands without bounds are unset."""
    for band in thresholds if isinstance(thresholds, list) else []:
        if not isinstance(band, dict) or (band.get("from") is None and band.get("to") is None):
            continue
        low, high = band.get("from"), band.get("to")
        if (low is None or (is_number(low) and value >= low)) and (high is None or (is_number(high) and value < high)):
            return str(band.get("color") or "") or None
    return None


def _number(value: float, rounding: int, unitify: bool) -> str:
    suffix = ""
    if unitify:
        for scale, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
            if abs(value) >= scale:
                value, suffix = value / scale, unit
                break
    text = f"{value:,.{max(rounding, 0)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + suffix


def single_value(table: Table, settings: dict[str, Any], size: tuple[int, int]) -> Payload:
    """Sumo's single value panel: one number from the result (svp.option), threshold colours, a label."""
    svp = _section(settings, "svp")
    shape = shape_of(table)
    if not shape.series:
        raise NoChart("a single value needs a numeric column in the result")
    values = [r[shape.series[0]] for r in table.rows if is_number(r.get(shape.series[0]))]
    if not values:
        raise NoChart("the result has no numeric value")
    option = str(svp.get("option") or "Latest")
    pick = {"Sum": sum(values), "Average": sum(values) / len(values), "Maximum": max(values),
            "Minimum": min(values), "Count": float(len(values))}
    value = pick.get(option, values[-1] if shape.temporal else values[0])
    rounding = svp.get("rounding", 2)
    text = _number(float(value), rounding if isinstance(rounding, int) else 2, bool(svp.get("unitify")))
    color = threshold_color(float(value), svp.get("thresholds"))
    text_color = str(svp.get("textColor") or "") or drawing.TEXT
    background = "white"
    if color and svp.get("useBackgroundColor"):
        background, text_color = color, "#ffffff"
    elif color:
        text_color = color
    label = "" if svp.get("hideLabel") else str(svp.get("label") or "")
    return {"kind": "svg", "svg": drawing.value_svg(text, label, text_color, background, *size),
            "value": text, "color": color or ""}


def honeycomb(table: Table, settings: dict[str, Any], size: tuple[int, int]) -> Payload:
    """One hexagon per result row, coloured by the honeycomb's threshold bands."""
    comb = _section(settings, "honeyComb")
    shape = shape_of(table)
    if not shape.series:
        raise NoChart("a honeycomb needs a numeric column in the result")
    metric = shape.series[0]
    bands = comb.get("thresholds")
    default = next((str(b["color"]) for b in bands if isinstance(b, dict) and b.get("color")), "#98ECA9") \
        if isinstance(bands, list) else "#98ECA9"
    cells = []
    for row in table.rows:
        value = row.get(metric)
        if not is_number(value):
            continue
        label = row_label(row, shape.labels) if shape.labels else metric
        cells.append((label, format_value(value), threshold_color(float(value), bands) or default))
    if not cells:
        raise NoChart("the result has no numeric value")
    return {"kind": "svg", "svg": drawing.honeycomb_svg(cells, *size)}


# the charts drawn as SVG here, not by Vega-Lite (``BUILDERS``); any other chart is a table
DRAWINGS = {"svp": single_value, "honeyComb": honeycomb}


def page_size(settings: dict[str, Any]) -> int:
    """The rows a table panel shows."""
    page = _section(settings, "general").get("paginationPageSize")
    return page if isinstance(page, int) and page > 0 else 100


def table_rows(panel: Panel, settings: dict[str, Any]) -> int | None:
    """The rows of the panel's result its drawing needs: a table's page; None (all) for a chart."""
    return None if panel.chart in BUILDERS or panel.chart in DRAWINGS else page_size(settings)


def table_payload(table: Table, settings: dict[str, Any]) -> Payload:
    limit = page_size(settings)
    rows = [[format_value(row.get(c), c) for c in table.columns] for row in table.rows[:limit]]
    total = table.total if table.total is not None else len(table.rows)
    return {"kind": "table", "columns": list(table.columns), "rows": rows, "total": total}


def text_payload(panel: Panel, settings: dict[str, Any]) -> Payload:
    text = _section(settings, "text")
    return {"kind": "text", "markdown": panel.text or "", "html": drawing.markdown_html(panel.text or ""),
            "background": str(text.get("backgroundColor") or ""), "color": str(text.get("textColor") or ""),
            "align": str(text.get("horizontalAlignment") or text.get("alignment") or "left")}


def message(text: str, *, error: bool) -> Payload:
    return {"kind": "error" if error else "empty", "message": text}


def panel_payload(panel: Panel, settings: dict[str, Any], table: Table | None, error: str | None,
                  layout: Layout) -> Payload:
    """The payload of ``panel`` for one run of its query (``table``, or the ``error`` it raised)."""
    if panel.chart == "text":
        return text_payload(panel, settings)
    if error is not None or table is None:
        return message(error or "the query did not run", error=True)
    if all(value is None for row in table.rows for value in row.values()):  # no rows, or an aggregate of nothing
        svp = _section(settings, "svp")
        if panel.chart == "svp" and svp.get("useNoData") and svp.get("noDataString"):
            return {"kind": "svg", "svg": drawing.value_svg(str(svp["noDataString"]), "", drawing.MUTED, "white",
                                                            *body_size(layout))}
        return message(NO_DATA, error=False)
    try:
        if panel.chart in BUILDERS:
            return {"kind": "vega", "spec": chart_spec(panel.chart, table, settings)}
        if panel.chart in DRAWINGS:
            return DRAWINGS[panel.chart](table, settings, body_size(layout))
    except NoChart as exc:
        return message(f"Cannot draw this {panel.chart} chart: {exc}.", error=True)
    return table_payload(table, settings)
