"""appbuilder.recent: the most recently used results, the least recently used one dropped first."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from appbuilder.recent import Recent


def test_the_least_recently_used_entry_goes_first() -> None:
    recent: Recent[str, int] = Recent(2)
    recent.put("a", 1)
    recent.put("b", 2)
    assert recent.get("a") == 1  # used: "b" is now the oldest
    recent.put("c", 3)
    assert (recent.get("a"), recent.get("b"), recent.get("c")) == (1, None, 3)
    recent.put("a", 4)  # put again: replaced and the newest
    recent.put("d", 5)
    assert (recent.get("a"), recent.get("c"), recent.get("d")) == (4, None, 5)


def test_threads_share_it_without_losing_the_bound() -> None:
    recent: Recent[int, int] = Recent(8)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: (recent.put(n % 20, n), recent.get((n + 1) % 20)), range(2000)))
    assert sum(recent.get(k) is not None for k in range(20)) == 8
