"""The last place of an event goes to exactly one person when many sign up at the same moment
(PostgreSQL: real concurrent transactions on separate connections)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from lifecert.community import signups
from lifecert.community.models import CommunityEvent, EventKind, EventSignup, SignupStatus
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree
from tests.builders import make_city, make_community, make_retiree

PEOPLE = 8
CAPACITY = 3


@pytest.fixture
def committed(engine: Engine) -> Iterator[tuple[sessionmaker[Session], int, list[int]]]:
    if engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent writers: run with LIFECERT_DATABASE_URL=postgresql://...")
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        city = make_city(session, code="439900", name="并发市")
        community = make_community(session, city=city)
        people = [make_retiree(session, community=community, name=f"人{i}") for i in range(PEOPLE)]
        start = utcnow() + timedelta(days=1)
        event = CommunityEvent(
            community_id=community.id,
            title="并发测试",
            kind=EventKind.OTHER,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            place="活动室",
            capacity=CAPACITY,
        )
        session.add(event)
        session.commit()
        region_ids = [int(p) for p in community.path.strip("/").split("/")]
        ids = (event.id, [p.id for p in people])
    yield factory, ids[0], ids[1]
    with factory() as session:  # committed rows: remove them so other tests start clean
        session.execute(delete(CommunityEvent).where(CommunityEvent.id == ids[0]))
        session.execute(delete(Retiree).where(Retiree.id.in_(ids[1])))
        for region_id in reversed(region_ids):
            session.execute(delete(Region).where(Region.id == region_id))
        session.commit()


def test_concurrent_sign_ups_never_exceed_the_capacity(
    committed: tuple[sessionmaker[Session], int, list[int]],
) -> None:
    factory, event_id, people = committed
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(retiree_id: int) -> None:
        with factory() as session:
            retiree = session.get_one(Retiree, retiree_id)
            barrier.wait()
            try:
                signups.sign_up_self(session, retiree=retiree, event_id=event_id)
                session.commit()
                result = "ok"
            except Conflict:
                session.rollback()
                result = "full"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(rid,)) for rid in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["full"] * (PEOPLE - CAPACITY) + ["ok"] * CAPACITY
    with factory() as session:
        taken = session.scalar(
            select(func.count())
            .select_from(EventSignup)
            .where(EventSignup.event_id == event_id, EventSignup.status == SignupStatus.SIGNED_UP)
        )
    assert taken == CAPACITY
