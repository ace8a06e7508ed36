"""The fake Sumo HTTP server: plumbing, Basic auth, rate limiting, faults and the request log."""

from __future__ import annotations

import base64
import binascii
import copy
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import appbuilder.fakesumo.collectors as collectors
import appbuilder.fakesumo.content as content
import appbuilder.fakesumo.control as control
import appbuilder.fakesumo.dashboards as dashboards
import appbuilder.fakesumo.logsearches as logsearches
import appbuilder.fakesumo.monitors as monitors
import appbuilder.fakesumo.permissions as permissions
import appbuilder.fakesumo.search as search
from appbuilder.clock import SYSTEM_CLOCK, Clock
from appbuilder.fakesumo.contract import check_request, check_response, spec_body
from appbuilder.fakesumo.errors import ApiError, flat_body
from appbuilder.fakesumo.ingest import RECEIVER_PREFIX, LogStore, receive
from appbuilder.fakesumo.routing import NO_BODY, Request, Response, Router
from appbuilder.fakesumo.state import Store
from appbuilder.fakesumo.traffic import FaultQueue, RateLimiter, RequestRecord, redact_headers

log = logging.getLogger(__name__)

DEFAULT_KEYS = {"suAccessId": "accessKeySecret"}
FAULT_ERRORS = {
    "500": (500, "internal.error", "Internal server error."),
    "502": (502, "bad.gateway", "Bad gateway."),
    "503": (503, "service.unavailable", "Service temporarily unavailable."),
}


def _build_router() -> Router:
    router = Router()
    content.register(router)
    permissions.register(router)
    dashboards.register(router)
    logsearches.register(router)
    monitors.register(router)
    collectors.register(router)
    search.register(router)
    return router


ROUTER = _build_router()


