"""The embedded scheduler runs the beat schedule's due jobs inline, with the production task
code, and a failing job does not stop it."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.queue import get_celery
from lifecert.notifications import tasks as notification_tasks
from lifecert.system.models import JobRun
from lifecert.system.scheduler import EmbeddedScheduler, run_cycle_days


def test_due_jobs_run_inline_until_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    app = get_celery()
    calls: list[float] = []

    def due_ids(_session: Session) -> list[int]:
        calls.append(time.monotonic())
        if len(calls) == 2:
            raise RuntimeError("a bad night")  # logged; the loop goes on
        return []

    monkeypatch.setattr(notification_tasks.service, "due_message_ids", due_ids)
    monkeypatch.setitem(
        app.conf,
        "beat_schedule",
        {"deliver": {"task": "notifications.deliver_due", "schedule": 0.05}},
    )
    scheduler = EmbeddedScheduler(app, max_interval=0.05)
    scheduler.start()
    deadline = time.monotonic() + 10
    while len(calls) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    scheduler.stop()
    assert len(calls) >= 4
    stopped_at = len(calls)
    time.sleep(0.3)
    assert len(calls) == stopped_at


def test_cycle_days_run_through_the_task_once_per_day(session: Session) -> None:
    days = [date(2031, 3, 1), date(2031, 3, 2)]
    totals = run_cycle_days(get_celery(), days)
    assert set(totals) == {"due_soon", "overdue", "suspended"}
    run_cycle_days(get_celery(), days)  # again: nothing twice
    keys = session.scalars(
        select(JobRun.job_key).where(JobRun.task_name == "certification.run_cycle")
    ).all()
    assert sorted(keys) == [f"certification.run_cycle:{d.isoformat()}" for d in days]
