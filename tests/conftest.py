"""Fixtures shared by the offline-core tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers import FAKE_AUTH

from appbuilder.fakesumo import FakeSumo, RequestRecord
from appbuilder.fakesumo.contract import request_problems
from appbuilder.fakesumo.virtual import VirtualSumo

MINIMAL_APP = Path(__file__).resolve().parent / "fixtures" / "minimal"


def pytest_configure(config: pytest.Config) -> None:
    """With -n (xdist's ``--dist load`` unless another mode is asked for): one file per worker at a time, so its
    module fixtures are built once, and the files in the order collected (see below), not by size."""
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadfile"
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files holding a test marked ``slow`` come first, so that under xdist the long ones start at once and
    the quick ones fill in around them, not after them."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)  # stable: the order within each part stays


@pytest.fixture(scope="session", autouse=True)
def private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test caches (preview charts, the Vega bundle) under a temporary XDG_CACHE_HOME, never ~/.cache."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(cache))
        yield cache


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


@pytest.fixture
def virtual_sumo() -> Iterator[VirtualSumo]:
    """A fake Sumo with Sumo's real limits (4 requests/s, 10 in flight, jobs InProgress for 2 polls) on a
    virtual clock that its clients share, so 429s, Retry-After, backoff and job polls take no real time.

    ``virtual_sumo.client()`` makes a SumoClient; ``virtual_sumo.client_options()`` gives the same settings
    for ``DeployOptions(client_options=...)`` (with ``base_url``, ``access_id``, ``access_key`` from it);
    ``virtual_sumo.fake`` is the FakeSumo (inject faults, read ``requests``); ``virtual_sumo.clock.sleeps``
    lists every wait.
    """
    with VirtualSumo() as sumo:
        yield sumo


# the tests whose every request body is held to Sumo's OpenAPI spec (the contract test of the client)
CONTRACT_MODULES = ("test_deploy_", "test_monitors", "test_e2e_install", "test_contract", "test_live")


@pytest.fixture(autouse=True)
def client_bodies_follow_the_spec(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In the deploy and live tests, every JSON body sent to an operation of Sumo's spec (the Search Job API's
    documented paths included) must validate against it, whatever the fake answered; ``sent_to_spec`` holds them
    for a test that wants to look."""
    if not request.module.__name__.startswith(CONTRACT_MODULES):
        yield
        return
    record = FakeSumo._record
    sent: list[RequestRecord] = []

    def keep(self: FakeSumo, entry: RequestRecord) -> None:
        if entry.body is not None:
            sent.append(entry)
        record(self, entry)

    monkeypatch.setattr(FakeSumo, "_record", keep)
    request.node.sent_to_spec = sent
    yield
    problems = [f"{e.method} {e.path}: {p}" for e in sent
                for p in request_problems(e.method, e.path.removeprefix("/api"), e.body)]
    assert not problems, "request bodies that break Sumo's OpenAPI spec:\n" + "\n".join(problems)
