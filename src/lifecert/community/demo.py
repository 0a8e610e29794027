"""Demo data for the community pages: events with sign-ups and attendance in the demo
workers' communities, some notes and planned home visits. Deterministic, a few hundred rows
whatever the size of the demo city."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.community.models import (
    Attendance,
    CommunityEvent,
    EventKind,
    EventSignup,
    HomeVisit,
    RetireeNote,
    SignupChannel,
)
from lifecert.organisation.models import Region, Staff
from lifecert.retirees.models import CertState, Retiree

if TYPE_CHECKING:
    from lifecert.organisation.demo import DemoCity

CST = 8  # demo times are written in China Standard Time (UTC+8)
EVENTS = [
    # (days from today, local hour, length in hours, kind, title, place, capacity)
    (-20, 9, 2, EventKind.HEALTH_TALK, "高血压防治健康讲座", "社区卫生服务站二楼", 40),
    (-6, 15, 2, EventKind.BIRTHDAY_PARTY, "十一月集体生日会", "社区活动室", 25),
    (2, 9, 2, EventKind.HEALTH_TALK, "冬季防跌倒健康讲座", "社区活动室", 30),
    (5, 14, 2, EventKind.CLASS, "智能手机使用课（含手机认证演示）", "社区党群服务中心", 20),
    (12, 10, 3, EventKind.OUTING, "橘子洲公园健步走", "社区大门口集合", 15),
]
NOTES = [
    "独居，子女在外地，电话联系其女儿。",
    "听力较差，上门时请大声说话。",
    "行动不便，认证需上门。",
]


def _at(today: date, days: int, hour: int) -> datetime:
    local = datetime.combine(today + timedelta(days=days), time(hour))
    return (local - timedelta(hours=CST)).replace(tzinfo=UTC)


def seed_demo_community(session: Session, demo: DemoCity, *, today: date, seed: int = 2026) -> None:
    rng = random.Random(seed)
    for username in ("worker", "worker2"):
        worker = demo.staff.get(username)
        if worker is None:
            continue
        for community in worker.regions:
            _community_events(session, rng, community, worker, today)
            _casework(session, community, worker, today)
    session.flush()


def _people(session: Session, community: Region, n: int) -> list[Retiree]:
    return list(
        session.scalars(
            select(Retiree)
            .where(Retiree.community_id == community.id)
            .order_by(Retiree.id)
            .limit(n)
        )
    )


def _community_events(
    session: Session, rng: random.Random, community: Region, worker: Staff, today: date
) -> None:
    people = _people(session, community, 60)
    for days, hour, hours, kind, title, place, capacity in EVENTS:
        event = CommunityEvent(
            community_id=community.id,
            title=title,
            kind=kind,
            description="",
            starts_at=_at(today, days, hour),
            ends_at=_at(today, days, hour + hours),
            place=place,
            capacity=capacity,
            created_by=worker.id,
        )
        session.add(event)
        session.flush()
        # The walk leaves a little room; the others fill up to about two thirds.
        taken = rng.sample(people, min(len(people), capacity * 2 // 3))
        for person in taken:
            by_worker = rng.random() < 0.5
            signup = EventSignup(
                event_id=event.id,
                retiree_id=person.id,
                channel=SignupChannel.STAFF if by_worker else SignupChannel.MOBILE,
                signed_up_by=worker.id if by_worker else None,
                signed_up_at=event.starts_at - timedelta(days=rng.randint(1, 7)),
            )
            if days < 0:  # past events: the worker marked who came
                came = rng.random() < 0.85
                signup.attendance = Attendance.ATTENDED if came else Attendance.ABSENT
                signup.attendance_recorded_at = event.starts_at + timedelta(minutes=20)
                signup.attendance_recorded_by = worker.id
            session.add(signup)


def _casework(session: Session, community: Region, worker: Staff, today: date) -> None:
    overdue = list(
        session.scalars(
            select(Retiree)
            .where(Retiree.community_id == community.id, Retiree.cert_state == CertState.OVERDUE)
            .order_by(Retiree.id)
            .limit(3)
        )
    )
    for i, person in enumerate(overdue):
        session.add(
            RetireeNote(
                retiree_id=person.id,
                author_id=worker.id,
                author_name=worker.full_name,
                text=NOTES[i % len(NOTES)],
                created_at=_at(today, -3 - i, 10),
            )
        )
        session.add(
            HomeVisit(
                retiree_id=person.id,
                scheduled_for=today + timedelta(days=i + 1),
                assigned_to=worker.id,
                purpose="上门协助年度认证",
                created_by=worker.id,
            )
        )
