"""An officer undoes a silent certification: the person's previous dates come back (so they
are due again), they are told in their phone inbox, and only a face or in-person check
certifies them next (see ``REVERSED`` in :mod:`lifecert.life_signals.service`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.certification.models import Certification, CertMode, Outcome
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.i18n import N_
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.life_signals.service import REVERSED
from lifecert.notifications import service as notifications
from lifecert.retirees.models import CertState, Retiree
from lifecert.retirees.service import get_retiree
from lifecert.system.clock import scheduler_today

_REVERSED_TEXT = N_(
    "Your certification from your records was cancelled ({reason}). "
    "Please do the face check on your phone, or call your community."
)


def reverse_silent(
    session: Session,
    *,
    actor: Actor,
    certification_id: int,
    reason: str,
    today: date | None = None,
) -> Certification:
    """An officer undoes a silent certification: the person's previous dates come back (so
    they are due again) and only a face or in-person check certifies them next."""
    actor.require(Permission.READ_FULL_ID_NUMBER)
    certification = session.get(Certification, certification_id)
    if certification is None or certification.mode != CertMode.SILENT:
        raise NotFound("No such silent certification.")
    retiree = get_retiree(session, actor=actor, retiree_id=certification.retiree_id)
    if certification.outcome != Outcome.CERTIFIED:
        raise Conflict("This certification was already reversed.")
    if len(reason.strip()) < 2:
        raise InvalidInput("Give the reason for the reversal; the person will be told.")
    later = session.scalar(
        select(func.count())
        .select_from(Certification)
        .where(
            Certification.retiree_id == retiree.id,
            Certification.outcome == Outcome.CERTIFIED,
            Certification.id > certification.id,
        )
    )
    if later:
        raise Conflict("A later certification already renewed this person.")
    today = today or scheduler_today(session)
    previous = certification.evidence["silent"]["previous"]
    retiree.valid_until = _date(previous["valid_until"])
    retiree.due_soon_from = _date(previous["due_soon_from"])
    retiree.suspend_after = _date(previous["suspend_after"])
    last = previous["last_certified_at"]
    retiree.last_certified_at = datetime.fromisoformat(last) if last else None
    retiree.cert_state = _state_on(retiree, today)
    certification.outcome, certification.reason = Outcome.REJECTED, REVERSED
    certification.evidence = {
        **certification.evidence,
        "reversal": {
            "by": actor.staff_id,
            "at": utcnow().isoformat(timespec="seconds"),
            "reason": reason.strip()[:500],
        },
    }
    _tell_reversed(session, retiree.id, certification.id, reason.strip()[:500])
    audit.record(
        session,
        actor=actor,
        action="life_signals.silent_reversed",
        target_type="retiree",
        target_id=retiree.id,
        details={"certification_id": certification.id, "reason": reason.strip()[:500]},
    )
    return certification


def _tell_reversed(session: Session, retiree_id: int, certification_id: int, reason: str) -> None:
    notifications.tell_in_inbox(session, retiree_id=retiree_id, msgid=_REVERSED_TEXT,
                                key=f"silent_reversed:{certification_id}", reason=reason)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _state_on(retiree: Retiree, today: date) -> CertState:
    if retiree.valid_until is None:
        return CertState.NEVER
    if retiree.valid_until < today:
        return CertState.OVERDUE
    if retiree.due_soon_from is not None and retiree.due_soon_from <= today:
        return CertState.DUE_SOON
    return CertState.CERTIFIED
