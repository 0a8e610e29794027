"""Every dashboard figure against an independent count from the tables."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from lifecert.certification.cycle import run_cycle
from lifecert.certification.models import Certification, Outcome
from lifecert.dashboards import service
from lifecert.dashboards.figures import AgeBand, Figure
from lifecert.dashboards.history import rebuild_counters
from lifecert.retirees.models import CertState, Retiree, RetireeStatus
from lifecert.retirees.service import transfer_retiree
from tests.builders import admin_actor
from tests.dashboards.helpers import (
    add_decision,
    add_history,
    build_world,
    counter_snapshot,
    expected_band,
    expected_certified_in_month,
    expected_figures,
    roll,
)

TODAY = service.beijing_today()
NOW = datetime.now(UTC)


def _as_dict(counts: service.Counts) -> dict[str, int]:
    return {**{f.value: n for f, n in counts.by_figure.items()}, "elderly": counts.elderly}


# Today, and days on both sides of mid-year (the age bands count a different side of the
# boundary years then), 29 Feb included.
DAYS = [TODAY, date(2028, 2, 29), date(TODAY.year, 1, 1), date(TODAY.year, 12, 31)]


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_totals_children_and_age_bands_match_the_tables(session: Session, today: date) -> None:
    world = build_world(session, today)
    board = service.build_dashboard(
        session, actor=admin_actor(), region_id=world.city.id, today=today
    )
    assert _as_dict(board.totals) == expected_figures(session, world.city.path)
    assert board.totals.elderly == 22  # 4 groups of people, 6 or 5 kinds on the roll each
    by_child = {row.region.id: _as_dict(row.counts) for row in board.children}
    assert by_child == {
        world.district_a.id: expected_figures(session, world.district_a.path),
        world.district_b.id: expected_figures(session, world.district_b.path),
    }
    expected = {band: dict.fromkeys(Figure, 0) for band in AgeBand}
    for _id, status, state, birth in roll(session, world.city.path):
        if status in ("active", "suspended"):
            figure = Figure.SUSPENDED if status == "suspended" else Figure(state)
            expected[AgeBand(expected_band(birth, today))][figure] += 1
    assert board.age_bands == expected
    # The boundary years really split: both sides of 70 are populated.
    assert sum(board.age_bands[AgeBand.B70].values()) and sum(board.age_bands[AgeBand.B60].values())


def test_monthly_certifications_and_trend(session: Session) -> None:
    world = build_world(session, TODAY)
    add_history(session, world, NOW)
    board = service.build_dashboard(
        session, actor=admin_actor(), region_id=world.city.id, today=TODAY
    )
    assert board.totals.certified_this_month == expected_certified_in_month(
        session, world.city.path, TODAY.year, TODAY.month
    )
    assert board.totals.certified_this_month >= 1
    assert len(board.trend) == 12 and board.trend[-1] == (
        TODAY.year * 100 + TODAY.month,
        board.totals.certified_this_month,
    )
    for month, n in board.trend:
        assert n == expected_certified_in_month(session, world.city.path, month // 100, month % 100)
    # Six decisions in the last 12 months (a deceased person's too: made while alive); one older.
    assert sum(n for _, n in board.trend) == 6
    a_row = next(r for r in board.children if r.region.id == world.district_a.id)
    assert a_row.counts.certified_this_month == expected_certified_in_month(
        session, world.district_a.path, TODAY.year, TODAY.month
    )


def test_visit_list_total_and_members(session: Session) -> None:
    world = build_world(session, TODAY)
    add_history(session, world, NOW)
    listing = service.list_visits(
        session, actor=admin_actor(), region_id=world.city.id, page_size=200
    )
    failing = {world.people[1].id}  # one failure only: not repeated
    rows = roll(session, world.city.path)
    expected = {
        i
        for i, status, state, _ in rows
        if status == "suspended"
        or (status == "active" and state in ("overdue", "under_review", "never"))
    }
    certified = [
        p
        for p in world.people
        if p.cert_state == CertState.CERTIFIED and p.status == RetireeStatus.ACTIVE
    ]
    expected.add(certified[-1].id)  # three failures in the window: on the list though certified
    assert {r.retiree_id for r in listing.rows} == expected
    assert listing.total == len(expected)
    assert not failing & {r.retiree_id for r in listing.rows if r.figure == Figure.CERTIFIED}
    repeated = next(r for r in listing.rows if r.retiree_id == certified[-1].id)
    assert repeated.failures == 3 and repeated.phone and repeated.address


@pytest.mark.parametrize("sort", ["urgency", "name", "age", "community"])
def test_visit_list_sorts_and_pages(session: Session, sort: str) -> None:
    world = build_world(session, TODAY)
    whole = service.list_visits(
        session, actor=admin_actor(), region_id=world.city.id, sort=sort, page_size=200
    ).rows
    backwards = service.list_visits(
        session,
        actor=admin_actor(),
        region_id=world.city.id,
        sort=sort,
        descending=True,
        page_size=200,
    ).rows
    assert [r.retiree_id for r in backwards] == [r.retiree_id for r in whole][::-1]
    pages = [
        service.list_visits(
            session, actor=admin_actor(), region_id=world.city.id, sort=sort, page=p, page_size=5
        )
        for p in (1, 2, 3, 4)
    ]
    assert [r.retiree_id for p in pages for r in p.rows] == [r.retiree_id for r in whole]
    if sort == "age":
        births = [r.birth_date for r in whole]
        assert births == sorted(births)
    if sort == "urgency":  # validity ended longest ago first, never certified last
        dated = [r.valid_until for r in whole if r.valid_until is not None]
        assert dated == sorted(dated) and whole[-1].valid_until is None


def test_ranking_orders_communities_by_overdue_rate(session: Session) -> None:
    world = build_world(session, TODAY)
    for person in world.people:  # make 幸福社区 clearly the worst
        if person.community_id == world.a1.id and person.cert_state == CertState.CERTIFIED:
            person.cert_state = CertState.OVERDUE
    session.flush()
    board = service.build_dashboard(session, actor=admin_actor(), region_id=world.city.id)
    independent = []
    for community in (world.a1, world.a2, world.b1):
        figures = expected_figures(session, community.path)
        rate = figures["overdue"] / figures["elderly"]
        independent.append((-rate, -figures["overdue"], community.id))
    assert [r.region.id for r in board.ranking] == [i for *_, i in sorted(independent)]
    assert board.ranking[0].region.id == world.a1.id
    for row in board.ranking:
        assert _as_dict(row.counts) == expected_figures(session, row.region.path)


def test_counters_stay_exact_through_changes(session: Session) -> None:
    """Updates by the ORM, bulk UPDATEs (the nightly cycle), deletes and review approvals all
    keep the trigger-kept counters equal to a full recount."""
    world = build_world(session, TODAY)
    add_history(session, world, NOW)
    session.execute(
        update(Retiree)
        .where(Retiree.community_id == world.a2.id)
        .values(cert_state=CertState.OVERDUE, valid_until=TODAY - timedelta(days=400))
    )
    run_cycle(session, today=TODAY)
    world.people[3].status = RetireeStatus.DECEASED
    session.delete(world.people[4])
    add_decision(session, world.people[5], Outcome.REVIEW, NOW)
    session.execute(
        update(Certification)
        .where(Certification.outcome == Outcome.REVIEW)
        .values(outcome=Outcome.CERTIFIED)
    )  # as a reviewer's approval does
    session.flush()
    kept = counter_snapshot(session)
    rebuild_counters(session)
    assert counter_snapshot(session) == kept
    board = service.build_dashboard(
        session, actor=admin_actor(), region_id=world.city.id, today=TODAY
    )
    assert _as_dict(board.totals) == expected_figures(session, world.city.path)
    assert board.totals.by_figure[Figure.SUSPENDED] > 4  # the cycle suspended 和平社区


def test_a_transfer_moves_the_person_but_not_past_decisions(session: Session) -> None:
    world = build_world(session, TODAY)
    mover = next(
        p
        for p in world.people
        if p.community_id == world.a1.id and p.status == RetireeStatus.ACTIVE
    )
    add_decision(session, mover, Outcome.CERTIFIED, NOW)
    before = service.build_dashboard(session, actor=admin_actor(), region_id=world.city.id)
    transfer_retiree(
        session,
        actor=admin_actor(),
        retiree_id=mover.id,
        to_community_id=world.b1.id,
        reason="搬家",
    )
    add_decision(session, mover, Outcome.CERTIFIED, NOW)
    session.flush()
    after = service.build_dashboard(session, actor=admin_actor(), region_id=world.city.id)
    rows = {r.region.id: r.counts for r in after.children}
    assert _as_dict(rows[world.district_b.id]) == expected_figures(session, world.district_b.path)
    # The first decision stays where it was made; the second counts in the new community.
    assert rows[world.district_a.id].certified_this_month == 1
    assert rows[world.district_b.id].certified_this_month == 1
    assert after.totals.certified_this_month == before.totals.certified_this_month + 1
    kept = counter_snapshot(session)[0]
    rebuild_counters(session)  # (a recount attributes decisions to today's community)
    assert counter_snapshot(session)[0] == kept


def test_today_outside_the_data_gives_zero_months(session: Session) -> None:
    world = build_world(session, TODAY)
    board = service.build_dashboard(
        session, actor=admin_actor(), region_id=world.city.id, today=date(2001, 5, 1)
    )
    assert board.trend[-1] == (200105, 0) and board.totals.certified_this_month == 0
