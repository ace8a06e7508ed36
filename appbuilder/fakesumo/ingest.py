"""Log messages the fake holds, as an HTTP Logs source receives them, and the search over them.

Sources for what is modelled: Sumo's "HTTP Logs and Metrics Source" page (``POST`` to the source's receiver URL
``…/receiver/v1/http/{token}``, one message per line, the ``X-Sumo-Category`` / ``X-Sumo-Name`` /
``X-Sumo-Host`` headers overriding the source's metadata). Guesses, named as such: the fake accepts any receiver
token (it creates no HTTP sources), answers 200 with no body, and stamps a message with the ``timestamp`` of its
JSON object when it has one (Sumo's default timestamp detection), else with its receipt time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.clock import Clock
from appbuilder.query.engines.local import LocalEngine
from appbuilder.query.evaluate import Lookups, timestamp_ms

RECEIVER_PREFIX = "/receiver/v1/http/"
DEFAULT_COLLECTOR = "fake-sumo"
DEFAULT_NAME = "Http Input"  # the name Sumo's UI proposes for a new HTTP source
DEFAULT_HOST = "127.0.0.1"
MAX_BODY = 1 << 20  # Sumo recommends HTTP source requests of 100 KB to 1 MB


@dataclass(frozen=True)
class Metadata:
    """The built-in metadata fields of a message."""

    category: str
    name: str = DEFAULT_NAME
    host: str = DEFAULT_HOST
    collector: str = DEFAULT_COLLECTOR

    def fields(self) -> dict[str, str]:
        return {"_sourceCategory": self.category, "_sourceName": self.name, "_sourceHost": self.host,
                "_collector": self.collector, "_source": self.name}


@dataclass(frozen=True)
class Message:
    raw: str
    event: dict[str, Any]  # the parsed JSON object ({} for a line that is not one)
    message_time: int  # epoch ms
    receipt_time: int
    meta: Metadata

    def fields(self) -> dict[str, Any]:
        return {**self.meta.fields(), "_messageTime": self.message_time, "_receiptTime": self.receipt_time}


@dataclass
class LogStore:
    """Every message ingested, in arrival order, and the lookup tables searches read (geo, threat intel)."""

    clock: Clock
    lookups: Lookups = field(default_factory=Lookups)
    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _evaluators: dict[tuple[int, ...], LocalEngine] = field(default_factory=dict)

    def ingest(self, lines: Iterable[str], meta: Metadata) -> int:
        """Store each non-blank line as one message; returns how many were stored."""
        now = int(self.clock.time() * 1000)
        added = []
        for line in lines:
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            event = parsed if isinstance(parsed, dict) else {}
            stamp = timestamp_ms(event.get("timestamp"))
            added.append(Message(text, event, stamp if stamp is not None else now, now, meta))
        with self.lock:
            self.messages.extend(added)
            self._evaluators.clear()
        return len(added)

    def ingest_file(self, path: Path, meta: Metadata) -> int:
        """Preload a JSON-lines (or plain) log file; raises OSError / UnicodeDecodeError when unreadable."""
        return self.ingest(path.read_text(encoding="utf-8-sig").splitlines(), meta)

    def evaluator(self, chosen: Sequence[int]) -> LocalEngine:
        """The query evaluator over the messages at ``chosen`` indexes, with their metadata as fields; one per
        selection, so queries with the same scope share its prefix cache."""
        key = tuple(chosen)
        with self.lock:
            found = self._evaluators.get(key)
            if found is None:
                picked = [self.messages[i] for i in key]
                found = LocalEngine([m.event for m in picked], self.lookups, [m.raw for m in picked],
                                    fields=[m.fields() for m in picked])
                self._evaluators[key] = found
            return found


def receive(store: LogStore, token: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any] | None]:
    """An HTTP Logs source's ``POST``: (status, error body or None)."""
    if not token:
        return 404, {"status": 404, "code": "notfound", "message": "No receiver token in the URL."}
    if len(body) > MAX_BODY:
        return 413, {"status": 413, "code": "request.too.large",
                     "message": f"The request body is larger than {MAX_BODY} bytes."}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return 400, {"status": 400, "code": "bad.request", "message": "The request body is not UTF-8."}
    meta = Metadata(category=headers.get("X-Sumo-Category") or "http", name=headers.get("X-Sumo-Name") or
                    DEFAULT_NAME, host=headers.get("X-Sumo-Host") or DEFAULT_HOST)
    store.ingest(text.splitlines(), meta)
    return 200, None
