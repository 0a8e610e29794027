"""A small city with every kind of person, and counts computed straight from the tables
(plain SQL and Python over the rows: nothing shared with the dashboard code)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from lifecert.certification.models import Certification, CertMode, Outcome
from lifecert.dashboards.models import MonthlyCertified, RetireeCount, StatusCount
from lifecert.organisation.models import Region, RegionLevel
from lifecert.organisation.service import create_region
from lifecert.retirees.models import CertState, Retiree, RetireeStatus
from tests.builders import make_city, make_retiree

_n = itertools.count(1)


@dataclass
class World:
    city: Region
    district_a: Region
    district_b: Region
    street_a: Region
    a1: Region
    a2: Region
    b1: Region
    people: list[Retiree] = field(default_factory=list)


def _region(session: Session, parent: Region, level: RegionLevel, name: str) -> Region:
    return create_region(
        session, name=name, code=f"{parent.code}-{next(_n)}", level=level, parent=parent
    )


# (status, cert_state, valid_until offset in days or None)
_KINDS = [
    (RetireeStatus.ACTIVE, CertState.CERTIFIED, 200),
    (RetireeStatus.ACTIVE, CertState.DUE_SOON, 10),
    (RetireeStatus.ACTIVE, CertState.OVERDUE, -20),
    (RetireeStatus.ACTIVE, CertState.UNDER_REVIEW, -5),
    (RetireeStatus.ACTIVE, CertState.NEVER, None),
    (RetireeStatus.SUSPENDED, CertState.OVERDUE, -90),
    (RetireeStatus.DECEASED, CertState.CERTIFIED, 100),  # off the roll: never counted
    (RetireeStatus.TRANSFERRED_OUT, CertState.NEVER, None),
]


def birth_dates(today: date) -> list[date]:
    """Both sides of every band boundary (birthday passed this year, and still to come)."""
    out = [date(1940, 6, 15), date(1972, 3, 3)]
    for age in (60, 70, 80, 90):
        out += [date(today.year - age, 1, 1), date(today.year - age, 12, 31)]
    return out


def build_world(session: Session, today: date) -> World:
    city = make_city(session, code=f"C{next(_n)}", name="测试市")
    district_a = _region(session, city, RegionLevel.DISTRICT, "甲区")
    district_b = _region(session, city, RegionLevel.DISTRICT, "乙区")
    street_a = _region(session, district_a, RegionLevel.STREET, "甲街道")
    street_b = _region(session, district_b, RegionLevel.STREET, "乙街道")
    world = World(
        city,
        district_a,
        district_b,
        street_a,
        _region(session, street_a, RegionLevel.COMMUNITY, "幸福社区"),
        _region(session, street_a, RegionLevel.COMMUNITY, "和平社区"),
        _region(session, street_b, RegionLevel.COMMUNITY, "东风社区"),
    )
    births = itertools.cycle(birth_dates(today))
    for index, community in enumerate((world.a1, world.a1, world.a2, world.b1)):
        for status, state, offset in _KINDS[index % 2 :]:
            person = make_retiree(
                session, community=community, birth=next(births), name=f"老人{next(_n)}"
            )
            person.status, person.cert_state = status, state
            person.valid_until = None if offset is None else today + timedelta(days=offset)
            world.people.append(person)
    session.flush()
    return world


def add_decision(session: Session, person: Retiree, outcome: Outcome, at: datetime) -> None:
    session.add(
        Certification(
            retiree_id=person.id,
            mode=CertMode.SELF,
            outcome=outcome,
            created_at=at,
            counts_as_attempt=True,
        )
    )
    session.flush()


def add_history(session: Session, world: World, now: datetime) -> None:
    """Decisions this month, in earlier months, and three failures for one certified person."""
    certified = [p for p in world.people if p.cert_state == CertState.CERTIFIED]
    for months_ago, person in enumerate(certified):
        add_decision(session, person, Outcome.CERTIFIED, now - timedelta(days=31 * months_ago))
    add_decision(session, certified[0], Outcome.CERTIFIED, now - timedelta(days=400))  # too old
    active = [p for p in certified if p.status == RetireeStatus.ACTIVE]
    for days in (1, 2, 3):
        add_decision(session, active[-1], Outcome.RETRY, now - timedelta(days=days))
    add_decision(session, world.people[1], Outcome.RETRY, now - timedelta(days=2))


# --- independent counts ---------------------------------------------------------------------


def roll(session: Session, path: str) -> list[tuple[int, str, str, date]]:
    """(id, status, cert_state, birth_date) of everyone under ``path``, straight from SQL."""
    rows = session.execute(
        text(
            "SELECT r.id, r.status, r.cert_state, r.birth_date FROM retiree r "
            "JOIN region g ON g.id = r.community_id WHERE g.path LIKE :p"
        ),
        {"p": path + "%"},
    )
    return [(i, s, c, b if isinstance(b, date) else date.fromisoformat(b)) for i, s, c, b in rows]


def expected_figures(session: Session, path: str) -> dict[str, int]:
    out = dict.fromkeys(
        ["certified", "due_soon", "overdue", "suspended", "under_review", "never"], 0
    )
    for _id, status, state, _birth in roll(session, path):
        if status == "suspended":
            out["suspended"] += 1
        elif status == "active":
            out[state] += 1
    out["elderly"] = sum(out.values())
    return out


def expected_band(birth: date, today: date) -> str:
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    for floor, name in ((90, "90_plus"), (80, "80_89"), (70, "70_79"), (60, "60_69")):
        if age >= floor:
            return name
    return "under_60"


def expected_certified_in_month(session: Session, path: str, year: int, month: int) -> int:
    """Successful decisions made in that Beijing-time month, by people living under ``path``."""
    rows = session.execute(
        text(
            "SELECT c.created_at FROM certification c JOIN retiree r ON r.id = c.retiree_id "
            "JOIN region g ON g.id = r.community_id "
            "WHERE g.path LIKE :p AND c.outcome = 'certified'"
        ),
        {"p": path + "%"},
    )
    count = 0
    for (at,) in rows:
        moment = at if isinstance(at, datetime) else datetime.fromisoformat(at)
        moment = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC) + timedelta(hours=8)
        count += (moment.year, moment.month) == (year, month)
    return count


def counter_snapshot(session: Session) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """(person counters, monthly counters): every non-zero row of the three tables.

    Compare it before and after ``rebuild_counters`` to check that the triggers kept up."""
    people: set[tuple[Any, ...]] = set()
    for table in (StatusCount, RetireeCount):
        columns = list(table.__table__.columns)
        rows = session.execute(select(*columns).where(columns[-1] != 0))
        people |= {(table.__tablename__, *r) for r in rows}
    months = {
        tuple(r)
        for r in session.execute(
            select(MonthlyCertified.region_id, MonthlyCertified.month, MonthlyCertified.n).where(
                MonthlyCertified.n != 0
            )
        )
    }
    return people, months
