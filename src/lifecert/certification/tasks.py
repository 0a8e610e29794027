"""Nightly certification jobs: cycle transitions with reminders, and the frame purge."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from sqlalchemy import select

from lifecert.certification.cycle import run_cycle
from lifecert.certification.models import Certification
from lifecert.core.db import session_scope, utcnow
from lifecert.core.storage import get_blob_store
from lifecert.notifications.service import queue_cycle_reminders
from lifecert.system.clock import scheduler_today
from lifecert.system.service import run_once


@shared_task(name="certification.run_cycle")
def run_cycle_task(day: str | None = None) -> dict[str, object]:
    """Once per day, however often it is delivered: transitions, then one reminder each."""
    with session_scope() as session:
        # The region's date (the demo clock's, in the embedded demo).
        today = date.fromisoformat(day) if day else scheduler_today(session)

        def work() -> dict[str, object]:
            result = run_cycle(session, today=today)
            # Through the outbox (inbox + SMS, one per person per cycle day), delivered after
            # this transaction commits.
            queue_cycle_reminders(session, retiree_ids=result.due_soon, day=today)
            return {
                "due_soon": len(result.due_soon),
                "overdue": result.overdue,
                "suspended": len(result.suspended),
            }

        return run_once(
            session,
            job_key=f"certification.run_cycle:{today.isoformat()}",
            task_name="certification.run_cycle",
            work=work,
        )


@shared_task(name="certification.purge_frames")
def purge_frames() -> dict[str, object]:
    """Challenge frames are deleted after their retention period; decisions stay."""
    store, purged = get_blob_store(), 0
    with session_scope() as session:
        rows = session.scalars(
            select(Certification).where(Certification.frames_purge_after <= utcnow())
        ).all()
        for certification in rows:
            for key in certification.frame_keys:
                store.delete(key)
            certification.frame_keys, certification.frames_purge_after = [], None
            purged += 1
    return {"purged": purged}
