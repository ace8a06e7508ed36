"""`preview --serve`: the site on 127.0.0.1, rendered again whenever a file of the app changes.

Pages poll ``/__preview/version`` and reload when it changes; ``/__preview/panels`` computes the panels for any
combination of variable values, so served pages hold only the defaults and render again quickly.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from functools import partial
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from appbuilder.commands.sample_runner import SampleRunner
from appbuilder.model import App
from appbuilder.pipeline import run_pipeline
from appbuilder.preview.page import write_assets, write_site
from appbuilder.preview.results import DashboardRunner, dashboard_view
from appbuilder.query.engines.files import EventsError
from appbuilder.validate.reporting import render

WATCHED = ("*.yaml", "*.yml", "*.jsonl")


def error_page(title: str, text: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="assets/preview.css"></head>'
            f'<body><header class="topbar"><h1>'
            f'{escape(title)}</h1></header><pre class="note">{escape(text)}</pre>'
            f'<script>setInterval(function(){{fetch("__preview/version").then(function(r){{return r.text()}})'
            f'.then(function(v){{if(window.v&&v!==window.v)location.reload();window.v=v}})}},1000)</script>'
            f'</body></html>\n')


class PreviewServer:
    """Renders the app into ``out`` and serves it; ``check()`` renders again when a watched file changed."""

    def __init__(self, path: Path, out: Path, parameters: Mapping[str, str], *, port: int = 0,
                 interval: float = 0.5, events: Sequence[str] = ()):
        self.path, self.out, self.parameters, self.interval = Path(path), Path(out), dict(parameters), interval
        self.events = list(events)  # JSON-lines files drawn from instead of the samples (read again each render)
        self.version = 0
        self.problems = ""
        self.app: App | None = None
        self.runner: SampleRunner | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._mtimes = self._snapshot()
        self.render()
        handler = partial(_Handler, self, directory=str(self.out))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def _snapshot(self) -> dict[str, int]:
        root = self.path if self.path.is_dir() else self.path.parent
        files = sorted({f for pattern in WATCHED for f in root.rglob(pattern) if f.is_file()}
                       | {f for f in map(Path, self.events) if f.is_file()})
        return {str(f): f.stat().st_mtime_ns for f in files}

    def render(self) -> None:
        """Validate and write the site; an invalid app gives pages listing its problems instead."""
        validation = run_pipeline(self.path, self.parameters, until="validate", lint_queries=False).validation
        with self._lock:
            self.version += 1
            if not validation.ok or validation.app is None:
                self._error_pages("The app does not validate",
                                  render(validation.diagnostics, "text", summary=f"{self.path}: invalid"))
                return
            self.problems = ""
            self.app = validation.app
            try:
                self.runner = SampleRunner.over_files(self.app, {}, self.parameters, self.events,
                                                      validation.samples.lookups if validation.samples else None) \
                    if self.events else SampleRunner(self.app, {}, self.parameters, validation.samples)
            except EventsError as exc:
                self.runner = None
                self._error_pages("The events cannot be read", f"{exc}\nhint: {exc.hint}")
                return
            self.runner.prepare_panels()
            views = [dashboard_view(self.runner, d, variants=False) for d in self.app.dashboards]
            write_site(self.app, views, self.out, serve=True)

    def _error_pages(self, title: str, problems: str) -> None:
        """Every page replaced by one showing ``problems`` (it reloads when they are fixed)."""
        self.problems = problems
        write_assets(self.out)
        page = error_page(title, problems)
        for html in [self.out / "index.html", *self.out.glob("*.html")]:
            html.write_text(page, encoding="utf-8")

    def check(self) -> bool:
        """Render again when a watched file changed since the last look; True when it did."""
        current = self._snapshot()
        if current == self._mtimes:
            return False
        self._mtimes = current
        self.render()
        return True

    def panels(self, slug: str, values: Mapping[str, str]) -> dict[str, object] | None:
        with self._lock:
            if self.app is None or self.runner is None:
                return None
            dashboard = next((d for d in self.app.dashboards if d.slug == slug), None)
            if dashboard is None:
                return None
            return dict(DashboardRunner(self.runner, dashboard).panels(values))

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self.check()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``close()`` (or ``timeout``); True once closed."""
        return self._stop.wait(timeout)

    def start(self) -> None:
        """Serve and watch in background threads."""
        for target in (self.httpd.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, server_state: PreviewServer, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.state = server_state
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        url = urlsplit(self.path)
        if url.path == "/__preview/version":
            self._send(200, str(self.state.version).encode(), "text/plain")
            return
        if url.path == "/__preview/panels":
            query = parse_qs(url.query)
            values = dict(v.partition("=")[::2] for v in query.get("var", []))
            panels = self.state.panels(query.get("dashboard", [""])[0], values)
            if panels is None:
                self._send(404, b'{"error": "unknown dashboard"}', "application/json")
            else:
                self._send(200, json.dumps(panels, sort_keys=True).encode(), "application/json")
            return
        super().do_GET()
