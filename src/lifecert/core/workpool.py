"""The bounded pool for CPU-heavy face work (decoding, detection, liveness, PAD, embedding).

Routes that touch the database or the CPU are plain ``def`` functions: FastAPI runs them in its
thread pool, so the event loop keeps answering (``/api/health`` is the probe). Inside such a
route, face work goes through :func:`run_face_work`, which runs it on at most ``workers``
threads (default: the number of cores) and lets at most ``queue`` more wait. When both are
taken the call raises :class:`Busy` at once: a 503 with ``Retry-After`` and a kind message the
phone page shows, never a request that hangs.

Threads, not processes: PIL decoding, OpenCV, MediaPipe's graph and ONNX Runtime release the
GIL during their native work, the models are loaded once and shared, and frames need no
pickling. ``docs/concurrency.md`` has the measurement.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from lifecert.core.errors import ServiceUnavailable
from lifecert.core.i18n import N_
from lifecert.core.settings import get_settings

P = ParamSpec("P")
T = TypeVar("T")

BUSY_MESSAGE = N_(
    "Many people are doing their check right now. Please wait a moment; "
    "the page will try again by itself."
)


class Busy(ServiceUnavailable):
    """Every worker is busy and the queue is full: answered as 503 with ``Retry-After``."""

    code = "busy"


class WorkPool:
    """``workers`` threads and ``queue`` waiting places; no place left: :class:`Busy`."""

    def __init__(self, *, workers: int, queue: int, retry_after_s: int = 3) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self.retry_after_s = retry_after_s
        self._places = threading.BoundedSemaphore(self.workers + self.queue)
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="face-work")
        self._lock = threading.Lock()
        self.in_flight = 0
        self.refused = 0

    @contextmanager
    def reserve(self) -> Iterator[None]:
        """Hold a place for this thread's face work (refused at once with :class:`Busy`).

        A route takes its place *before* it spends anything the client cannot get back (a
        challenge's nonce): a busy server then refuses cleanly and the phone simply retries.
        Work run by the holder inside the block uses the reserved place."""
        if getattr(_local, "pool", None) is self:
            yield
            return
        if not self._places.acquire(blocking=False):
            with self._lock:
                self.refused += 1
            raise Busy(BUSY_MESSAGE, retry_after=self.retry_after_s)
        with self._lock:
            self.in_flight += 1
        _local.pool = self
        try:
            yield
        finally:
            _local.pool = None
            with self._lock:
                self.in_flight -= 1
            self._places.release()

    def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        if getattr(_local, "worker_of", None) is self:
            return fn(*args, **kwargs)  # already on a worker: nested work runs in place
        with self.reserve():
            return self._executor.submit(self._as_worker, fn, *args, **kwargs).result()

    def _as_worker(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        _local.worker_of = self
        try:
            return fn(*args, **kwargs)
        finally:
            _local.worker_of = None

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


_local = threading.local()
_pool: WorkPool | None = None
_pool_lock = threading.Lock()


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def get_work_pool() -> WorkPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            work = get_settings().work
            workers = work.workers or cores()
            queue = work.queue if work.queue >= 0 else 4 * workers
            _pool = WorkPool(workers=workers, queue=queue, retry_after_s=work.retry_after_s)
        return _pool


def reset_work_pool(pool: WorkPool | None = None) -> None:
    """Replace the pool (tests; settings changed). The old one finishes what it runs."""
    global _pool
    with _pool_lock:
        old, _pool = _pool, pool
    if old is not None and old is not pool:
        old.shutdown()


def reserve_face_work() -> contextlib.AbstractContextManager[None]:
    """A place on the pool for the face work this thread is about to run (see ``reserve``)."""
    return get_work_pool().reserve()


def run_face_work(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``fn(*args, **kwargs)`` on the face-work pool and return its result (or raise its
    error). Call it from a plain ``def`` route or a job, never from the event loop."""
    return get_work_pool().run(fn, *args, **kwargs)
