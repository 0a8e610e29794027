"""Background jobs: a signal import, and the nightly silent-certification run."""

from __future__ import annotations

from celery import shared_task

from lifecert.core.db import session_scope


@shared_task(name="life_signals.import_signals")
def import_signals(job_id: int) -> dict[str, object]:
    """Runs an uploaded signal import; safe to redeliver (a finished job is left as it is)."""
    from lifecert.life_signals.imports import run_signal_import

    with session_scope() as session:
        job = run_signal_import(session, job_id=job_id)
        return {"status": job.status.value, "processed": job.processed, "created": job.created}


@shared_task(name="life_signals.certify_silently")
def certify_silently() -> dict[str, object]:
    """Nightly: partner batches arrive all day; idempotent (the certified are no longer due)."""
    from lifecert.life_signals.service import certify_silently as run

    with session_scope() as session:
        result = run(session)
        return {"certified": result.certified, "by_source": result.by_source}
