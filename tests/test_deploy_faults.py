"""Fault matrix: each fault injected in each install phase; install succeeds after retries or fails with a clear
message, and a second run converges (one collector, one source, content as built)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from appbuilder.clock import VirtualClock
from appbuilder.commands.install import run_install
from appbuilder.commands.plan import run_plan
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import FAST_CLIENT
from appbuilder.fakesumo.server import FakeSumo

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
ENV = {"MINIMAL_TOKEN": "ops_minimal_token_value"}
PHASES = {
    "collector": ("/api/v1/collectors", "POST"),
    "source": ("/sources", "POST"),
    "import": ("/import", "POST"),
    "poll": ("/import/", "GET"),
}
FAULTS = {"429": 3, "500": 2, "502": 2, "503": 2, "slow": 1, "drop": 1, "lost_reply": 1, "job_failed": 1}
CASES = [(fault, phase) for fault in FAULTS for phase in PHASES
         if fault != "job_failed" or phase in ("import", "poll")]


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURE, target)
    return target


def _options(fake: FakeSumo) -> DeployOptions:
    client = {**FAST_CLIENT, "timeout": (1.0, 0.2), "clock": fake.clock}  # Retry-After waits cost no real time
    return DeployOptions(access_id="id", access_key="key", base_url=fake.base_url, client_options=client, env=ENV)


def _check_converged(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    second = run_install(app, {}, _options(fake), backup_root=tmp_path / "b2")
    assert second.ok, (second.error, second.hint)
    assert len(fake.state.collectors) == 1
    assert len(fake.state.sources) == 1
    plan = run_plan(app, {}, _options(fake)).plan
    assert plan is not None and not plan.changed
    folder = fake.state.find_by_path(f"/Library/Users/{fake.user_email}/Minimal mini")
    assert folder is not None and len(folder.children) == 2


@pytest.mark.parametrize(("fault", "phase"), CASES)
def test_fault_during_phase(fault: str, phase: str, app: Path, tmp_path: Path) -> None:
    with FakeSumo(keys={"id": "key"}, rate_limit=None, job_polls=1, clock=VirtualClock()) as fake:
        fake.slow_seconds = 0.3  # longer than the client's 0.2 s read timeout
        path, method = PHASES[phase]
        if fault == "job_failed":
            path, method = PHASES["import"]
        fake.inject(fault, count=FAULTS[fault], path=path, method=method)
        first = run_install(app, {}, _options(fake), backup_root=tmp_path / "b1")
        if fault == "job_failed":
            assert not first.ok and "failed" in (first.error or "")
        if not first.ok:
            assert first.error and "Traceback" not in first.error
            assert "\n" not in first.error
        _check_converged(fake, app, tmp_path)


@pytest.mark.parametrize("phase", list(PHASES))
def test_persistent_failure_is_clear_and_rerun_converges(phase: str, app: Path, tmp_path: Path) -> None:
    with FakeSumo(keys={"id": "key"}, rate_limit=None, job_polls=1, clock=VirtualClock()) as fake:
        path, method = PHASES[phase]
        fake.inject("503", count=FAST_CLIENT["max_attempts"], path=path, method=method)
        first = run_install(app, {}, _options(fake), backup_root=tmp_path / "b1")
        assert not first.ok
        assert "HTTP 503" in (first.error or "") and "try again later" in first.hint
        fake.faults.clear()  # an import whose outcome is unknown is sent twice at most (never replayed blindly)
        _check_converged(fake, app, tmp_path)
