"""Nightly certification jobs: cycle transitions with reminders, and the frame purge."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from sqlalchemy import select

from lifecert.certification.cycle import run_cycle
from lifecert.certification.models import Certification
from lifecert.core.db import session_scope, utcnow
from lifecert.core.i18n import gettext
from lifecert.core.sms import get_sms_gateway
from lifecert.core.storage import get_blob_store
from lifecert.retirees.models import Retiree
from lifecert.system.service import run_once


@shared_task(name="certification.run_cycle")
def run_cycle_task(day: str | None = None) -> dict[str, object]:
    """Once per day, however often it is delivered: transitions, then one reminder each."""
    today = date.fromisoformat(day) if day else date.today()
    with session_scope() as session:

        def work() -> dict[str, object]:
            result = run_cycle(session, today=today)
            for retiree in session.scalars(select(Retiree).where(Retiree.id.in_(result.due_soon))):
                if retiree.phone:
                    get_sms_gateway().send(retiree.phone, reminder_text(retiree))
            return {
                "due_soon": len(result.due_soon),
                "overdue": result.overdue,
                "suspended": len(result.suspended),
            }

        return run_once(
            session,
            job_key=f"certification.run_cycle:{today.isoformat()}",
            task_name="certification.run_cycle",
            work=work,
        )


def reminder_text(retiree: Retiree) -> str:
    return gettext(
        "Your pension certification is valid until {date}. Certify free on your "
        "phone, or ask your community. Staff never ask for money.",
        date=retiree.valid_until.isoformat() if retiree.valid_until else "",
    )


@shared_task(name="certification.purge_frames")
def purge_frames() -> dict[str, object]:
    """Challenge frames are deleted after their retention period; decisions stay."""
    store, purged = get_blob_store(), 0
    with session_scope() as session:
        rows = session.scalars(
            select(Certification).where(Certification.frames_purge_after <= utcnow())
        ).all()
        for certification in rows:
            for key in certification.frame_keys:
                store.delete(key)
            certification.frame_keys, certification.frames_purge_after = [], None
            purged += 1
    return {"purged": purged}
