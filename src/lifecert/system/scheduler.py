"""The embedded scheduler: Celery's own beat loop inside the web process, running each due job
inline with the same task code a production worker runs (``lifecert serve --demo``).

Production runs ``lifecert beat`` and ``lifecert worker`` instead; this module is only started
when ``LIFECERT_DEMO__SCHEDULER=true`` with the inline queue."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from celery import Celery
from celery.beat import ScheduleEntry, Scheduler

from lifecert.core.logging import get_logger

log = get_logger("lifecert.scheduler")

CYCLE_TASK = "certification.run_cycle"
DELIVER_TASK = "notifications.deliver_due"


class InlineScheduler(Scheduler):
    """Beat's schedule and timing; a due entry runs here, not through a broker."""

    def install_default_entries(self, data: Any) -> None:
        """No result-backend clean-up job: the inline queue keeps no results."""

    def apply_entry(self, entry: ScheduleEntry, producer: Any = None) -> None:
        try:
            result = self.app.tasks[entry.task].apply(args=entry.args, kwargs=entry.kwargs)
            log.info("scheduled_job_done", task=entry.task, result=result.result)
        except Exception as exc:  # a failing job must not stop the loop
            log.warning("scheduled_job_failed", task=entry.task, error=type(exc).__name__)


class EmbeddedScheduler:
    """A daemon thread ticking :class:`InlineScheduler` until stopped."""

    def __init__(self, app: Celery, *, max_interval: float = 30.0) -> None:
        self.scheduler = InlineScheduler(app, max_interval=max_interval, lazy=True)
        self.scheduler.setup_schedule()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lifecert-beat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            delay = self.scheduler.tick()
            self._stop.wait(max(0.0, min(delay, self.scheduler.max_interval)))


def run_cycle_days(
    app: Celery, days: list[date], progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """The nightly cycle for each day in ``days`` (in order), then one delivery sweep: what the
    scheduler would have done had those days passed. Idempotent per day, as the task is.
    Returns the totals (people reminded, become overdue, suspended)."""
    totals = {"due_soon": 0, "overdue": 0, "suspended": 0}
    for done, day in enumerate(days, start=1):
        result = app.tasks[CYCLE_TASK].apply(kwargs={"day": day.isoformat()}).get()
        for key in totals:
            totals[key] += int(result.get(key, 0) or 0)
        if progress is not None:
            progress(done)
    app.tasks[DELIVER_TASK].apply().get()
    return totals


@dataclass
class CatchUp:
    """The demo clock's move in progress (embedded demo: one web process, one move at a time).
    The days run in a thread so the admin's page answers at once and shows the progress."""

    before: date | None = None
    after: date | None = None
    total: int = 0
    done: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    failed: str = ""
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


CATCH_UP = CatchUp()
_CATCH_UP_LOCK = threading.Lock()


def start_catch_up(app: Celery, before: date, days: list[date]) -> bool:
    """Run ``days`` of the cycle in the background; False when a move is still running."""
    with _CATCH_UP_LOCK:
        if CATCH_UP.running:
            return False
        CATCH_UP.before, CATCH_UP.after = before, days[-1] if days else before
        CATCH_UP.total, CATCH_UP.done, CATCH_UP.totals, CATCH_UP.failed = len(days), 0, {}, ""

        def work() -> None:
            try:
                CATCH_UP.totals = run_cycle_days(
                    app, days, progress=lambda n: setattr(CATCH_UP, "done", n)
                )
            except Exception as exc:  # shown on the page; the next move may retry the days
                log.warning("demo_clock_failed", error=type(exc).__name__)
                CATCH_UP.failed = type(exc).__name__

        CATCH_UP.thread = threading.Thread(target=work, name="lifecert-demo-clock", daemon=True)
        CATCH_UP.thread.start()
        return True


def wait_catch_up(timeout: float | None = None) -> None:
    thread = CATCH_UP.thread
    if thread is not None:
        thread.join(timeout)
