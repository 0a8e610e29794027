"""What partners hear about: the outbox rows written when a retiree's standing changes.

Watched at flush rather than called from each service, so that every path that certifies,
suspends, resumes, records a death or decides a review (the face check, silent certification,
the nightly cycle, an officer's decision, an import) emits the same event, in the same
transaction as the change: a rolled-back change never announces itself, and a committed one
is never lost. Imported once by the app, the task modules and the CLI (``install``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from lifecert.certification.models import CaseStatus, ReviewCase
from lifecert.fraud.models import DeathRecord
from lifecert.partners.models import EventType
from lifecert.partners.service import emit_event
from lifecert.retirees.models import Retiree, RetireeStatus


def _changed(obj: object, attr: str) -> tuple[Any, Any] | None:
    history = inspect(obj).attrs[attr].history
    if not history.has_changes() or not history.added:
        return None
    return (history.deleted[0] if history.deleted else None), history.added[0]


def _retiree_events(retiree: Retiree) -> list[EventType]:
    found = []
    if _changed(retiree, "last_certified_at"):
        found.append(EventType.CERTIFIED)
    status = _changed(retiree, "status")
    if status:
        old, new = status
        if new == RetireeStatus.SUSPENDED:
            found.append(EventType.SUSPENDED)
        elif new == RetireeStatus.ACTIVE and old == RetireeStatus.SUSPENDED:
            found.append(EventType.RESUMED)
    return found


def _path(session: Session, retiree_id: int) -> tuple[str, Retiree | None]:
    retiree = session.get(Retiree, retiree_id)
    return (retiree.community.path if retiree is not None else ""), retiree


def _payload(retiree: Retiree | None, **extra: Any) -> dict[str, Any]:
    if retiree is None:
        return extra
    return {"retiree_id": retiree.id, "status": str(retiree.status),
            "cert_state": str(retiree.cert_state),
            "valid_until": retiree.valid_until.isoformat() if retiree.valid_until else None,
            **extra}


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    with session.no_autoflush:
        for obj in list(session.dirty):
            if isinstance(obj, Retiree):
                for kind in _retiree_events(obj):
                    emit_event(session, type=kind, retiree_id=obj.id,
                               region_path=obj.community.path, payload=_payload(obj))
            elif isinstance(obj, ReviewCase) and (status := _changed(obj, "status")) and (
                status[1] != CaseStatus.OPEN
            ):
                _review_event(session, obj)
        for obj in list(session.new):
            if isinstance(obj, DeathRecord):
                path, retiree = _path(session, obj.retiree_id)
                emit_event(session, type=EventType.DEATH_RECORDED, retiree_id=obj.retiree_id,
                           region_path=path, payload=_payload(
                               retiree, date_of_death=obj.date_of_death.isoformat()))


def _review_event(session: Session, case: ReviewCase) -> None:
    from lifecert.certification.models import Certification

    certification = session.get(Certification, case.certification_id)
    retiree_id = certification.retiree_id if certification is not None else None
    path, retiree = _path(session, retiree_id) if retiree_id else ("", None)
    emit_event(session, type=EventType.REVIEW_DECIDED, retiree_id=retiree_id, region_path=path,
               payload=_payload(retiree, review_id=case.id, decision=str(case.status)))


def install() -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


install()
