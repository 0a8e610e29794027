"""Import jobs end in a known state: every failure becomes a readable message on the job,
a job whose worker died is reaped, and uploads are deleted once the retention policy allows.

Shared by the roster, death-registration and photo imports.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.db import utcnow
from lifecert.core.errors import LifeCertError
from lifecert.core.i18n import N_, gettext
from lifecert.core.logging import get_logger
from lifecert.core.settings import get_settings
from lifecert.core.storage import get_blob_store
from lifecert.retirees.models import ImportJob, ImportKind, ImportStatus

log = get_logger("lifecert.imports")

UNEXPECTED = N_(
    "The import stopped because of an unexpected error. Rows already reported as imported are "
    "kept; upload the file again (rows already imported are not duplicated)."
)
WORKER_LOST = N_(
    "The import stopped: the server running it was restarted. Upload the file again (rows "
    "already imported are not duplicated)."
)
NEVER_STARTED = N_("The import never started (no background worker). Upload the file again.")
# Roster and death imports commit progress every chunk (a heartbeat on updated_at); a photo
# import commits once at the end, so it is given until it has run far too long.
HEARTBEAT_STALE = timedelta(minutes=30)
PHOTO_RUN_LIMIT = timedelta(hours=12)
QUEUED_LIMIT = timedelta(hours=6)
FINAL = (ImportStatus.DONE, ImportStatus.FAILED)


def fail_job(session: Session, job: ImportJob, exc: BaseException) -> None:
    """Roll back the unfinished chunk and mark the job failed with a message for its reader."""
    session.rollback()
    if isinstance(exc, LifeCertError):
        job.error = exc.translated()
    else:
        log.exception("import_failed", job_id=job.id, error_type=type(exc).__name__)
        job.error = gettext(UNEXPECTED)
    job.status, job.finished_at = ImportStatus.FAILED, utcnow()


def release_upload(job: ImportJob) -> None:
    """At the end of a run: with ``import_upload_days`` 0 the upload goes at once."""
    if job.source_key and get_settings().retention.import_upload_days == 0:
        get_blob_store().delete(job.source_key)
        job.source_key = ""


def reap_stale_jobs(session: Session, *, now: datetime | None = None) -> list[int]:
    """Mark failed the jobs whose worker died (kill -9, a restart): no progress for too long,
    or queued with nobody to run them. Periodic (``retirees.reap_import_jobs``)."""
    now = now or utcnow()
    stale = or_(
        (ImportJob.status == ImportStatus.RUNNING)
        & (ImportJob.kind != ImportKind.PHOTOS)
        & (ImportJob.updated_at < now - HEARTBEAT_STALE),
        (ImportJob.status == ImportStatus.RUNNING)
        & (ImportJob.kind == ImportKind.PHOTOS)
        & (ImportJob.updated_at < now - PHOTO_RUN_LIMIT),
        (ImportJob.status == ImportStatus.QUEUED) & (ImportJob.created_at < now - QUEUED_LIMIT),
    )
    reaped = []
    for job in session.scalars(select(ImportJob).where(stale).with_for_update(skip_locked=True)):
        message = NEVER_STARTED if job.status == ImportStatus.QUEUED else WORKER_LOST
        job.status, job.error, job.finished_at = ImportStatus.FAILED, gettext(message), now
        record(session, actor=None, action="import.reaped", target_type="import_job",
               target_id=job.id, details={"kind": job.kind.value, "filename": job.filename})
        reaped.append(job.id)
    return reaped


def purge_import_uploads(session: Session, *, now: datetime | None = None) -> int:
    """Delete uploaded files (rosters, death lists, photo ZIPs) of finished jobs once
    ``retention.import_upload_days`` have passed; the job row and its error report stay."""
    now = now or utcnow()
    cutoff = now - timedelta(days=get_settings().retention.import_upload_days)
    jobs = session.scalars(
        select(ImportJob).where(
            ImportJob.status.in_(FINAL),
            ImportJob.source_key != "",
            func.coalesce(ImportJob.finished_at, ImportJob.updated_at) <= cutoff,
        )
    ).all()
    store = get_blob_store()
    for job in jobs:
        store.delete(job.source_key)
        job.source_key = ""
    if jobs:
        record(session, actor=None, action="retention.uploads_purged", target_type="import_job",
               details={"count": len(jobs), "job_ids": [j.id for j in jobs][:200]})
    return len(jobs)
