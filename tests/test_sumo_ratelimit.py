from __future__ import annotations

import threading

import pytest

from appbuilder.clock import VirtualClock
from appbuilder.sumo.errors import SumoJobFailed
from appbuilder.sumo.jobs import JobProgress, job_kind, wait_for_job
from appbuilder.sumo.ratelimit import ClientStats, RateBudget, backoff_delay, parse_retry_after, poll_delays


def test_budget_spaces_starts_at_the_rate() -> None:
    clock = VirtualClock(start=100.0)
    budget = RateBudget(4.0, 10, slack=0.0, clock=clock.monotonic, sleep=clock.sleep)
    starts = []
    for _ in range(20):
        with budget.slot():
            starts.append(clock.monotonic())
    # no one-second window holds more than 4 starts
    for i, t in enumerate(starts):
        assert sum(1 for s in starts[i:] if s < t + 1.0) <= 4
    assert starts[-1] - starts[0] == pytest.approx(19 * 0.25)


def test_a_request_held_up_after_its_start_does_not_let_rate_plus_one_arrive_within_a_second() -> None:
    """Sumo counts a request when it arrives, not when the client starts it: the first request below arrives
    0.3 s after its start (a thread descheduled, a slow connection, another thread's sleep on a virtual clock),
    the next four at once. Spacing starts alone let all five arrive within one second (a 429 at 4/s)."""
    clock = VirtualClock(start=100.0)
    budget = RateBudget(4.0, 10, clock=clock.monotonic, sleep=clock.sleep)
    arrivals = []
    for delay in (0.3, 0, 0, 0, 0, 0.7, 0, 0, 0, 0):
        with budget.slot():
            clock.advance(delay)
            arrivals.append(clock.monotonic())
    assert all(later - first > 1.0 for first, later in zip(arrivals, arrivals[4:], strict=False)), arrivals


def test_a_place_in_the_window_waits_for_a_request_in_flight_to_end() -> None:
    clock = VirtualClock(start=100.0)
    budget = RateBudget(4.0, 10, slack=0.0, clock=clock.monotonic, sleep=clock.sleep)
    ended = threading.Event()
    started: list[float] = []

    def slow() -> None:
        with budget.slot():
            started.append(clock.monotonic())
            ended.wait(5)
            clock.advance(2.0)  # this request took 2 s of (virtual) time

    holders = [threading.Thread(target=slow) for _ in range(4)]
    for t in holders:
        t.start()
    while len(started) < 4:
        ended.wait(0.001)
    fifth_at: list[float] = []

    def fifth_request() -> None:
        with budget.slot():
            fifth_at.append(clock.monotonic())

    fifth = threading.Thread(target=fifth_request)
    fifth.start()
    fifth.join(0.2)
    assert fifth.is_alive() and fifth_at == []  # four places held by requests in flight: the fifth waits
    ended.set()
    for t in holders:
        t.join()
    fifth.join(5)
    assert not fifth.is_alive() and fifth_at and fifth_at[0] >= 100.0 + 0.75 + 2.0  # after the ends


def test_budget_does_not_spin_when_the_clock_cannot_resolve_the_last_bit() -> None:
    clock = VirtualClock(start=1e6)  # far from zero: a tiny remaining wait does not move this clock
    budget = RateBudget(4.0, 10, clock=clock.monotonic, sleep=clock.sleep)
    for _ in range(30):
        with budget.slot():
            pass
    assert len(clock.sleeps) == 29


def test_budget_refills_after_idle_but_never_beyond_burst() -> None:
    clock = VirtualClock(start=100.0)
    budget = RateBudget(4.0, 10, burst=2, slack=0.0, clock=clock.monotonic, sleep=clock.sleep)
    budget.acquire_rate()
    budget.acquire_rate()
    clock.advance(10)
    budget.acquire_rate()
    budget.acquire_rate()
    assert clock.sleeps == []
    budget.acquire_rate()
    assert clock.sleeps == [pytest.approx(0.25)]


def test_penalise_delays_the_next_start() -> None:
    clock = VirtualClock(start=100.0)
    budget = RateBudget(4.0, 10, slack=0.0, clock=clock.monotonic, sleep=clock.sleep)
    budget.penalise(3.0)
    budget.acquire_rate()
    assert sum(clock.sleeps) == pytest.approx(3.0)


