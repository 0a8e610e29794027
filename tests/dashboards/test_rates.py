"""The 12-month certification rate: live this month, month-end snapshots before, a gap where
no snapshot exists, and the reconstruction from decisions used for demo data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from lifecert.certification.models import Certification, CertMode, Outcome
from lifecert.dashboards import service
from lifecert.dashboards.queries import month_key
from lifecert.dashboards.rates import backfill_rates, take_rate_snapshot
from lifecert.retirees.models import CertState, Retiree
from tests.builders import admin_actor
from tests.dashboards.helpers import build_world, expected_figures, roll

TODAY = service.beijing_today()
LAST_MONTH_END = TODAY.replace(day=1) - timedelta(days=1)


def _rates(session: Session, region_id: int) -> dict[int, float | None]:
    board = service.build_dashboard(session, actor=admin_actor(), region_id=region_id, today=TODAY)
    assert [m for m, _ in board.rates] == [m for m, _ in board.trend]
    return dict(board.rates)


def _expected_rate(session: Session, path: str) -> float:
    figures = expected_figures(session, path)
    return (figures["certified"] + figures["due_soon"]) / figures["elderly"]


def test_this_month_is_live_and_months_without_a_snapshot_are_gaps(session: Session) -> None:
    world = build_world(session, TODAY)
    rates = _rates(session, world.city.id)
    assert rates[month_key(TODAY)] == _expected_rate(session, world.city.path)
    assert all(rate is None for month, rate in rates.items() if month != month_key(TODAY))


def test_a_month_end_snapshot_keeps_the_past_while_today_moves_on(session: Session) -> None:
    world = build_world(session, TODAY)
    then = _expected_rate(session, world.city.path)
    assert take_rate_snapshot(session, today=LAST_MONTH_END) > 0
    assert take_rate_snapshot(session, today=LAST_MONTH_END) > 0  # rerun: replaces, no clash
    session.execute(
        update(Retiree)
        .where(Retiree.community_id == world.a2.id)
        .values(cert_state=CertState.OVERDUE)
    )
    session.flush()
    rates = _rates(session, world.city.id)
    assert rates[month_key(LAST_MONTH_END)] == then
    assert rates[month_key(TODAY)] == _expected_rate(session, world.city.path) != then
    district = _rates(session, world.district_a.id)  # every region above a community has rows
    assert district[month_key(LAST_MONTH_END)] is not None


def test_backfill_counts_decisions_whose_validity_reaches_the_month_end(session: Session) -> None:
    world = build_world(session, TODAY)
    end = LAST_MONTH_END
    people = [r for r in roll(session, world.city.path) if r[1] in ("active", "suspended")]
    made = datetime.combine(end - timedelta(days=40), datetime.min.time(), tzinfo=UTC)
    valid_until = [end + timedelta(days=5), end - timedelta(days=1), end]  # in, out, in
    for (retiree_id, *_), until in zip(people, valid_until, strict=False):
        session.add(
            Certification(
                retiree_id=retiree_id,
                mode=CertMode.SELF,
                outcome=Outcome.CERTIFIED,
                created_at=made,
                valid_until=until,
                counts_as_attempt=True,
            )
        )
    late = Certification(  # made after the month ended: does not count for it
        retiree_id=people[3][0],
        mode=CertMode.SELF,
        outcome=Outcome.CERTIFIED,
        created_at=datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=UTC),
        valid_until=end + timedelta(days=300),
        counts_as_attempt=True,
    )
    session.add(late)
    session.flush()
    backfill_rates(session, today=TODAY, months=2)
    rates = _rates(session, world.city.id)
    assert rates[month_key(end)] == 2 / len(people)
    # A month earlier all three were made already (40 days before) and still valid.
    assert rates[month_key(date(end.year, end.month, 1) - timedelta(days=1))] == 3 / len(people)


def test_the_nightly_job_is_scheduled_and_writes_this_months_rows(session: Session) -> None:
    from lifecert.core.queue import get_celery
    from lifecert.dashboards.tasks import snapshot_rates

    world = build_world(session, TODAY)
    schedule = get_celery().conf.beat_schedule
    assert any(e["task"] == "dashboards.snapshot_rates" for e in schedule.values())
    assert snapshot_rates()["regions"] > 0
    session.execute(
        update(Retiree).where(Retiree.community_id == world.a2.id).values(cert_state="overdue")
    )
    session.flush()
    # The current month is read live, not from the row the job just wrote.
    assert _rates(session, world.city.id)[month_key(TODAY)] == _expected_rate(
        session, world.city.path
    )
