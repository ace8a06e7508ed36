"""Fixtures shared by the offline-core tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers import FAKE_AUTH

from appbuilder.fakesumo import FakeSumo

MINIMAL_APP = Path(__file__).resolve().parent / "fixtures" / "minimal"


@pytest.fixture
def app_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the minimal fixture at ``./app`` (cwd = tmp_path, so positions read ``app/...``)."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(MINIMAL_APP, tmp_path / "app")
    return Path("app")


@pytest.fixture
def fake() -> Iterator[FakeSumo]:
    """A fake Sumo with no rate limit and instant jobs (test modules override it where they need otherwise)."""
    with FakeSumo(keys={FAKE_AUTH[0]: FAKE_AUTH[1]}, rate_limit=None, max_in_flight=None, job_polls=0) as server:
        yield server


@pytest.fixture
def api(fake: FakeSumo) -> Iterator[requests.Session]:
    """A requests session authenticated against ``fake``."""
    with requests.Session() as session:
        session.auth = FAKE_AUTH
        yield session
