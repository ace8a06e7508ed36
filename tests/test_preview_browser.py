"""The preview site in a real browser: headless Chromium opens every page and every panel must have drawn.

Chromium comes from the distribution (`scripts/install-test-deps.sh` installs it); Playwright drives it with
``executable_path``, so none of Playwright's own browsers are downloaded. With CI=true a missing browser fails
the test; elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_preview_site import ONEPASSWORD, make_app, private_cache  # noqa: F401 (autouse: no ~/.cache)

import appbuilder.preview.results as results
from appbuilder.commands.preview import run_preview
from appbuilder.preview.serve import PreviewServer

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# what each panel must contain once drawn, by payload kind
DRAWN = """() => Array.from(document.querySelectorAll('.panel[data-panel]')).map(p => {
  const kind = p.dataset.kind || '';
  const el = kind === 'text' ? p.querySelector('.panel-text')
    : (kind === 'empty' || kind === 'error') ? p.querySelector('.panel-message')
    : p.querySelector('.panel-body svg, .panel-body canvas, .panel-body table, .panel-body img');
  const box = el ? el.getBoundingClientRect() : {width: 0, height: 0};
  return {id: p.dataset.panel, kind: kind, drawn: p.dataset.drawn === 'true', width: box.width,
          height: box.height, marks: p.querySelectorAll('.panel-body svg path, .panel-body svg polygon,' +
          ' .panel-body svg text, .panel-body td').length, text: p.innerText};
})"""


def _browser_or_skip() -> str:
    path = os.environ.get("APPBUILDER_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if not path:
        reason = "headless Chromium or the playwright package is missing (run scripts/install-test-deps.sh)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, list[str]]]:
    executable = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=executable, args=FLAGS, headless=True,
            viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("request", lambda req: errors.append(f"network request {req.url}")
                if not req.url.startswith(("file:", "data:", "blob:", "http://127.0.0.1:")) else None)
        try:
            yield page, errors
        finally:
            context.close()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The all-charts site, and the 1Password site with the one-variable views of its overview only: the page
    whose values the tests choose (precomputing every page's views takes ~6 s more and no test selects there)."""
    root = tmp_path_factory.mktemp("sites")
    real = results.dashboard_view

    def overview_variants(runner, dashboard, *, variants=True):  # type: ignore[no-untyped-def]
        return real(runner, dashboard, variants=variants and dashboard.slug == "overview")

    out = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(results, "dashboard_view", overview_variants)
        for name, app in (("charts", make_app(root)), ("onepassword", ONEPASSWORD)):
            assert run_preview(app, site=root / name, png=None, parameters={}).ok
            out[name] = root / name
    return out


def open_page(browser_page, path: Path) -> list[dict]:
    page, errors = browser_page
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=20_000)
    assert errors == [], errors
    assert page.evaluate("window.previewErrors") == []
    return page.evaluate(DRAWN)


@pytest.mark.slow
def test_every_panel_of_every_page_draws(browser_page, sites, tmp_path):
    page, _ = browser_page
    for site in sites.values():
        for html in sorted(site.glob("*.html")):
            if html.name == "index.html":
                continue
            panels = open_page(browser_page, html)
            assert panels, html
            for panel in panels:
                assert panel["drawn"] and panel["width"] > 20 and panel["height"] > 10, (html.name, panel)
                assert panel["marks"] > 0 or panel["kind"] in ("text", "empty", "error"), (html.name, panel)
    shots = Path(os.environ.get("APPBUILDER_SCREENSHOTS") or tmp_path)
    page.goto((sites["onepassword"] / "overview.html").as_uri())
    page.wait_for_selector("body[data-ready=true]")
    page.screenshot(path=str(shots / "overview.png"), full_page=True)
    assert (shots / "overview.png").stat().st_size > 10_000


def test_messages_and_titles_on_the_all_charts_page(browser_page, sites):
    panels = {p["id"]: p for p in open_page(browser_page, sites["charts"] / "charts.html")}
    assert panels["broken"]["kind"] == "error" and "compare must follow an aggregate" in panels["broken"]["text"]
    assert panels["nothing"]["kind"] == "empty" and "No data" in panels["nothing"]["text"]
    assert "Read me" in panels["notes"]["text"]
    assert panels["by_category"]["text"].startswith("By Category of *")
    assert panels["total"]["text"].split() == ["Total", "of", "*", "6", "Sign-ins"]


def test_choosing_a_variable_value_refilters_the_panels(browser_page, sites):
    page, errors = browser_page
    open_page(browser_page, sites["onepassword"] / "overview.html")
    pie = '.panel[data-panel="events_by_category"]'
    assert "mfa_failed" in page.inner_text(pie)
    page.select_option('select[name="category"]', "success")
    page.wait_for_selector("body[data-ready=true]")
    legend = page.inner_text(pie)
    assert "success" in legend and "mfa_failed" not in legend
    # a second variable resets the first: only one-variable views are precomputed in the static site
    page.select_option('select[name="client_os"]', "iOS")
    page.wait_for_selector("body[data-ready=true]")
    assert page.eval_on_selector('select[name="category"]', "s => s.value") == "*"
    assert "--serve" in page.inner_text("#preview-note")
    assert errors == []


def test_served_pages_compute_any_combination_of_values(browser_page, tmp_path):
    page, errors = browser_page
    with PreviewServer(ONEPASSWORD, tmp_path, {}, port=0, interval=3600) as server:
        page.goto(server.url + "overview.html")
        page.wait_for_selector("body[data-ready=true]")
        pie = '.panel[data-panel="events_by_category"]'
        page.select_option('select[name="category"]', "success")
        page.wait_for_selector("body[data-ready=true]")
        page.select_option('select[name="client_os"]', "MacOSX")
        page.wait_for_selector("body[data-ready=true]")
        assert page.eval_on_selector('select[name="category"]', "s => s.value") == "success"  # both kept
        assert page.is_hidden("#preview-note")
        legend = page.inner_text(pie)
        assert "success" in legend and "mfa_failed" not in legend
        assert page.evaluate("window.previewErrors") == [] and errors == []
        page.goto("about:blank")
