"""One writer at a time: two runs against one fake Sumo (threads), the lock's record, lease and take-over, and a
run killed part way followed by an install of the previous version."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import cli_run, fast_cli_client

from appbuilder.clock import SystemClock, VirtualClock
from appbuilder.commands.install import InstallOutcome, run_install
from appbuilder.commands.plan import run_plan
from appbuilder.commands.uninstall import run_uninstall
from appbuilder.deploy.changes import DRIFTED, NOOP, RECORD, UPDATE
from appbuilder.deploy.intent import HALF_APPLIED
from appbuilder.deploy.lock import DEFAULT_LEASE, AppLock, LockRecord, lock_name, parse_record, run_id
from appbuilder.deploy.marker import split_description
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import FAST_CLIENT, is_write
from appbuilder.fakesumo.server import FakeSumo

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
ENV = {"MINIMAL_TOKEN": "ops_minimal_token_value"}
FOLDER = "Minimal mini"
DASHBOARD, SEARCH = "Minimal - Main", "Minimal - All Events"


@pytest.fixture()
def fake() -> Iterator[FakeSumo]:
    with FakeSumo(keys={"id": "key"}, rate_limit=None, max_in_flight=None, job_polls=1) as server:
        yield server


def make_app(where: Path, version: str, *, title: bool = False, search: bool = False) -> Path:
    """The minimal app at ``version``; ``title`` renames a panel of its dashboard, ``search`` changes its saved
    search's description."""
    shutil.copytree(FIXTURE, where)
    manifest = where / "app.yaml"
    manifest.write_text(manifest.read_text().replace("version: 0.1.0", f"version: {version}"))
    if title:
        board = where / "dashboards" / "main.yaml"
        board.write_text(board.read_text().replace("title: Events by Category", "title: Events per category"))
    if search:
        queries = where / "queries.yaml"
        queries.write_text(queries.read_text().replace("description: Every event.", "description: Every event, "
                                                       "counted."))
    return where


def options(fake: FakeSumo, **extra: Any) -> DeployOptions:
    client = {**FAST_CLIENT, **extra.pop("client", {})}
    env = {**ENV, **extra.pop("env", {})}
    return DeployOptions(access_id="id", access_key="key", base_url=fake.base_url, client_options=client, env=env,
                         **extra)


def installed(app: Path, fake: FakeSumo, tmp_path: Path, **extra: Any) -> InstallOutcome:
    outcome = run_install(app, {}, options(fake, **extra), backup_root=tmp_path / "backups")
    assert outcome.ok, (outcome.error, outcome.hint)
    return outcome


def version_in_sumo(fake: FakeSumo) -> str | None:
    folder = fake.state.find_by_path(f"/Library/Users/{fake.user_email}/{FOLDER}")
    marker = split_description(folder.description)[1] if folder is not None else None
    return marker.version if marker is not None else None


def lock_folder(fake: FakeSumo) -> Any:
    return fake.state.find_by_path(f"/Library/Users/{fake.user_email}/{lock_name(FOLDER)}")


class Pause:
    """Stops the run on the thread named ``A`` at its first write, holding the lock, until ``go`` is set."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.holding, self.go = threading.Event(), threading.Event()
        real = AppLock.renew

        def renew(lock: AppLock) -> None:
            if threading.current_thread().name == "A" and not self.go.is_set():
                self.holding.set()
                assert self.go.wait(30)
            real(lock)

        monkeypatch.setattr(AppLock, "renew", renew)
        self.thread: threading.Thread | None = None
        self.result: list[Any] = []

    def start(self, run: Callable[[], Any]) -> None:
        self.thread = threading.Thread(target=lambda: self.result.append(run()), name="A", daemon=True)
        self.thread.start()
        assert self.holding.wait(30), "run A never reached its first write"

    def finish(self) -> Any:
        self.go.set()
        assert self.thread is not None
        self.thread.join(30)
        return self.result[0]


class ReleasingClock(SystemClock):
    """Real time, except that the lock's wait (seconds long) lets the paused run finish instead of sleeping."""

    def __init__(self, pause: Pause) -> None:
        self.pause, self.waits = pause, []  # type: list[float]

    def sleep(self, seconds: float) -> None:
        if seconds >= 1.0:
            self.waits.append(seconds)
            self.pause.finish()
        else:
            super().sleep(seconds)


