"""The PNG renderer: one flat SVG per dashboard, charts kept in the cache, rasterised in worker processes with the
same bytes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_preview_site import make_app

from appbuilder.preview.cache import ChartCache
from appbuilder.preview.charts import sized
from appbuilder.preview.drawing import fit, text_width
from appbuilder.preview.page import land_topology
from appbuilder.preview.png import body_svg, dashboard_svg
from appbuilder.preview.raster import rasterise, worker_count
from appbuilder.preview.results import app_views
from appbuilder.validate import validate_app


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory):
    loaded = validate_app(make_app(tmp_path_factory.mktemp("png")), lint_queries=False)
    assert loaded.app is not None
    return loaded.app, app_views(loaded.app, {}, variants=False)


def test_panels_are_placed_as_groups_not_nested_viewports(views) -> None:
    app, dashboards = views
    charts = next(v for v in dashboards if v.dashboard.slug == "charts")
    svg = dashboard_svg(app, charts, json.loads(land_topology()))
    root = ET.fromstring(svg)  # one well-formed document
    assert svg.count("<svg") == 1  # a nested <svg> costs resvg a canvas-sized layer each
    placed = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("transform", "").startswith("translate(")]
    assert len(placed) >= len(charts.dashboard.panels)
    assert "Helvetica" in (root.get("font-family") or "")


def test_worker_processes_draw_the_same_bytes(views) -> None:
    app, dashboards = views
    land = json.loads(land_topology())
    svgs = [dashboard_svg(app, view, land) for view in dashboards]
    here = list(rasterise(svgs, 0))
    assert len(here) == 2 and all(png.startswith(b"\x89PNG") for png in here)
    assert list(rasterise(iter(svgs), 2)) == here


def test_worker_count_is_one_per_cpu_and_none_for_one_image(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert (worker_count(1), worker_count(3), worker_count(8)) == (0, 3, 4)
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert worker_count(6) == 0


def test_table_cells_are_cut_by_their_glyph_widths() -> None:
    lower, upper = "abcdefghkn" * 2, "QWERTYUOPZ" * 2  # same length; capitals are wider
    assert fit(lower, 11, 130) == lower
    cut = fit(upper, 11, 130)
    assert cut.endswith("…") and len(cut) < len(upper) and text_width(cut, 11) <= 130
    assert fit("x", 11, 1) == "…"


BAR = {"kind": "vega", "spec": {"mark": "bar", "data": {"values": [{"k": "a", "n": 2}, {"k": "b", "n": 5}]},
                                "encoding": {"x": {"field": "n", "type": "quantitative"},
                                             "y": {"field": "k", "type": "nominal"}}}}


def test_a_chart_is_drawn_once_then_read_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import vl_convert

    charts = ChartCache(tmp_path)
    first = body_svg(BAR, 300, 120, None, charts)
    assert first.lstrip().startswith("<svg") and len(list((tmp_path / "charts").glob("*.svg"))) == 1

    def no_drawing(spec: object) -> str:
        raise AssertionError("drawn again")

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", no_drawing)
    assert body_svg(BAR, 300, 120, None, charts) == first  # same spec and size: from the cache
    with pytest.raises(AssertionError, match="drawn again"):
        body_svg(BAR, 301, 120, None, charts)  # another size is another chart


def test_charts_vl_convert_rejects_are_not_cached_and_old_charts_are_pruned(tmp_path: Path) -> None:
    charts = ChartCache(tmp_path)
    bad = {"kind": "vega", "spec": {"mark": "no-such-mark", "data": {"values": []}}}
    assert "Could not draw the chart" in body_svg(bad, 200, 100, None, charts)
    assert not (tmp_path / "charts").exists()
    body_svg(BAR, 300, 120, None, charts)
    (entry,) = (tmp_path / "charts").glob("*.svg")
    assert charts.prune(now=entry.stat().st_mtime + 29 * 86400) == 0
    assert charts.prune(now=entry.stat().st_mtime + 31 * 86400) == 1 and not entry.exists()


def test_workers_leave_ctrl_c_to_the_parent() -> None:
    import signal

    from appbuilder.preview.raster import ignore_interrupts

    before = signal.getsignal(signal.SIGINT)
    try:
        ignore_interrupts()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_pool_that_breaks_on_submit_is_still_shut_down(monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from appbuilder.preview import raster

    class Broken:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.shut = False
            made.append(self)

        def submit(self, *args: object) -> None:
            raise BrokenProcessPool("a worker died")

        def shutdown(self, **kwargs: object) -> None:
            self.shut = True

    made: list[Broken] = []
    monkeypatch.setattr(raster, "ProcessPoolExecutor", Broken)
    monkeypatch.setattr(raster, "svg_to_png", lambda svg: svg.encode())
    assert list(rasterise(["<a/>", "<b/>"], 2)) == [b"<a/>", b"<b/>"]
    assert len(made) == 1 and made[0].shut


def test_a_chart_drawn_by_another_vl_convert_is_not_read(tmp_path: Path) -> None:
    charts = ChartCache(tmp_path)
    body_svg(BAR, 300, 120, None, charts)
    spec = sized(BAR["spec"], 300, 120, None)
    assert charts.get(spec) is not None
    other = ChartCache(tmp_path)
    other.versions = [*other.versions[:-1], "0.0.0"]  # another Vega-Lite: another drawing
    assert other.get(spec) is None
