"""Platform-level background tasks."""

from __future__ import annotations

import socket

from celery import shared_task

from lifecert.core.db import session_scope
from lifecert.system.service import run_once


@shared_task(name="system.record_heartbeat")
def record_heartbeat(job_key: str) -> dict[str, object]:
    """Writes one row per key; used by readiness checks and to prove a worker is alive."""
    with session_scope() as session:
        return run_once(
            session,
            job_key=job_key,
            task_name="system.record_heartbeat",
            work=lambda: {"worker": socket.gethostname()},
        )
