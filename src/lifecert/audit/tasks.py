"""Periodic audit jobs: the single sealer chains appended rows every minute, a signed checkpoint
of the chain's head is exported every hour (``LIFECERT_DATA_DIR/audit-checkpoints``), and
entries older than ``retention.audit_log_days`` go to a signed archive daily."""

from __future__ import annotations

from celery import shared_task

from lifecert.audit.chain import export_checkpoint, seal_pending
from lifecert.core.db import session_scope
from lifecert.core.settings import get_settings


@shared_task(name="audit.seal")
def seal() -> dict[str, int]:
    """Idempotent: a rerun finds nothing left to seal."""
    with session_scope() as session:
        return {"sealed": seal_pending(session)}


@shared_task(name="audit.checkpoint")
def checkpoint() -> dict[str, str]:
    with session_scope() as session:
        seal_pending(session)
        path = export_checkpoint(session, get_settings().data_dir / "audit-checkpoints")
    return {"file": str(path)}


@shared_task(name="audit.archive")
def archive() -> dict[str, object]:
    """Daily: entries older than ``retention.audit_log_days`` go to a signed archive."""
    from lifecert.audit.archive import archive_old_entries

    with session_scope() as session:
        made = archive_old_entries(session)
        return {"archived": made.count if made else 0}
