"""Events and sign-ups: capacity, double sign-up, cancellation, scope, attendance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.community import service, signups
from lifecert.community.models import (
    Attendance,
    EventKind,
    EventSignup,
    SignupChannel,
    SignupStatus,
)
from lifecert.community.schemas import EventCreate, EventUpdate
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from lifecert.core.roles import Role
from lifecert.retirees.models import RetireeStatus
from tests.builders import actor_of, make_retiree, make_staff
from tests.community.helpers import make_event, make_place, move_start


def test_capacity_is_enforced_and_a_freed_place_can_be_taken(session: Session) -> None:
    place = make_place(session)
    actor = place.worker_actor
    event = make_event(session, actor=actor, community=place.community, capacity=2)
    a, b, c = (make_retiree(session, community=place.community, name=n) for n in "甲乙丙")
    signups.sign_up(session, actor=actor, event_id=event.id, retiree_id=a.id)
    signups.sign_up_self(session, retiree=b, event_id=event.id)
    with pytest.raises(Conflict, match="full"):
        signups.sign_up(session, actor=actor, event_id=event.id, retiree_id=c.id)
    assert service.count_signed_up(session, event.id) == 2
    signups.cancel_own_signup(session, retiree=b, event_id=event.id)
    signups.sign_up(session, actor=actor, event_id=event.id, retiree_id=c.id)
    assert service.count_signed_up(session, event.id) == 2
    # Capacity cannot be lowered below who is already coming.
    with pytest.raises(Conflict):
        service.update_event(session, actor=actor, event_id=event.id, data=EventUpdate(capacity=1))


def test_double_sign_up_is_refused_and_reviving_keeps_one_row(session: Session) -> None:
    place = make_place(session)
    actor = place.worker_actor
    event = make_event(session, actor=actor, community=place.community)
    person = make_retiree(session, community=place.community)
    first = signups.sign_up_self(session, retiree=person, event_id=event.id)
    assert first.channel == SignupChannel.MOBILE and first.signed_up_by is None
    with pytest.raises(Conflict, match="Already"):
        signups.sign_up(session, actor=actor, event_id=event.id, retiree_id=person.id)
    signups.cancel_signup(session, actor=actor, event_id=event.id, retiree_id=person.id)
    assert first.status == SignupStatus.CANCELLED and first.cancelled_by == place.worker.id
    again = signups.sign_up(session, actor=actor, event_id=event.id, retiree_id=person.id)
    assert again.id == first.id  # the unique (event, retiree) row is reused
    assert again.channel == SignupChannel.STAFF and again.signed_up_by == place.worker.id
    rows = session.scalar(
        select(func.count()).select_from(EventSignup).where(EventSignup.event_id == event.id)
    )
    assert rows == 1


def test_unique_constraint_backs_up_the_service(session: Session) -> None:
    from sqlalchemy.exc import IntegrityError

    place = make_place(session)
    event = make_event(session, actor=place.worker_actor, community=place.community)
    person = make_retiree(session, community=place.community)
    signups.sign_up_self(session, retiree=person, event_id=event.id)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            EventSignup(event_id=event.id, retiree_id=person.id, channel=SignupChannel.MOBILE)
        )
        session.flush()


def test_scope_events_and_people_of_other_communities(session: Session) -> None:
    place = make_place(session)
    event = make_event(session, actor=place.worker_actor, community=place.community)
    outsider_actor = actor_of(place.other_worker)
    # Another community's worker neither sees nor changes this event.
    assert service.list_upcoming_events(session, actor=outsider_actor) == []
    with pytest.raises(NotFound):
        service.get_event(session, actor=outsider_actor, event_id=event.id)
    with pytest.raises(NotFound):
        make_event(session, actor=outsider_actor, community=place.community)
    # The city officer sees it; a provider has no roster access at all.
    officer = actor_of(place.officer)
    assert [e.id for e in service.list_upcoming_events(session, actor=officer)] == [event.id]
    provider = actor_of(make_staff(session, role=Role.PROVIDER_STAFF, regions=[place.city]))
    with pytest.raises(PermissionDenied):
        service.list_upcoming_events(session, actor=provider)
    # Residents of another community cannot join, by phone or by a worker.
    neighbour = make_retiree(session, community=place.other)
    with pytest.raises(NotFound):
        signups.sign_up_self(session, retiree=neighbour, event_id=event.id)
    with pytest.raises(InvalidInput):
        signups.sign_up(session, actor=officer, event_id=event.id, retiree_id=neighbour.id)
    with pytest.raises(NotFound):  # the worker cannot even reach that person
        signups.sign_up(
            session, actor=place.worker_actor, event_id=event.id, retiree_id=neighbour.id
        )


def test_upcoming_events_for_the_dashboard(session: Session) -> None:
    place = make_place(session)
    actor = place.worker_actor
    later = make_event(
        session,
        actor=actor,
        community=place.community,
        title="后面讲座",
        starts_in=timedelta(days=9),
    )
    sooner = make_event(
        session, actor=actor, community=place.community, title="先来讲座", capacity=3
    )
    past = make_event(session, actor=actor, community=place.community, title="旧的讲座")
    move_start(session, past, timedelta(days=-3))
    cancelled = make_event(session, actor=actor, community=place.community, title="取消讲座")
    service.cancel_event(session, actor=actor, event_id=cancelled.id)
    signups.sign_up_self(
        session, retiree=make_retiree(session, community=place.community), event_id=sooner.id
    )
    rows = service.list_upcoming_events(session, actor=actor, limit=5)
    assert [r.id for r in rows] == [sooner.id, later.id]
    assert rows[0].signed_up == 1 and rows[0].places_left == 2
    assert rows[0].community_name == "幸福社区"
    assert len(service.list_upcoming_events(session, actor=actor, limit=1)) == 1


def test_sign_up_closes_at_the_start_and_cancelled_events_refuse(session: Session) -> None:
    place = make_place(session)
    actor = place.worker_actor
    event = make_event(session, actor=actor, community=place.community)
    person = make_retiree(session, community=place.community)
    move_start(session, event, timedelta(minutes=-5))
    with pytest.raises(Conflict, match="started"):
        signups.sign_up_self(session, retiree=person, event_id=event.id)
    other = make_event(session, actor=actor, community=place.community)
    service.cancel_event(session, actor=actor, event_id=other.id)
    with pytest.raises(Conflict, match="cancelled"):
        signups.sign_up(session, actor=actor, event_id=other.id, retiree_id=person.id)
    deceased = make_retiree(session, community=place.community, name="故")
    deceased.status = RetireeStatus.DECEASED
    third = make_event(session, actor=actor, community=place.community)
    with pytest.raises(Conflict):
        signups.sign_up(session, actor=actor, event_id=third.id, retiree_id=deceased.id)


def test_event_input_is_checked(session: Session) -> None:
    place = make_place(session)
    actor = place.worker_actor
    start = utcnow() + timedelta(days=1)
    base = {
        "community_id": place.community.id,
        "title": "讲座",
        "kind": EventKind.CLASS,
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "place": "活动室",
        "capacity": 5,
    }
    bad = [
        {"ends_at": start - timedelta(hours=1)},
        {"ends_at": start + timedelta(days=30)},
        {"starts_at": start - timedelta(days=5), "ends_at": start - timedelta(days=5, hours=-1)},
        {"title": "   "},
        {"community_id": place.city.id},  # not a community
    ]
    for change in bad:
        with pytest.raises(InvalidInput):
            service.create_event(session, actor=actor, data=EventCreate(**{**base, **change}))
    with pytest.raises(ValueError):
        EventCreate(**{**base, "capacity": 0})


def test_attendance_is_recorded_audited_and_queryable(session: Session) -> None:
    place = make_place(session)
    actor = place.worker_actor
    event = make_event(session, actor=actor, community=place.community)
    came, stayed_home, not_signed = (
        make_retiree(session, community=place.community, name=n) for n in ("来", "缺", "无")
    )
    for person in (came, stayed_home):
        signups.sign_up_self(session, retiree=person, event_id=event.id)
    with pytest.raises(Conflict):  # two days ahead: too early to mark
        signups.record_attendance(
            session,
            actor=actor,
            event_id=event.id,
            retiree_id=came.id,
            attendance=Attendance.ATTENDED,
        )
    move_start(session, event, timedelta(hours=-1))
    signups.record_attendance(
        session, actor=actor, event_id=event.id, retiree_id=came.id, attendance=Attendance.ATTENDED
    )
    mark = signups.record_attendance(
        session,
        actor=actor,
        event_id=event.id,
        retiree_id=stayed_home.id,
        attendance=Attendance.ABSENT,
    )
    assert mark.attendance_recorded_by == place.worker.id
    with pytest.raises(NotFound):
        signups.record_attendance(
            session,
            actor=actor,
            event_id=event.id,
            retiree_id=not_signed.id,
            attendance=Attendance.ATTENDED,
        )
    with pytest.raises(NotFound):  # another community's worker
        signups.record_attendance(
            session,
            actor=actor_of(place.other_worker),
            event_id=event.id,
            retiree_id=came.id,
            attendance=Attendance.ABSENT,
        )
    seen = signups.last_attended(session, actor=actor, since=utcnow() - timedelta(days=30))
    assert set(seen) == {came.id}
    assert seen[came.id] == event.starts_at
    assert (
        signups.last_attended(
            session, actor=actor_of(place.other_worker), since=utcnow() - timedelta(days=30)
        )
        == {}
    )
    audited = session.scalars(
        select(AuditEntry.target_id).where(AuditEntry.action == "event.attendance")
    ).all()
    assert sorted(audited) == sorted([str(came.id), str(stayed_home.id)])


def test_search_finds_people_of_the_event_community_only(session: Session) -> None:
    place = make_place(session)
    event = make_event(session, actor=actor_of(place.officer), community=place.community)
    make_retiree(session, community=place.community, name="王秀英")
    make_retiree(session, community=place.other, name="王建国")
    found = signups.find_retirees_to_sign_up(
        session, actor=actor_of(place.officer), event_id=event.id, name="王"
    )
    assert [r.name for r in found] == ["王秀英"]
    assert (
        signups.find_retirees_to_sign_up(
            session, actor=actor_of(place.officer), event_id=event.id, name="  "
        )
        == []
    )


def test_the_retiree_sees_their_community_events_with_their_own_status(session: Session) -> None:
    place = make_place(session)
    mine = make_event(session, actor=place.worker_actor, community=place.community)
    make_event(session, actor=actor_of(place.other_worker), community=place.other)
    person = make_retiree(session, community=place.community)
    rows = signups.events_for_retiree(session, retiree=person)
    assert [r.event.id for r in rows] == [mine.id] and not rows[0].is_signed_up
    signups.sign_up_self(session, retiree=person, event_id=mine.id)
    row = signups.event_for_retiree(session, retiree=person, event_id=mine.id)
    assert row.is_signed_up and row.signed_up == 1 and not row.is_full
