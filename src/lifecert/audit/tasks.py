"""The single audit sealer: chains appended rows every minute, and exports a signed checkpoint
of the chain's head every hour (``LIFECERT_DATA_DIR/audit-checkpoints``)."""

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
