"""``/__fake/`` control endpoints: drive a fake started in another process. They need no auth.

| Method and path | Effect |
|---|---|
| GET /__fake/health | ``{"ok": true, "base_url": ...}`` |
| GET /__fake/faults | pending faults |
| POST /__fake/faults | body ``{"fault": "429", "count": 3, "path": "/import", "method": "POST"}`` |
| DELETE /__fake/faults | drop pending faults |
| GET /__fake/requests | the request log (``RequestRecord`` fields) |
| DELETE /__fake/requests | clear the request log |
| GET /__fake/search_jobs | ``{"active": [ids not deleted], "created": n, "messages": n held}`` |
| POST /__fake/reset | forget all content, collectors, faults, requests, log messages and search jobs |
| GET, POST /__fake/config | read/change rate_limit, max_in_flight, job_polls, latency, slow_seconds |
| GET /__fake/state | the content library as export definitions, the monitors library as exported, collectors and |
| | sources (tokens masked) |
| POST /__fake/ui_edit | ``{"path": "/Library/Users/...", "set": {"title": "x"}}``: shallow-merge into it (also a |
| | ``/Monitors/...`` path: a monitor or folder as exported) |
| POST /__fake/ui_edit_collector | ``{"collector": "name", "set": {"category": "x"}}``: shallow-merge into the stored |
| | collector; with ``"source": "name"``, into that source's ``config`` (e.g. ``supported_apis``) |
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from appbuilder.fakesumo.collectors import public_source, ui_edit
from appbuilder.fakesumo.errors import v2_body
from appbuilder.fakesumo.monitors import export_monitors
from appbuilder.fakesumo.routing import Response
from appbuilder.fakesumo.traffic import checked_setting

if TYPE_CHECKING:
    from appbuilder.fakesumo.server import FakeSumo

CONFIG_KEYS = ("rate_limit", "max_in_flight", "job_polls", "latency", "slow_seconds")


def _error(status: int, message: str) -> Response:
    return Response(status, v2_body([("fake:bad_request" if status == 400 else "notfound", message)]))


def _body(raw: bytes) -> Any:
    import json

    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return None


def handle(fake: FakeSumo, method: str, path: str, query: dict[str, str], raw: bytes) -> Response:
    name = path[len("/__fake/"):].strip("/") if path.startswith("/__fake/") else ""
    body = _body(raw)
    if body is None or not isinstance(body, dict):
        return _error(400, "The body must be a JSON object.")
    key = (method, name)
    if key == ("GET", "health"):
        return Response(200, {"ok": True, "base_url": fake.base_url})
    if key == ("GET", "faults"):
        return Response(200, {"faults": [asdict(f) for f in fake.faults.pending()]})
    if key == ("POST", "faults"):
        try:
            fake.inject(str(body.get("fault")), int(body.get("count", 1)), body.get("path"),
                        body.get("method"))
        except (TypeError, ValueError) as exc:
            return _error(400, str(exc))
        return Response(200, {"faults": [asdict(f) for f in fake.faults.pending()]})
    if key == ("DELETE", "faults"):
        fake.faults.clear()
        return Response(200, {"faults": []})
    if key == ("GET", "requests"):
        return Response(200, {"requests": [r.to_json() for r in fake.requests]})
    if key == ("DELETE", "requests"):
        fake.reset_log()
        return Response(200, {"requests": []})
    if key == ("GET", "search_jobs"):
        return Response(200, {"active": fake.search_jobs.active(), "created": fake.search_jobs.created,
                              "messages": len(fake.logs.messages)})
    if key == ("POST", "reset"):
        fake.reset()
        return Response(200, {"ok": True})
    if name == "config" and method in ("GET", "POST"):
        try:
            settings = {option: checked_setting(option, value) for option, value in body.items()
                        if option in CONFIG_KEYS}
        except ValueError as exc:
            return _error(400, f"{exc}.")
        unknown = [option for option in body if option not in CONFIG_KEYS]
        if unknown:
            return _error(400, f"Unknown option {unknown[0]!r}; expected one of {', '.join(CONFIG_KEYS)}.")
        for option, value in settings.items():
            setattr(fake, option, value)
        return Response(200, {k: getattr(fake, k) for k in CONFIG_KEYS})
    if key == ("GET", "state"):
        return Response(200, _state_view(fake))
    if key == ("POST", "ui_edit"):
        changes = body.get("set")
        if not isinstance(body.get("path"), str) or not isinstance(changes, dict):
            return _error(400, "Expected {\"path\": \"/Library/...\", \"set\": {...}}.")
        try:
            fake.ui_edit(body["path"], lambda d: d.update(changes))
        except (KeyError, ValueError) as exc:
            return _error(404 if isinstance(exc, KeyError) else 400, str(exc))
        return Response(200, {"ok": True})
    if key == ("POST", "ui_edit_collector"):
        return _ui_edit_collector(fake, body)
    return _error(404, f"No control endpoint {method} {path}.")


def _ui_edit_collector(fake: FakeSumo, body: dict[str, Any]) -> Response:
    changes, source = body.get("set"), body.get("source")
    if not isinstance(body.get("collector"), str) or not isinstance(changes, dict) \
            or not isinstance(source, str | None):
        return _error(400, "Expected {\"collector\": \"name\", \"source\": \"name\" (optional), \"set\": {...}}.")
    with fake.state.lock:
        try:
            ui_edit(fake.state, body["collector"], source, changes)
        except KeyError as exc:
            return _error(404, str(exc.args[0]))
    return Response(200, {"ok": True})


def _state_view(fake: FakeSumo) -> dict[str, Any]:
    state = fake.state
    with state.lock:
        return {
            "personal": state.export(state.items[state.personal_id]),
            "adminRecommended": state.export(state.items[state.admin_recommended_id]),
            "monitors": export_monitors(state.monitors, state.monitors.nodes[state.monitors.root_id]),
            "collectors": [c.data for c in state.collectors.values()],
            "sources": [public_source(s) for s in state.sources.values()],
        }
