"""Background jobs of the live domain."""

from __future__ import annotations

from celery import shared_task

from lifecert.core.db import session_scope


@shared_task(name="live.convert_recording")
def convert_recording(live_id: int) -> str:
    """A finished stream's recording to HLS (FFmpeg), waiting for the host's approval."""
    from lifecert.live.service import convert_recording as run

    with session_scope() as session:
        return run(session, live_id=live_id).value
