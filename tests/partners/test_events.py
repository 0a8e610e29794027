"""The outbox is written by the real services, in their transaction: the nightly cycle's bulk
suspension, a certification that resumes payment, a recorded death."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification import cycle
from lifecert.certification.models import Certification, CertMode, Outcome
from lifecert.fraud.models import DeathRecord
from lifecert.partners.models import EventType, PartnerEvent
from lifecert.retirees.models import CertState
from tests.partners.helpers import build_world


def _events(session: Session) -> list[tuple[EventType, int | None]]:
    session.flush()
    return [(e.type, e.retiree_id)
            for e in session.scalars(select(PartnerEvent).order_by(PartnerEvent.id))]


def test_cycle_suspension_then_certification_resumes(session: Session) -> None:
    world = build_world(session)
    today = date(2026, 12, 4)
    world.in_a.cert_state = CertState.OVERDUE
    world.in_a.suspend_after = today - timedelta(days=1)
    world.in_a.valid_until = today - timedelta(days=60)
    session.flush()
    cycle.run_cycle(session, today=today)
    assert _events(session) == [(EventType.SUSPENDED, world.in_a.id)]
    event = session.scalars(select(PartnerEvent)).one()
    assert event.region_path == world.in_a.community.path
    session.refresh(world.in_a)
    certification = Certification(retiree_id=world.in_a.id, mode=CertMode.SELF,
                                  outcome=Outcome.CERTIFIED)
    session.add(certification)
    session.flush()
    cycle.mark_certified(session, retiree=world.in_a, certification=certification, today=today)
    assert _events(session)[1:] == [(EventType.CERTIFIED, world.in_a.id),
                                    (EventType.RESUMED, world.in_a.id)]


def test_a_death_record_is_an_event(session: Session) -> None:
    world = build_world(session)
    session.add(DeathRecord(retiree_id=world.in_b.id, date_of_death=date(2026, 11, 1)))
    assert _events(session) == [(EventType.DEATH_RECORDED, world.in_b.id)]
