"""The certification rate over the last 12 months: the share of people on the roll whose
certification is valid (certified or due soon) at each month's end.

The counters only know today, and a person's validity is overwritten when they certify again,
so a daily job (``dashboards.snapshot_rates``) copies the counters' rate into one row per
region and month; the last snapshot of a month is its month-end figure. The current month is
always read live from the counters. Months before the first snapshot have no rate (shown as a
gap, never as 0 %).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Integer, and_, case, delete, func, insert, literal, select, text
from sqlalchemy.orm import Session

from lifecert.dashboards.figures import ON_ROLL, Counts, Figure
from lifecert.dashboards.models import MonthlyRate, StatusCount
from lifecert.dashboards.queries import month_key
from lifecert.organisation.models import Region
from lifecert.retirees.models import CertState, RetireeStatus

VALID_STATES = (CertState.CERTIFIED, CertState.DUE_SOON)
VALID_FIGURES = (Figure.CERTIFIED, Figure.DUE_SOON)


def rate_of(counts: Counts) -> float | None:
    """The live rate of some summed figures; None for an empty area."""
    if not counts.elderly:
        return None
    return sum(counts.by_figure[f] for f in VALID_FIGURES) / counts.elderly


def take_rate_snapshot(session: Session, *, today: date) -> int:
    """Write this month's row for every region from the counters (rerunnable: the last run of
    the month wins). Returns the number of regions written."""
    month = month_key(today)
    session.execute(delete(MonthlyRate).where(MonthlyRate.month == month))
    on_roll = StatusCount.status.in_([s.value for s in ON_ROLL])
    valid = and_(
        StatusCount.status == RetireeStatus.ACTIVE.value,
        StatusCount.cert_state.in_([s.value for s in VALID_STATES]),
    )
    rows = select(
        StatusCount.region_id,
        literal(month, Integer),
        func.sum(case((on_roll, StatusCount.n), else_=0)),
        func.sum(case((valid, StatusCount.n), else_=0)),
        literal(today),
    ).group_by(StatusCount.region_id)
    columns = ["region_id", "month", "elderly", "valid", "taken_on"]
    session.execute(insert(MonthlyRate).from_select(columns, rows))
    written = select(func.count()).select_from(MonthlyRate).where(MonthlyRate.month == month)
    return int(session.scalar(written) or 0)


def monthly_rates(
    session: Session, root_ids: Sequence[int], months: Sequence[int], live: Counts
) -> list[tuple[int, float | None]]:
    """(month, rate) for ``months`` (oldest first, the last is the current month, read live)."""
    past = list(months[:-1])
    found: dict[int, tuple[int, int]] = {}
    if root_ids and past:
        rows = session.execute(
            select(MonthlyRate.month, func.sum(MonthlyRate.valid), func.sum(MonthlyRate.elderly))
            .where(MonthlyRate.region_id.in_(root_ids), MonthlyRate.month.in_(past))
            .group_by(MonthlyRate.month)
        )
        found = {int(m): (int(v or 0), int(e or 0)) for m, v, e in rows}
    out: list[tuple[int, float | None]] = []
    for month in past:
        valid, elderly = found.get(month, (0, 0))
        out.append((month, valid / elderly if elderly else None))
    out.append((months[-1], rate_of(live)))
    return out


def backfill_rates(session: Session, *, today: date, months: int = 11) -> None:
    """Reconstruct the past months' rows from the certification decisions (demo data, or a
    deployment that imported its history): valid at a month's end = a successful decision made
    by then whose validity reaches it. An estimate, not a snapshot: the roll is today's roll and
    people count in today's community."""
    dialect = session.get_bind().dialect.name
    end = today.replace(day=1) - timedelta(days=1)
    for _ in range(months):
        _backfill_month(session, end, dialect)
        end = end.replace(day=1) - timedelta(days=1)


def _backfill_month(session: Session, end: date, dialect: str) -> None:
    month = month_key(end)
    session.execute(delete(MonthlyRate).where(MonthlyRate.month == month))
    by_community = _month_end_by_community(session, end, dialect)
    paths = dict(
        session.execute(select(Region.id, Region.path).where(Region.id.in_(by_community))).all()
    )
    totals: dict[int, list[int]] = {}
    for community_id, (on_roll, valid) in by_community.items():
        for region_id in _ids_in_path(paths[community_id]):
            row = totals.setdefault(region_id, [0, 0])
            row[0] += on_roll
            row[1] += valid
    session.add_all(
        MonthlyRate(region_id=r, month=month, elderly=e, valid=v, taken_on=end)
        for r, (e, v) in totals.items()
    )
    session.flush()


def _month_end_by_community(
    session: Session, end: date, dialect: str
) -> dict[int, tuple[int, int]]:
    """community id -> (people on today's roll, those with a decision valid at ``end``).

    Two grouped passes, the second reaching each person through their primary key; the few
    thousand community rows are added up the region tree by the caller."""
    # The month ends at midnight Beijing time (UTC+8), i.e. 16:00 UTC on its last day.
    cutoff = datetime.combine(end, time(16, 0), tzinfo=UTC)
    cutoff_param: datetime | str = cutoff
    if dialect != "postgresql":  # raw SQL: SQLite keeps naive UTC text, as UTCDateTime does
        cutoff_param = cutoff.strftime("%Y-%m-%d %H:%M:%S.%f")
    on_roll = "r.status IN ('active', 'suspended')"
    people = session.execute(
        text(f"SELECT r.community_id, count(*) FROM retiree r WHERE {on_roll} GROUP BY 1")
    ).all()
    valid_rows = session.execute(
        text(
            "SELECT r.community_id, count(DISTINCT c.retiree_id) FROM certification c "
            "JOIN retiree r ON r.id = c.retiree_id WHERE c.outcome = 'certified' AND "
            f"c.created_at <= :cutoff AND c.valid_until >= :end AND {on_roll} GROUP BY 1"
        ),
        {"end": end, "cutoff": cutoff_param},
    ).all()
    valid = {int(c): int(n) for c, n in valid_rows}
    return {int(c): (int(n), valid.get(int(c), 0)) for c, n in people}


def _ids_in_path(path: str) -> list[int]:
    """A region's path "/1/4/9/" lists the ids of every region it belongs to, itself last."""
    return [int(part) for part in path.strip("/").split("/")]
