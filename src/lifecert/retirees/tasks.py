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


@shared_task(name="retirees.reap_import_jobs")
def reap_import_jobs() -> dict[str, object]:
    """Every 10 minutes: imports whose worker died are marked failed with a message."""
    from lifecert.retirees.jobs import reap_stale_jobs

    with session_scope() as session:
        return {"reaped": reap_stale_jobs(session)}


@shared_task(name="retirees.purge_import_uploads")
def purge_import_uploads() -> dict[str, object]:
    """Daily: uploaded files of finished imports past ``retention.import_upload_days``."""
    from lifecert.retirees.jobs import purge_import_uploads as purge

    with session_scope() as session:
        return {"purged": purge(session)}
