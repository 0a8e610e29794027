"""Applications, the draw through the database, offers, and the waitlist's promotion when a
place is declined or not accepted in time (never past the per-person limit)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.academy import enrolment
from lifecert.academy.models import (
    Application,
    ApplicationStatus,
    Enrolment,
    EnrolmentStatus,
    TermStatus,
)
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput
from lifecert.notifications.models import OutboxMessage
from tests.academy.helpers import make_world
from tests.builders import make_city, make_community, make_retiree


def _people(session: Session, n: int) -> list:  # type: ignore[type-arg]
    community = make_community(session, city=make_city(session))
    return [make_retiree(session, community=community, name=f"学员{i}") for i in range(n)]


def _status(session: Session, class_id: int) -> dict[int, EnrolmentStatus]:
    rows = session.scalars(select(Enrolment).where(Enrolment.class_id == class_id))
    return {r.retiree_id: r.status for r in rows}


def test_draw_offers_waitlist_and_promotion_on_decline(session: Session) -> None:
    world = make_world(session, city=make_city(session, code="430200", name="株洲市"),
                       capacities=(2,))
    people = _people(session, 5)
    for person in people:
        enrolment.apply(session, retiree=person, class_id=world.classes[0].id)
    draw = enrolment.run_draw(session, actor=world.actor, term_id=world.term.id, seed="s" * 16)
    assert world.term.status == TermStatus.DRAWN and enrolment.verify_draw(session,
                                                                            draw_id=draw.id)
    status = _status(session, world.classes[0].id)
    winners = [r for r, s in status.items() if s == EnrolmentStatus.OFFERED]
    assert len(winners) == 2
    waitlisted = session.scalars(select(Application.retiree_id).where(
        Application.status == ApplicationStatus.WAITLISTED)).all()
    assert len(waitlisted) == 3
    # Every winner is told in their phone inbox (the draw's job).
    assert enrolment.notify_draw(session, draw_id=draw.id) == 2
    assert enrolment.notify_draw(session, draw_id=draw.id) == 2  # rerun: no second message
    assert len(session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.retiree_id == winners[0])).all()) == 1
    assert session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.retiree_id == winners[0])) is not None
    first_waiting = draw.result["waitlist"][str(world.classes[0].id)][0]
    code_of = {enrolment.applicant_code(world.term.id, p.id): p.id for p in people}
    loser = next(p for p in people if p.id == winners[0])
    enrolment.decline_offer(session, retiree=loser, enrolment_id=session.scalars(
        select(Enrolment.id).where(Enrolment.retiree_id == loser.id)).one())
    status = _status(session, world.classes[0].id)
    assert status[code_of[first_waiting]] == EnrolmentStatus.OFFERED  # the first in line
    assert sum(s == EnrolmentStatus.OFFERED for s in status.values()) == 2


def test_unaccepted_offer_expires_and_moves_on(session: Session) -> None:
    world = make_world(session, city=make_city(session, code="430300", name="湘潭市"),
                       capacities=(1,))
    people = _people(session, 2)
    for person in people:
        enrolment.apply(session, retiree=person, class_id=world.classes[0].id)
    enrolment.run_draw(session, actor=world.actor, term_id=world.term.id, seed="t" * 16)
    offered = session.scalars(select(Enrolment)).one()
    with pytest.raises(Conflict):  # too late to accept
        enrolment.accept_offer(session, retiree=next(p for p in people
                                                      if p.id == offered.retiree_id),
                               enrolment_id=offered.id, now=utcnow() + timedelta(days=10))
    assert enrolment.expire_offers(session, now=utcnow() + timedelta(days=4)) == 1
    status = _status(session, world.classes[0].id)
    assert status[offered.retiree_id] == EnrolmentStatus.EXPIRED
    assert list(status.values()).count(EnrolmentStatus.OFFERED) == 1


def test_promotion_never_exceeds_the_limit(session: Session) -> None:
    world = make_world(session, city=make_city(session, code="430400", name="衡阳市"),
                       capacities=(1, 1), max_courses=1)
    a, b = _people(session, 2)
    for person in (a, b):
        for row in world.classes:
            enrolment.apply(session, retiree=person, class_id=row.id)
    enrolment.run_draw(session, actor=world.actor, term_id=world.term.id, seed="u" * 16)
    held = enrolment.held_places(session, world.term.id)
    assert held[a.id] == 1 and held[b.id] == 1  # one each, the limit
    offer = session.scalars(select(Enrolment).where(Enrolment.retiree_id == a.id)).one()
    enrolment.decline_offer(session, retiree=a, enrolment_id=offer.id)
    # b already holds their one place: the freed place stays free rather than break the limit.
    assert enrolment.held_places(session, world.term.id)[b.id] == 1


def test_family_application_waits_for_the_elder(session: Session) -> None:
    world = make_world(session, city=make_city(session, code="430500", name="邵阳市"),
                       capacities=(3,))
    (elder,) = _people(session, 1)
    app = enrolment.apply(session, retiree=elder, class_id=world.classes[0].id,
                          channel="family")
    assert app.status == ApplicationStatus.AWAITING_CONFIRMATION
    draw = enrolment.run_draw(session, actor=world.actor, term_id=world.term.id, seed="v" * 16)
    assert draw.inputs["entries"] == []  # unconfirmed: not in the draw


def test_age_limit_and_closed_window(session: Session) -> None:
    world = make_world(session, city=make_city(session, code="430600", name="岳阳市"),
                       capacities=(3,))
    world.classes[0].max_age = 70
    community = make_community(session, city=make_city(session))
    old = make_retiree(session, community=community, birth=date(1940, 1, 1))
    with pytest.raises(InvalidInput):
        enrolment.apply(session, retiree=old, class_id=world.classes[0].id)
    world.term.status = TermStatus.PLANNING
    young = make_retiree(session, community=community, birth=date(1962, 1, 1))
    with pytest.raises(Conflict):
        enrolment.apply(session, retiree=young, class_id=world.classes[0].id)
