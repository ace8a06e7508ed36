"""``appbuilder fake-sumo``: run the Sumo-compatible fake server for local use or CI."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from appbuilder.fakesumo import FakeSumo

log = logging.getLogger(__name__)


def serve(port: int, keys: dict[str, str], **options: Any) -> FakeSumo:
    """Start a fake Sumo on 127.0.0.1:``port`` (0 = a free port) and return it, running.

    ``options`` are ``FakeSumo`` keyword arguments: user_email, rate_limit, max_in_flight, job_polls,
    latency.
    """
    return FakeSumo(keys=keys, port=port, **options).start()


def preload(fake: FakeSumo, events: list[Path], category: str, lookups: Path | None) -> str | None:
    """Load log files into the fake under ``category`` and the lookup tables of ``lookups``; the problem, if any."""
    from appbuilder.fakesumo.ingest import Metadata
    from appbuilder.load.samples import evaluator_lookups, read_lookup_tables

    if lookups is not None:
        tables, problems = read_lookup_tables(lookups)
        if problems:
            return f"{problems[0].position}: {problems[0].message}"
        fake.logs.lookups = evaluator_lookups(tables)
    for path in events:
        try:
            fake.logs.ingest_file(path, Metadata(category, name=path.name))
        except (OSError, UnicodeDecodeError) as exc:
            return f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
    return None


def run_forever(fake: FakeSumo, stop: threading.Event | None = None) -> None:
    """Block until ``stop`` is set or the process is interrupted, then stop the server."""
    log.info("fake Sumo API at %s (control endpoints at %s/__fake/)", fake.base_url, fake.url)
    event = stop or threading.Event()
    try:
        while not event.wait(0.5):
            pass
    except KeyboardInterrupt:
        log.info("interrupted; stopping the fake Sumo")
    finally:
        fake.stop()