class FakeSumo:
    """A Sumo-compatible management API on 127.0.0.1 (see docs in ``appbuilder.fakesumo``)."""

    def __init__(
        self,
        keys: dict[str, str] | None = None,
        user_email: str = "dev@example.com",
        rate_limit: float | None = 4.0,
        max_in_flight: int | None = 10,
        job_polls: int = 2,
        latency: float = 0.0,
        port: int = 0,
        host: str = "127.0.0.1",
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.keys = dict(DEFAULT_KEYS if keys is None else keys)
        self.user_email = user_email
        self.rate_limit = rate_limit
        self.max_in_flight = max_in_flight
        self.job_polls = job_polls
        self.latency = latency
        self.slow_seconds = 2.0
        self.fill_defaults = True  # add the keys Sumo fills in on import (export returns them)
        self.host = host
        self.port = port
        self.clock = clock  # rate-limit windows and timestamps; latency and slow faults stay real time
        self.state = Store(user_email, clock)
        self.logs = LogStore(clock)  # what HTTP Logs sources received; the Search Job API searches it
        self.search_jobs = search.SearchJobs()
        self.faults = FaultQueue()
        self.limiter = RateLimiter(clock)
        self.violations: list[str] = []  # replies of the fake that broke the spec (each answered with a 500)
        self._log: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> FakeSumo:
        if self._server is not None:
            return self
        server = _QuietServer((self.host, self.port), _make_handler(self))
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, args=(0.01,),  # stop() waits one interval
                                        name=f"fakesumo:{self.port}",
                                        daemon=True)
        self._thread.start()
        log.info("fake Sumo listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSumo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The server root (control endpoints live at ``url + "/__fake/..."``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base, like ``https://api.sumologic.com/api`` for a real deployment."""
        return f"{self.url}/api"

    # -- test helpers --------------------------------------------------------------------------
    def inject(self, fault: str, count: int = 1, path: str | None = None, method: str | None = None) -> None:
        """Make the next ``count`` requests matching ``path`` (substring) and ``method`` fail (``FAULTS``;
        ``lost_reply`` carries the request out and then drops the connection, as a reply lost on the way)."""
        self.faults.add(fault, count, path, method)

    def take_job_failure(self, path: str, method: str) -> bool:
        return self.faults.take(path, method, job=True) is not None

    @property
    def requests(self) -> list[RequestRecord]:
        with self._log_lock:
            return list(self._log)

    def reset_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def reset(self) -> None:
        """Forget all content, collectors, faults, requests and rate-limit windows."""
        with self.state.lock:
            self.state = Store(self.user_email, self.clock)
        self.logs = LogStore(self.clock, self.logs.lookups)
        self.search_jobs = search.SearchJobs()
        self.faults.clear()
        self.limiter.reset()
        self.reset_log()

    def ui_edit(self, path: str, mutate: Callable[[dict[str, Any]], None]) -> None:
        """Change stored content the way a person in the Sumo UI would, and bump modifiedAt.

        ``path`` is a Library path (``mutate`` gets the item's sync definition) or a monitors library path
        under ``/Monitors`` (``mutate`` gets the item as exported; its version goes up by one).
        """
        state = self.state
        with state.lock:
            if path == "/Monitors" or path.startswith("/Monitors/"):
                self._ui_edit_monitor(path, mutate)
                return
            item = state.find_by_path(path)
            if item is None:
                raise KeyError(f"no content at {path!r}")
            definition = state.export(item)
            mutate(definition)
            parent = state.items.get(item.parent_id)
            new_name = definition.get("name", item.name)
            if parent is not None and new_name != item.name and state.child_named(parent, new_name):
                raise ValueError(f"{new_name!r} already exists next to {path!r}")
            state.reconcile(item, definition)

    def _ui_edit_monitor(self, path: str, mutate: Callable[[dict[str, Any]], None]) -> None:
        lib = self.state.monitors
        node = lib.find_by_path(path)
        if node is None or node.id == lib.root_id:
            raise KeyError(f"no monitor or folder at {path!r}")
        edited = {"name": node.name, "description": node.description, **copy.deepcopy(node.body)}
        mutate(edited)
        parent = lib.nodes[node.parent_id]
        new_name = str(edited.pop("name", node.name))
        if new_name != node.name and lib.child_named(parent, new_name) is not None:
            raise ValueError(f"{new_name!r} already exists next to {path!r}")
        node.name, node.description = new_name, str(edited.pop("description", node.description))
        if not node.is_folder:
            node.body = edited
        lib.touch(node)

    def _record(self, record: RequestRecord) -> None:
        with self._log_lock:
            self._log.append(record)

    # -- request processing --------------------------------------------------------------------
    def handle(self, req: Request) -> Response | None:
        """Answer one API request; ``None`` means drop the connection without a response."""
        access_id = self._authenticate(req)
        req.access_id = access_id
        retry_after = self.limiter.acquire(access_id, self.rate_limit, self.max_in_flight)
        if retry_after is not None:
            raise ApiError(429, "rate.limit.exceeded",
                           "The API request rate is higher than 4 request per second or in-flight API "
                           "requests are higher than 10.", headers={"Retry-After": str(retry_after)})
        try:
            if self.latency > 0:
                time.sleep(self.latency)
            fault = self.faults.take(req.full_path, req.method, job=False)
            if fault == "drop":
                return None
            if fault == "slow":
                time.sleep(self.slow_seconds)
            elif fault == "429":
                raise ApiError(429, "rate.limit.exceeded", "Rate limit exceeded (injected fault).",
                               headers={"Retry-After": "1"})
            elif fault in FAULT_ERRORS:
                status, code, message = FAULT_ERRORS[fault]
                raise ApiError(status, code, message)
            handler, params = ROUTER.match(req.method, req.path)
            req.params = params
            check_request(req.method, req.path, req.body)
            with self.state.lock:
                content.settle(self)  # jobs run in the background, polled or not
                response = handler(self, req)
            response = self._conforming(req, response)
            return None if fault == "lost_reply" else response
        finally:
            self.limiter.release(access_id)

    def _conforming(self, req: Request, response: Response) -> Response:
        """``response``, or a 500 when it breaks the spec's response schema (a bug of the fake: tests fail)."""
        if response.body is NO_BODY:
            return response
        problems = check_response(req.method, req.path, response.status, response.body)
        if not problems:
            return response
        log.error("fake Sumo reply breaks the spec: %s %s: %s", req.method, req.path, "; ".join(problems))
        self.violations.extend(problems)
        raise ApiError(500, "fake.contract_violation", "The fake's reply breaks the spec: " + problems[0],
                       more=[("fake.contract_violation", p) for p in problems[1:]])

    def _authenticate(self, req: Request) -> str:
        header = req.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                access_id, _, secret = base64.b64decode(token.strip(), validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                access_id, secret = "", None
            if access_id in self.keys and self.keys[access_id] == secret:
                return access_id
        raise _Unauthorized()


class _Unauthorized(ApiError):
    def __init__(self) -> None:
        super().__init__(401, "unauthorized", "Credential could not be verified.")

    def body(self, api_path: str) -> dict[str, Any]:
        return flat_body(self.status, self.code, self.message)  # the gateway's legacy shape everywhere


def _make_handler(fake: FakeSumo) -> type[BaseHTTPRequestHandler]:
    class Handler(_FakeSumoHandler):
        pass

    Handler.fake = fake
    return Handler


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up (a timeout during a "slow" fault) is normal here, not a traceback on stderr."""

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)):
            log.debug("client %s went away: %s", client_address, error)
            return
        log.exception("fake Sumo: error while handling a request from %s", client_address)


class _FakeSumoHandler(BaseHTTPRequestHandler):
    fake: FakeSumo
    protocol_version = "HTTP/1.1"
    server_version = "FakeSumo/1.0"
    timeout = 60
    wbufsize = 1 << 16  # headers and body leave in one write (flushed per request by the base class)
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        started = self.fake.clock.time()
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        if split.path.startswith("/__fake/") or split.path == "/__fake":
            self._send(control.handle(self.fake, self.command, split.path, query, body))
            return
        if split.path.startswith(RECEIVER_PREFIX) and self.command == "POST":  # an HTTP Logs source
            status, error = receive(self.fake.logs, split.path[len(RECEIVER_PREFIX):], self.headers, body)
            self._send(Response(status, NO_BODY if error is None else error))
            return
        api_path = split.path[len("/api"):] if split.path.startswith("/api/") else split.path
        req = Request(self.command, api_path, split.path, query, self.headers, body,
                      multi=parse_qs(split.query, keep_blank_values=True))
        response: Response | None
        try:
            if not split.path.startswith("/api/"):
                raise ApiError(404, "notfound", f"The requested resource {split.path} does not exist.")
            content_type = self.headers.get("Content-Type", "")
            if body and self.command in ("POST", "PUT") and "json" not in content_type:
                raise ApiError(415, "contenttype.invalid", "Content-Type must be application/json.")
            response = self.fake.handle(req)
        except ApiError as err:
            response = Response(err.status, err.body(api_path), dict(err.headers))
        except Exception:  # noqa: BLE001 - a fake server must answer, not die
            log.exception("fake Sumo handler failed for %s %s", self.command, self.path)
            response = Response(500, ApiError(500, "internal.error", "Internal server error.").body(api_path))
        if response is None:
            self.close_connection = True
        # logged before the reply leaves: a client holding its reply finds its request in ``fake.requests``
        self.fake._record(RequestRecord(self.command, split.path, query, 0 if response is None else response.status,
                                        started, self.fake.clock.time(), redact_headers(self.headers),
                                        spec_body(self.command, api_path, body)))
        if response is not None:
            self._send(response)

    def _send(self, response: Response) -> None:
        payload = b"" if response.body is NO_BODY else json.dumps(response.body).encode()
        self.send_response(response.status)
        if response.body is not NO_BODY:
            self.send_header("Content-Type", "application/json")
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


__all__ = ["FakeSumo"]
