"""Background jobs of the senior university."""

from __future__ import annotations

from celery import shared_task

from lifecert.core.db import session_scope


@shared_task(name="academy.transcode_lesson")
def transcode_lesson(lesson_id: int) -> str:
    """FFmpeg to HLS for one uploaded lesson; idempotent (a ready lesson is skipped)."""
    from lifecert.academy.lessons import transcode

    with session_scope() as session:
        return transcode(session, lesson_id=lesson_id).value


@shared_task(name="academy.expire_offers")
def expire_offers() -> int:
    """Offers not accepted in time expire; their places go to the next on the waitlist."""
    from lifecert.academy.enrolment import expire_offers as run

    with session_scope() as session:
        return run(session)


@shared_task(name="academy.notify_draw")
def notify_draw(draw_id: int) -> int:
    """The winners of a draw told in their phone inbox (idempotent per class and person)."""
    from lifecert.academy.enrolment import notify_draw as run

    with session_scope() as session:
        return run(session, draw_id=draw_id)
