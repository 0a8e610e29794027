"""Background jobs of enrollment: photo imports and the retention purge."""

from __future__ import annotations

from celery import shared_task

from lifecert.core.db import session_scope


@shared_task(name="enrollment.import_photos")
def import_photos(job_id: int) -> dict[str, object]:
    from lifecert.enrollment.photo_import import run_photo_import

    with session_scope() as session:
        job = run_photo_import(session, job_id=job_id)
        return {"status": job.status.value, "enrolled": job.created, "rejected": job.rejected}


@shared_task(name="enrollment.purge_expired_photos")
def purge_expired_photos() -> dict[str, object]:
    """Daily: raw photos past their retention date are deleted (templates stay)."""
    from lifecert.enrollment.privacy import purge_expired_photos as purge

    with session_scope() as session:
        return {"purged": purge(session)}