# -- Done when: two concurrent installs of different versions ---------------------------------------------------
def test_two_concurrent_installs_one_applies_the_other_refuses_naming_the_holder_and_writes_nothing(
        fake: FakeSumo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    installed(make_app(tmp_path / "base", "1.0.0"), fake, tmp_path)
    first, second = make_app(tmp_path / "a", "1.1.0", title=True), make_app(tmp_path / "b", "1.2.0", search=True)
    pause = Pause(monkeypatch)
    pause.start(lambda: run_install(first, {}, options(fake, env={"GITHUB_RUN_ID": "4242"}),
                                    backup_root=tmp_path / "backups"))
    shown = run_plan(second, {}, options(fake)).plan  # type: ignore[union-attr]
    assert any(n.startswith("another run is writing to this app folder (pid") for n in shown.notes), shown.notes
    seen = len(fake.requests)
    refused = run_install(second, {}, options(fake), backup_root=tmp_path / "backups")
    during = fake.requests[seen:]
    applied = pause.finish()
    assert applied.ok and not refused.ok
    assert "is locked by another run: pid" in (refused.error or "")
    assert f"pid {os.getpid()} on {socket.gethostname()} (CI run github:4242)" in (refused.error or "")
    assert "nothing was written" in (refused.error or "") and "force-unlock" in refused.hint
    # the one write the refused run sent is the lock's create, refused as a duplicate name: nothing changed
    assert [(r.method, r.path, r.status) for r in during if is_write(r)] == [("POST", "/api/v2/content/folders", 400)]
    assert refused.steps == [] and version_in_sumo(fake) == "1.1.0"
    assert not run_plan(first, {}, options(fake)).plan.changed  # type: ignore[union-attr]
    assert lock_folder(fake) is None  # given back


def test_with_a_lock_timeout_the_second_install_waits_then_applies_on_top(
        fake: FakeSumo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    installed(make_app(tmp_path / "base", "1.0.0"), fake, tmp_path)
    first = make_app(tmp_path / "a", "1.1.0", title=True)
    later = make_app(tmp_path / "b", "1.2.0", title=True, search=True)  # the later merge holds the first one
    pause = Pause(monkeypatch)
    pause.start(lambda: run_install(first, {}, options(fake), backup_root=tmp_path / "backups"))
    clock, lines = ReleasingClock(pause), []
    waited = run_install(later, {}, options(fake, lock_timeout=60.0, client={"clock": clock}),
                         backup_root=tmp_path / "backups", progress=lines.append)
    assert pause.result[0].ok and waited.ok, (waited.error, waited.hint)
    assert clock.waits == [5.0]  # one wait for the lock, which the first run gave back
    assert any(" is locked by pid " in line and "60 s left of --lock-timeout" in line for line in lines), lines
    planned = {(c.kind, c.identity): c.action for c in waited.plan.changes if c.action != NOOP}  # type: ignore[union-attr]
    assert planned == {("folder", FOLDER): RECORD, ("saved search", SEARCH): UPDATE}  # planned again, on top
    assert any(note.startswith("planned again") for note in waited.plan.notes)  # type: ignore[union-attr]
    assert version_in_sumo(fake) == "1.2.0" and lock_folder(fake) is None
    assert not run_plan(later, {}, options(fake)).plan.changed  # type: ignore[union-attr]


def test_a_plan_made_again_under_the_lock_keeps_the_uncollected_notes(
        fake: FakeSumo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The notes install adds to its plan (what stays empty while a collection parameter is off) are on the plan
    made again after waiting for the lock too: that is the plan the person approves and the run applies."""
    import appbuilder.commands.install as install_command

    monkeypatch.setattr(install_command, "uncollected_notes", lambda app, given: ["audit_events_api is empty"])
    installed(make_app(tmp_path / "base", "1.0.0"), fake, tmp_path)
    first, later = make_app(tmp_path / "a", "1.1.0", title=True), make_app(tmp_path / "b", "1.2.0", search=True)
    pause = Pause(monkeypatch)
    pause.start(lambda: run_install(first, {}, options(fake), backup_root=tmp_path / "backups"))
    waited = run_install(later, {}, options(fake, lock_timeout=60.0, client={"clock": ReleasingClock(pause)}),
                         backup_root=tmp_path / "backups")
    assert pause.result[0].ok and waited.ok, (waited.error, waited.hint)
    notes = waited.plan.notes  # type: ignore[union-attr]
    assert any(note.startswith("planned again") for note in notes), notes
    assert "audit_events_api is empty" in notes


# -- Done when: install racing uninstall ------------------------------------------------------------------------
@pytest.mark.parametrize("wait", [0.0, 60.0])
def test_install_racing_uninstall_never_reports_success_for_an_app_that_is_gone(
        wait: float, fake: FakeSumo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(tmp_path / "app", "1.0.0")
    installed(app, fake, tmp_path)
    pause = Pause(monkeypatch)
    pause.start(lambda: run_uninstall(app, {}, options(fake), backup_root=tmp_path / "backups"))
    clock = ReleasingClock(pause)
    racing = run_install(app, {}, options(fake, lock_timeout=wait, client={"clock": clock}),
                         backup_root=tmp_path / "backups")
    if pause.thread is not None and pause.thread.is_alive():
        pause.finish()
    assert pause.result[0].ok
    there = fake.state.find_by_path(f"/Library/Users/{fake.user_email}/{FOLDER}") is not None
    if wait:  # waited for the uninstall, then planned again: a fresh install, and the app is there
        assert racing.ok and there and racing.steps and version_in_sumo(fake) == "1.0.0"
    else:  # the install saw "already installed" while the uninstall held the lock: it must not say so
        assert not racing.ok and "is locked by another run" in (racing.error or "") and not there
    assert lock_folder(fake) is None


# -- Done when: a run killed after its first write, then the previous version -----------------------------------
class Killed(BaseException):
    """What kill -9 does to a run, as far as the org can tell: it stops, and nothing after runs."""


def kill_after_first_write(monkeypatch: pytest.MonkeyPatch) -> None:
    real, writes = AppLock.renew, []

    def renew(lock: AppLock) -> None:
        writes.append(1)
        if len(writes) == 2:
            raise Killed
        real(lock)

    monkeypatch.setattr(AppLock, "renew", renew)
    monkeypatch.setattr(AppLock, "release", lambda lock: None)  # a killed run gives nothing back


@pytest.mark.parametrize("unlock", ["lease", "force-unlock"])
def test_a_run_killed_after_its_first_write_then_the_previous_version_installs_without_force(
        unlock: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = VirtualClock()
    with FakeSumo(keys={"id": "key"}, rate_limit=None, max_in_flight=None, job_polls=1, clock=clock) as fake:
        virtual = {"clock": clock}
        previous = make_app(tmp_path / "v1", "1.0.0")
        installed(previous, fake, tmp_path, client=virtual)
        update = make_app(tmp_path / "v2", "2.0.0", title=True, search=True)
        with monkeypatch.context() as patch:
            kill_after_first_write(patch)
            with pytest.raises(Killed):
                run_install(update, {}, options(fake, client=virtual), backup_root=tmp_path / "backups")
        board = fake.state.find_by_path(f"/Library/Users/{fake.user_email}/{FOLDER}/{DASHBOARD}")
        assert "Events per category" in str(board.definition)  # the first write landed, the marker did not
        assert version_in_sumo(fake) == "1.0.0" and lock_folder(fake) is not None
        held = run_install(previous, {}, options(fake, client=virtual), backup_root=tmp_path / "backups")
        assert not held.ok and "is locked by another run" in (held.error or "")  # the lease still runs
        if unlock == "lease":
            clock.advance(DEFAULT_LEASE + 1)
        else:
            lock_id = parse_record(lock_folder(fake).description, lock_folder(fake).id).lock_id  # type: ignore[union-attr]
            fast_cli_client(monkeypatch)
            code, out = cli_run("force-unlock", str(previous), lock_id, "--access-id", "id", "--access-key",
                                "key", "--base-url", fake.base_url)
            assert code == 0 and f"released the lock {lock_id}" in out, out
        plan = run_plan(previous, {}, options(fake, client=virtual)).plan
        assert plan is not None and not plan.drifted
        board_change = next(c for c in plan.changes if c.identity == DASHBOARD)
        assert (board_change.action, board_change.note) == (UPDATE, HALF_APPLIED)
        rollback = installed(previous, fake, tmp_path, client=virtual)  # no --force
        assert any(DASHBOARD in step for step in rollback.steps)
        assert version_in_sumo(fake) == "1.0.0" and lock_folder(fake) is None
        after = run_plan(previous, {}, options(fake, client=virtual)).plan
        assert after is not None and not after.changed and not after.drifted


def test_a_change_made_in_sumo_after_a_killed_run_is_still_drift(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    clock = VirtualClock()
    with FakeSumo(keys={"id": "key"}, rate_limit=None, max_in_flight=None, job_polls=1, clock=clock) as fake:
        virtual = {"clock": clock}
        previous = make_app(tmp_path / "v1", "1.0.0")
        installed(previous, fake, tmp_path, client=virtual)
        with monkeypatch.context() as patch:
            kill_after_first_write(patch)
            with pytest.raises(Killed):
                run_install(make_app(tmp_path / "v2", "2.0.0", title=True, search=True), {},
                            options(fake, client=virtual), backup_root=tmp_path / "backups")
        clock.advance(60)
        fake.ui_edit(f"/Library/Users/{fake.user_email}/{FOLDER}/{SEARCH}",
                     lambda d: d.update(description="Edited by a person."))
        clock.advance(DEFAULT_LEASE)
        plan = run_plan(previous, {}, options(fake, client=virtual)).plan
        assert plan is not None
        actions = {c.identity: (c.action, c.note) for c in plan.changes if c.kind != "folder"}
        assert actions[DASHBOARD] == (UPDATE, HALF_APPLIED)
        assert actions[SEARCH][0] == DRIFTED  # matches neither what was installed nor what the run was writing
        refused = run_install(previous, {}, options(fake, client=virtual), backup_root=tmp_path / "backups")
        assert not refused.ok and "--force" in refused.hint


# -- the lock's parts ----------------------------------------------------------------------------------------------
def test_the_lock_record_round_trips_and_names_the_ci_run() -> None:
    record = LockRecord("runner-7", 4242, run_id({"CI_JOB_ID": "77"}), 1_767_225_600.0, 1_767_226_500.0,
                        intent=("0123456789ab", "ba9876543210"))
    text = record.text()
    assert text == ("appbuilder lock host=runner-7 pid=4242 run=gitlab:77 started=2026-01-01T00:00:00Z "
                    "expires=2026-01-01T00:15:00Z intent=0123456789ab,ba9876543210")
    assert parse_record(text, "ID1") == LockRecord(**{**record.__dict__, "lock_id": "ID1"})
    assert record.holder() == "pid 4242 on runner-7 (CI run gitlab:77), started 2026-01-01T00:00:00Z"
    assert parse_record("A folder a person made") is None
    assert run_id({}) == "" and run_id({"GITHUB_RUN_ID": "9", "CI_JOB_ID": "1"}) == "github:9"
    assert not record.free(1_767_226_499.0) and record.free(1_767_226_500.0)


def test_lock_names_fit_sumos_limit_and_stay_distinct() -> None:
    long_a, long_b = "A" * 128, "A" * 127 + "B"
    assert lock_name("Minimal mini") == "Minimal mini (appbuilder lock)"
    assert len(lock_name(long_a)) <= 128 and lock_name(long_a) != lock_name(long_b)


def test_a_lock_whose_lease_ran_out_is_taken_over_and_a_taken_over_run_stops_before_its_next_write(
        tmp_path: Path) -> None:
    from appbuilder.deploy.lock import LockLost
    from appbuilder.deploy.session import open_remote

    clock = VirtualClock()
    with FakeSumo(keys={"id": "key"}, rate_limit=None, max_in_flight=None, job_polls=0, clock=clock) as fake:
        remote = open_remote(options(fake, client={"clock": clock}))
        target = remote.locate(FOLDER, None)[0]
        slow, late = AppLock(remote, target, lease=60.0), AppLock(remote, target, lease=60.0)
        slow.acquire(intent=["aaaaaaaaaaaa"])
        clock.advance(61)
        late.acquire()  # the lease ran out: taken over, with what the slow run recorded
        assert late.intent == {"aaaaaaaaaaaa"} and late.lock_id != slow.lock_id
        with pytest.raises(LockLost):
            slow.renew()
        late.finished = True
        late.release()
        assert lock_folder(fake) is None


def test_a_long_intent_goes_to_sub_folders_and_is_read_back(fake: FakeSumo) -> None:
    from appbuilder.deploy.lock import read_intent
    from appbuilder.deploy.session import open_remote

    remote = open_remote(options(fake))
    target = remote.locate(FOLDER, None)[0]
    digests = [f"{n:012x}" for n in range(30)]
    lock = AppLock(remote, target)
    lock.acquire(intent=digests)
    assert read_intent(remote, target) == frozenset(digests)
    held = lock_folder(fake)
    assert held is not None and len(held.children) == 2  # 30 digests: two descriptions of at most 255 characters
    lock.renew()  # the run's first write
    lock.release()  # not finished: kept, marked released, for the next run
    record = parse_record(lock_folder(fake).description)
    assert record is not None and record.released and read_intent(remote, target) == frozenset(digests)
    again = AppLock(remote, target)
    again.acquire(intent=["cccccccccccc"])  # takes it over, with what the first run recorded
    assert again.intent == {*digests, "cccccccccccc"}
    again.release()  # wrote nothing, but holds what it took over: kept
    assert read_intent(remote, target) == frozenset({*digests, "cccccccccccc"})
    last = AppLock(remote, target)
    last.acquire()
    last.finished = True
    last.release()
    assert lock_folder(fake) is None
    idle = AppLock(remote, target)
    idle.acquire(intent=["dddddddddddd"])
    idle.release()  # wrote nothing, took nothing over: nothing to keep
    assert lock_folder(fake) is None


def test_a_run_that_fails_part_way_gives_the_lock_back_keeping_its_intent(fake: FakeSumo, tmp_path: Path) -> None:
    installed(make_app(tmp_path / "v1", "1.0.0"), fake, tmp_path)
    update = make_app(tmp_path / "v2", "2.0.0", title=True, search=True)
    fake.inject("503", count=FAST_CLIENT["max_attempts"], path="/v1/logSearches/", method="PUT")
    failed = run_install(update, {}, options(fake), backup_root=tmp_path / "backups")
    assert not failed.ok and "HTTP 503" in (failed.error or "")
    assert f"landed: dashboard {DASHBOARD!r}" in (failed.error or "")
    assert f"may or may not have landed: saved search {SEARCH!r}" in (failed.error or "")
    record = parse_record(lock_folder(fake).description)  # type: ignore[union-attr]
    assert record is not None and record.released and record.intent  # given back, what it was writing kept
    plan = run_plan(update, {}, options(fake)).plan
    assert plan is not None and not plan.drifted  # its own dashboard write is not a change made in Sumo
    installed(update, fake, tmp_path)  # finishes, no --force
    assert version_in_sumo(fake) == "2.0.0" and lock_folder(fake) is None


def test_a_folder_of_the_locks_name_that_is_no_lock_is_refused(fake: FakeSumo, tmp_path: Path) -> None:
    app = make_app(tmp_path / "app", "1.0.0")
    with fake.state.lock:  # a person made it
        fake.state.new_item(lock_name(FOLDER), "Folder", fake.state.personal_id).description = "Mine"
    refused = run_install(app, {}, options(fake), backup_root=tmp_path / "backups")
    assert not refused.ok and "is not an appbuilder lock" in (refused.error or "")
    assert fake.state.find_by_path(f"/Library/Users/{fake.user_email}/{FOLDER}") is None


def test_the_cli_refuses_naming_the_holder_and_force_unlock_checks_the_id(fake: FakeSumo, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from appbuilder.deploy.session import open_remote

    app = make_app(tmp_path / "app", "1.0.0")
    remote = open_remote(options(fake, env={"CI_JOB_ID": "31"}))
    held = AppLock(remote, remote.locate(FOLDER, None)[0], env={"CI_JOB_ID": "31"})
    held.acquire()
    fast_cli_client(monkeypatch)
    monkeypatch.setenv("MINIMAL_TOKEN", ENV["MINIMAL_TOKEN"])
    connect = ["--access-id", "id", "--access-key", "key", "--base-url", fake.base_url]
    code, out = cli_run("install", str(app), "--yes", "--lock-timeout", "0", *connect)
    assert code == 1 and "is locked by another run" in out and "(CI run gitlab:31)" in out, out
    assert f"force-unlock PATH {held.lock_id}" in out
    code, out = cli_run("force-unlock", str(app), "0000000000000BAD", *connect)
    assert code == 1 and f"has the id {held.lock_id}, not 0000000000000BAD" in out, out
    code, out = cli_run("force-unlock", str(app), str(held.lock_id), "--format", "json", *connect)
    assert code == 0 and '"holder": "pid' in out, out
    code, out = cli_run("install", str(app), "--yes", *connect)  # the released lock is taken over
    assert code == 0 and "installed" in out, out
    assert lock_folder(fake) is None


def test_a_lock_left_by_a_dead_process_on_this_host_says_so(fake: FakeSumo, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    from appbuilder.deploy.session import open_remote

    app = make_app(tmp_path / "app", "1.0.0")
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(ended.stdout)  # a process of this host that has exited (killed runs look the same)
    remote = open_remote(options(fake))
    with monkeypatch.context() as patch:
        patch.setattr("appbuilder.deploy.lock.os.getpid", lambda: dead)
        AppLock(remote, remote.locate(FOLDER, None)[0], env={}).acquire()
    shown = run_plan(app, {}, options(fake)).plan
    assert shown is not None
    assert any(n.startswith(f"a run that died left its lock on this app folder (pid {dead} ") for n in shown.notes)
    refused = run_install(app, {}, options(fake), backup_root=tmp_path / "backups")
    assert not refused.ok and f"pid {dead} on " in (refused.error or "")
    assert "that process is gone from this host" in (refused.error or ""), refused.error


def test_a_lock_in_a_folder_that_does_not_exist_is_refused_before_any_call() -> None:
    """No target folder, no lock: the same error as the plan's, and nothing asked of the org."""
    from appbuilder.deploy.changes import Target
    from appbuilder.deploy.state import DeployError

    with pytest.raises(DeployError, match="the target folder /Library/Nowhere does not exist") as refused:
        AppLock(None, Target(None, "/Library/Nowhere", False, FOLDER))  # type: ignore[arg-type]
    assert "choose another --folder" in refused.value.hint
