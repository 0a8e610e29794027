"""The embedded scheduler: Celery's own beat loop inside the web process, running each due job
inline with the same task code a production worker runs (``lifecert serve --demo``).

Production runs ``lifecert beat`` and ``lifecert worker`` instead; this module is only started
when ``LIFECERT_DEMO__SCHEDULER=true`` with the inline queue."""

from __future__ import annotations

import threading
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


def run_cycle_days(app: Celery, days: list[date]) -> list[dict[str, object]]:
    """The nightly cycle for each day in ``days`` (in order), then one delivery sweep: what the
    scheduler would have done had those days passed. Idempotent per day, as the task is."""
    results = [app.tasks[CYCLE_TASK].apply(kwargs={"day": d.isoformat()}).get() for d in days]
    app.tasks[DELIVER_TASK].apply().get()
    return results
