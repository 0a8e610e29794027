"""Periodic registry jobs."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from lifecert.core.db import session_scope
from lifecert.core.settings import get_settings
from lifecert.retirees.service import refresh_cert_states as refresh
from lifecert.system.service import run_once


@shared_task(name="retirees.refresh_cert_states")
def refresh_cert_states(day: str | None = None) -> dict[str, object]:
    """Nightly: certified → due soon → overdue as dates pass. Once per day, however often called."""
    today = date.fromisoformat(day) if day else date.today()
    due_soon_days = get_settings().certification.due_soon_days
    with session_scope() as session:
        return run_once(
            session,
            job_key=f"retirees.refresh_cert_states:{today.isoformat()}",
            task_name="retirees.refresh_cert_states",
            work=lambda: {"changed": refresh(session, today=today, due_soon_days=due_soon_days)},
        )


@shared_task(name="retirees.import_roster")
def import_roster(job_id: int) -> dict[str, object]:
    """Runs an uploaded roster import; safe to redeliver (a finished job is left as it is)."""
    from lifecert.retirees.imports import run_roster_import

    with session_scope() as session:
        job = run_roster_import(session, job_id=job_id)
        return {"status": job.status.value, "processed": job.processed, "rejected": job.rejected}
