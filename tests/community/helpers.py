"""Builders for community tests: events in a community, staff around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from lifecert.community import service
from lifecert.community.models import CommunityEvent, EventKind
from lifecert.community.schemas import EventCreate
from lifecert.core.db import utcnow
from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.organisation.models import Region, Staff
from tests.builders import actor_of, make_city, make_community, make_staff


@dataclass
class Place:
    city: Region
    community: Region
    other: Region  # same city, another community
    worker: Staff
    other_worker: Staff
    officer: Staff

    @property
    def worker_actor(self) -> Actor:
        return actor_of(self.worker)


def make_place(session: Session) -> Place:
    city = make_city(session)
    community = make_community(session, city=city, name="幸福社区")
    other = make_community(session, city=city, name="和平社区")
    return Place(
        city=city,
        community=community,
        other=other,
        worker=make_staff(session, role=Role.COMMUNITY_WORKER, regions=[community]),
        other_worker=make_staff(session, role=Role.COMMUNITY_WORKER, regions=[other]),
        officer=make_staff(session, role=Role.BUREAU_OFFICER, regions=[city]),
    )


def make_event(
    session: Session,
    *,
    actor: Actor,
    community: Region,
    capacity: int = 10,
    starts_in: timedelta = timedelta(days=2),
    title: str = "健康讲座",
) -> CommunityEvent:
    start = utcnow() + starts_in
    return service.create_event(
        session,
        actor=actor,
        data=EventCreate(
            community_id=community.id,
            title=title,
            kind=EventKind.HEALTH_TALK,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="社区活动室",
            capacity=capacity,
        ),
    )


def move_start(session: Session, event: CommunityEvent, delta: timedelta) -> None:
    """Shift an event in time (to test what happens once it has started)."""
    event.starts_at = utcnow() + delta
    event.ends_at = event.starts_at + timedelta(hours=2)
    session.flush()
