"""Periodic registry jobs."""

from __future__ import annotations

from celery import shared_task

from lifecert.core.db import session_scope


@shared_task(name="retirees.import_roster")
def import_roster(job_id: int) -> dict[str, object]:
    """Runs an uploaded roster import; safe to redeliver (a finished job is left as it is)."""
    from lifecert.retirees.imports import run_roster_import

    with session_scope() as session:
        job = run_roster_import(session, job_id=job_id)
        return {"status": job.status.value, "processed": job.processed, "rejected": job.rejected}
