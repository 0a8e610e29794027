"""Periodic audit jobs."""

from __future__ import annotations

from celery import shared_task

from lifecert.core.db import session_scope


@shared_task(name="audit.archive")
def archive() -> dict[str, object]:
    """Daily: entries older than ``retention.audit_log_days`` go to a signed archive."""
    from lifecert.audit.archive import archive_old_entries

    with session_scope() as session:
        made = archive_old_entries(session)
        return {"archived": made.count if made else 0}
