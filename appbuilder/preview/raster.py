"""SVG → PNG with vl-convert (resvg), in worker processes when there are several images and several CPUs.

vl-convert holds the GIL while it rasterises, so threads would not overlap; processes do. This module imports
nothing but vl-convert, so a worker starts in a few tens of milliseconds.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context


def svg_to_png(svg: str) -> bytes:
    """One SVG document as PNG bytes at scale 1 (deterministic: same SVG, same bytes)."""
    import vl_convert

    return bytes(vl_convert.svg_to_png(svg, scale=1.0))


def ignore_interrupts() -> None:
    """A worker's initializer: Ctrl-C is the parent's to handle (it stops the pool); a worker does not print a
    traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def worker_count(images: int) -> int:
    """Processes worth starting for ``images`` images: one per CPU; none for a single image or CPU."""
    workers = min(images, os.cpu_count() or 1)
    return workers if workers > 1 else 0


def rasterise(svgs: Iterable[str], workers: int) -> Iterator[bytes]:
    """PNG bytes of each SVG, in order. With ``workers``, a pool rasterises while ``svgs`` is still being
    produced (the caller draws the next dashboard's charts meanwhile). The pool is started with ``spawn``: the
    parent may be running vl-convert's JavaScript engine, which a fork would not carry over. Without process
    support, or when a worker dies, the images are drawn in this process."""
    pool = None
    if workers > 1:
        try:
            pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=ignore_interrupts)
        except (OSError, ValueError, NotImplementedError):
            pool = None
    try:
        jobs: list[tuple[str, Future[bytes] | None]] = []
        submitting = pool is not None
        for svg in svgs:
            job = None
            if submitting and pool is not None:
                try:
                    job = pool.submit(svg_to_png, svg)
                except (BrokenProcessPool, RuntimeError):
                    submitting = False  # the rest is drawn here; the pool is still shut down below
            jobs.append((svg, job))
        for svg, job in jobs:
            try:
                yield job.result() if job is not None else svg_to_png(svg)
            except BrokenProcessPool:
                yield svg_to_png(svg)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