def test_in_flight_cap_is_shared_between_threads() -> None:
    budget = RateBudget(1000.0, 3)
    gate = threading.Event()

    def work() -> None:
        with budget.slot():
            gate.wait(0.05)  # long enough for the other threads to queue on the cap

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert budget.peak_in_flight == 3


def test_backoff_schedule_is_capped_exponential_with_jitter() -> None:
    assert [backoff_delay(n, 0.5, 4.0, rng=lambda: 1.0) for n in range(1, 7)] == [0.5, 1, 2, 4, 4, 4]
    assert [backoff_delay(n, 0.5, 4.0, rng=lambda: 0.0) for n in range(1, 5)] == [0.25, 0.5, 1, 2]


def test_retry_after() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("9999") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412475.0) == pytest.approx(5.0)


def test_poll_delays() -> None:
    gen = poll_delays(0.2, 2.0)
    delays = [next(gen) for _ in range(8)]
    assert delays[0] == 0.2 and max(delays) == 2.0 and delays == sorted(delays)


def test_stats_peak_per_second() -> None:
    stats = ClientStats()
    for i, t in enumerate([0.0, 0.1, 0.2, 0.3, 1.25, 1.3, 5.0]):
        stats.record_start("GET" if i % 2 else "POST", t)
    assert stats.peak_per_second == 4
    assert (stats.calls, stats.reads, stats.writes) == (7, 3, 4)


def test_wait_for_job_success_progress_and_backoff() -> None:
    clock = VirtualClock(start=100.0)
    answers = iter([{"status": "InProgress"}] * 3 + [{"status": "Success", "statusMessage": "id: 0A"}])
    seen: list[JobProgress] = []
    status = wait_for_job(lambda: next(answers), "/x/status", initial=0.2, cap=2.0, progress=seen.append,
                          sleep=clock.sleep, clock=clock.monotonic)
    assert status["statusMessage"] == "id: 0A"
    assert [p.status for p in seen] == ["InProgress"] * 3 + ["Success"]
    assert clock.sleeps[0] == 0.2 and clock.sleeps == sorted(clock.sleeps)


def test_wait_for_job_failed_and_timeout() -> None:
    clock = VirtualClock(start=100.0)
    with pytest.raises(SumoJobFailed, match="too_many_items: Too many"):
        failed = {"status": "Failed", "errors": {"code": "too_many_items", "message": "Too many"}}
        wait_for_job(lambda: failed, "/x/status", sleep=clock.sleep, clock=clock.monotonic)
    with pytest.raises(SumoJobFailed) as info:
        wait_for_job(lambda: {"status": "InProgress"}, "/x/status", timeout=5, sleep=clock.sleep, clock=clock.monotonic)
    assert info.value.timed_out


@pytest.mark.parametrize("path,kind", [
    ("/v2/content/folders/0000000000000ABC/import/F00D/status", "import"),
    ("/v2/content/0000000000000ABC/export/F00D/status", "export"),
    ("/v2/content/0000000000000ABC/delete/F00D/status", "delete"),
    ("/v2/content/folders/global/F00D/status", "global folder"),
    ("/v2/content/folders/adminRecommended/F00D/status", "Admin Recommended folder"),
    ("/odd", "async"),
])
def test_job_kind_names_what_a_job_does(path: str, kind: str) -> None:
    assert job_kind(path) == kind


def test_an_export_job_is_a_read_and_a_create_a_write() -> None:
    from appbuilder.sumo.ratelimit import ClientStats, changes_state

    assert not changes_state("POST", "/v2/content/0000000000ABC123/export")
    assert not changes_state("GET", "/v2/content/folders/personal")
    assert changes_state("POST", "/v2/content/folders") and changes_state("PUT", "/v1/monitors/1")
    assert changes_state("DELETE", "/v2/content/1/delete")
    stats = ClientStats()
    stats.record_start("POST", 0.0, "/v2/content/1/export")
    stats.record_start("POST", 0.1, "/v2/content/folders")
    assert (stats.calls, stats.reads, stats.writes) == (2, 1, 1)
