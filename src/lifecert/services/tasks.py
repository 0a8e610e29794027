"""Background jobs of the services domain."""

from __future__ import annotations

from celery import shared_task

from lifecert.core.db import session_scope


@shared_task(name="services.remind_pending")
def remind_pending() -> dict[str, int]:
    """Daily: remind elders who have not answered a request for more; idempotent per day."""
    from lifecert.services.applications import remind_pending as run

    with session_scope() as session:
        return run(session)
