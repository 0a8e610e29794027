"""SQL behind the dashboards. Figures are lookups in the trigger-kept counters by region id
(a few rows per region, whatever its size); only the age-band boundary years and the visit
list read the retiree table, through indexes made for them (migration 0006)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from lifecert.certification.models import Certification, Outcome
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, ensure_in_scope
from lifecert.dashboards.figures import (
    FAILURE_WINDOW_DAYS,
    FIGURE_OF_KEY,
    ON_ROLL,
    REPEATED_FAILURES,
    AgeBand,
    Figure,
    band_of_age,
    boundary_years,
    figure_of,
)
from lifecert.dashboards.models import NEEDS_VISIT_SQL, MonthlyCertified, RetireeCount, StatusCount
from lifecert.organisation.models import Region, RegionLevel
from lifecert.retirees.models import CertState, Retiree, RetireeStatus


def area_condition(actor: Actor, roots: Sequence[str]) -> ColumnElement[bool]:
    """Regions under any of ``roots`` (paths). Each root goes through the scoping helper first
    (outside the caller's regions: "not found"); the SQL then holds one prefix test per root,
    not a second, redundant one for the scope, which would halve the planner's estimate of
    how many regions match and lead it to poor plans."""
    for root in roots:
        ensure_in_scope(actor, Permission.READ_RETIREES, root)
    if not roots:
        return false()
    return or_(*(Region.path.startswith(root, autoescape=True) for root in roots))


def retiree_in_area(actor: Actor, roots: Sequence[str]) -> ColumnElement[bool]:
    """Retirees living in the area's communities, as a subquery on the (small) region table:
    a city has a thousand communities, too many to send as a list of ids."""
    return Retiree.community_id.in_(
        select(Region.id).where(area_condition(actor, roots), Region.level == RegionLevel.COMMUNITY)
    )


def status_figures(session: Session, region_ids: Sequence[int]) -> dict[int, dict[Figure, int]]:
    """Status figures of a few regions (the area and its children), each for its subtree."""
    figures = {i: dict.fromkeys(Figure, 0) for i in region_ids}
    if not region_ids:
        return figures
    rows = session.execute(
        select(
            StatusCount.region_id, StatusCount.status, StatusCount.cert_state, StatusCount.n
        ).where(StatusCount.region_id.in_(region_ids))
    )
    for region_id, status, cert_state, n in rows:
        figure = FIGURE_OF_KEY.get((status, cert_state))
        if figure is not None:
            figures[region_id][figure] += n
    return figures


def worst_communities(
    session: Session, actor: Actor, roots: Sequence[str], limit: int
) -> list[int]:
    """Ids of the area's communities with the highest overdue rate (overdue ÷ elderly; ties:
    more overdue people, then id), ranked in SQL over the counters: one row per community and
    state, never the people."""
    on_roll = StatusCount.status.in_([status.value for status in ON_ROLL])
    overdue = and_(
        StatusCount.status == RetireeStatus.ACTIVE.value,
        StatusCount.cert_state == CertState.OVERDUE.value,
    )
    elderly_n = func.sum(case((on_roll, StatusCount.n), else_=0))
    overdue_n = func.sum(case((overdue, StatusCount.n), else_=0))
    rows = session.execute(
        select(StatusCount.region_id)
        .join(Region, Region.id == StatusCount.region_id)
        .where(area_condition(actor, roots), Region.level == RegionLevel.COMMUNITY)
        .group_by(StatusCount.region_id)
        .having(elderly_n > 0)
        .order_by((overdue_n * 1.0 / elderly_n).desc(), overdue_n.desc(), StatusCount.region_id)
        .limit(limit)
    )
    return [int(i) for (i,) in rows]


def month_key(day: date) -> int:
    return day.year * 100 + day.month


def last_months(today: date, n: int = 12) -> list[int]:
    """``n`` yyyymm keys ending with today's month, oldest first."""
    year, month = today.year, today.month
    keys = []
    for _ in range(n):
        keys.append(year * 100 + month)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def figures_of(session: Session, region_ids: Sequence[int]) -> dict[Figure, int]:
    """The summed status figures of a few regions (disjoint subtrees: the caller's roots)."""
    per_region = status_figures(session, region_ids).values()
    return {figure: sum(figures[figure] for figures in per_region) for figure in Figure}


def certified_in_month(session: Session, region_ids: Sequence[int], month: int) -> dict[int, int]:
    """Successful certifications in ``month`` of a few regions, by region id."""
    if not region_ids:
        return {}
    rows = session.execute(
        select(MonthlyCertified.region_id, MonthlyCertified.n).where(
            MonthlyCertified.region_id.in_(region_ids), MonthlyCertified.month == month
        )
    )
    return {int(region_id): int(n) for region_id, n in rows}


def monthly_trend(session: Session, root_ids: Sequence[int], today: date) -> list[tuple[int, int]]:
    months = last_months(today)
    if not root_ids:
        return [(m, 0) for m in months]
    rows = dict(
        session.execute(
            select(MonthlyCertified.month, func.sum(MonthlyCertified.n))
            .where(
                MonthlyCertified.region_id.in_(root_ids),
                MonthlyCertified.month.between(months[0], months[-1]),
            )
            .group_by(MonthlyCertified.month)
        ).all()
    )
    return [(m, int(rows.get(m) or 0)) for m in months]


def age_band_figures(
    session: Session, root_ids: Sequence[int], in_area: ColumnElement[bool], today: date
) -> dict[AgeBand, dict[Figure, int]]:
    """Age band × status figure. The counters give birth years; only in the four boundary
    years does the band depend on whether the birthday has come: there one indexed range query
    counts whichever part of the year is smaller (before or after today's date)."""
    table = {band: dict.fromkeys(Figure, 0) for band in AgeBand}
    if not root_ids:
        return table
    rows = session.execute(
        select(
            RetireeCount.birth_year,
            RetireeCount.status,
            RetireeCount.cert_state,
            func.sum(RetireeCount.n),
        )
        .where(RetireeCount.region_id.in_(root_ids))
        .group_by(RetireeCount.birth_year, RetireeCount.status, RetireeCount.cert_state)
    )
    by_year: dict[tuple[int, str, str], int] = {}
    for year, status, cert_state, n in rows:
        by_year[(int(year), status, cert_state)] = int(n or 0)
        figure = figure_of(status, cert_state)
        if figure is not None:  # as if every birthday had come: the older band
            table[band_of_age(today.year - int(year))][figure] += int(n or 0)
    for (year, status, cert_state), n in _birthday_to_come(
        session, in_area, today, by_year
    ).items():
        figure = figure_of(status, cert_state)
        if figure is not None:
            table[band_of_age(today.year - year)][figure] -= n
            table[band_of_age(today.year - year - 1)][figure] += n
    return table


def _birthday_to_come(
    session: Session,
    in_area: ColumnElement[bool],
    today: date,
    by_year: dict[tuple[int, str, str], int],
) -> dict[tuple[int, str, str], int]:
    """People of the boundary years whose birthday is still to come this year."""
    # Early in the year count those whose birthday has passed (few), later those still to come.
    count_passed = (today.month, today.day) <= (6, 30)
    ranges = []
    for year in boundary_years(today):
        cut = _clamped(year, today.month, today.day)  # 29 Feb in a common year: 28 Feb
        if count_passed:
            ranges.append(
                (year, and_(Retiree.birth_date >= date(year, 1, 1), Retiree.birth_date <= cut))
            )
        else:
            ranges.append(
                (year, and_(Retiree.birth_date > cut, Retiree.birth_date <= date(year, 12, 31)))
            )
    # One plain range per year (UNION ALL): each is an index-only range scan; an OR of the
    # ranges would make PostgreSQL read the whole index.
    per_year = [
        select(literal(year).label("y"), Retiree.status, Retiree.cert_state, func.count())
        .where(condition, in_area)
        .group_by(Retiree.status, Retiree.cert_state)
        for year, condition in ranges
    ]
    rows = session.execute(union_all(*per_year))
    counted: dict[tuple[int, str, str], int] = {
        (int(y), str(status), str(cert_state)): int(n) for y, status, cert_state, n in rows
    }
    if not count_passed:
        return counted
    years = set(boundary_years(today))
    return {key: n - counted.get(key, 0) for key, n in by_year.items() if key[0] in years}


def _clamped(year: int, month: int, day: int) -> date:
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


# --- who needs a visit -------------------------------------------------------------------

_FAILED = (Outcome.RETRY, Outcome.REJECTED)
# Literal SQL, the same as the partial indexes' predicate, so PostgreSQL can use them.
# (The visit queries read the retiree table alone, so the bare column names are unambiguous.)
_NEEDS_VISIT = text(f"({NEEDS_VISIT_SQL})")


def _counted_failures(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Failed attempts that count towards the visit list: those of the last window."""
    return (
        Certification.outcome.in_(_FAILED),
        Certification.created_at >= now - timedelta(days=FAILURE_WINDOW_DAYS),
        Certification.counts_as_attempt.is_(True),
    )


def failing_people(now: datetime, in_area: ColumnElement[bool]) -> Select[Any]:
    """Ids of active people of these communities whose state is fine (certified, due soon)
    but who failed at least REPEATED_FAILURES counted attempts in the window: on the visit
    list for that reason only. The failures are grouped first (an index range scan), so only
    people with enough of them are looked up in the registry."""
    repeated = (
        select(Certification.retiree_id)
        .where(*_counted_failures(now))
        .group_by(Certification.retiree_id)
        .having(func.count() >= REPEATED_FAILURES)
        .subquery()
    )
    return (
        select(Retiree.id)
        .join(repeated, repeated.c.retiree_id == Retiree.id)
        .where(
            in_area,
            Retiree.status == RetireeStatus.ACTIVE,
            Retiree.cert_state.in_([CertState.CERTIFIED, CertState.DUE_SOON]),
        )
    )


def failing_ids(session: Session, in_area: ColumnElement[bool], now: datetime) -> list[int]:
    """Read once per page: the count and the list's second branch both use it. Its cost grows
    with the failed attempts of the last 30 days in the area, not with the population."""
    return [int(i) for i in session.scalars(failing_people(now, in_area))]


@dataclass(frozen=True)
class VisitRow:
    retiree_id: int
    name: str
    birth_date: date
    phone: str
    address: str
    community_id: int
    figure: Figure
    valid_until: date | None
    failures: int


SORTS = ("urgency", "name", "age", "community")


def visit_order(sort: str, descending: bool, table: Any = None) -> tuple[Any, ...]:
    """Urgency: the validity that ended longest ago first, never certified last. Age: the
    oldest first. Descending reverses the whole order (and matches the indexes read backwards)."""
    c = table.c if table is not None else Retiree

    def way(column: Any) -> Any:
        return column.desc() if descending else column.asc()

    urgency = c.valid_until.desc().nulls_first() if descending else c.valid_until.asc().nulls_last()
    keys: dict[str, tuple[Any, ...]] = {
        "urgency": (urgency, way(c.id)),
        "name": (way(c.name), way(c.id)),
        "age": (way(c.birth_date), way(c.id)),
        "community": (way(c.community_id), urgency, way(c.id)),
    }
    return keys[sort]


_VISIT_COLUMNS = (
    Retiree.id,
    Retiree.name,
    Retiree.birth_date,
    Retiree.phone,
    Retiree.address,
    Retiree.community_id,
    Retiree.status,
    Retiree.cert_state,
    Retiree.valid_until,
)


def visit_rows(
    session: Session,
    in_area: ColumnElement[bool],
    failing: Sequence[int],
    *,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
    now: datetime | None = None,
) -> list[VisitRow]:
    """One page of the visit list: people whose state calls for a visit (read in order from a
    partial index) merged with the few on it for repeated failures only."""
    now = now or datetime.now(UTC)
    order = visit_order(sort, descending)
    top = offset + limit  # each branch needs at most this many rows, in order
    by_state = select(*_VISIT_COLUMNS).where(_NEEDS_VISIT, in_area).order_by(*order).limit(top)
    # The few on the list for failures only: fetched by id and sorted with the rest (ordering
    # this branch itself tempts the planner into walking a whole date index).
    by_failures = select(*_VISIT_COLUMNS).where(Retiree.id.in_(failing) if failing else false())
    both = (select(by_state.subquery()).union_all(select(by_failures.subquery()))).subquery()
    rows = session.execute(
        select(both).order_by(*visit_order(sort, descending, both)).offset(offset).limit(limit)
    ).all()
    failures = _failure_counts(session, [r[0] for r in rows], now)
    return [
        VisitRow(
            retiree_id=r[0],
            name=r[1],
            birth_date=r[2],
            phone=r[3],
            address=r[4],
            community_id=r[5],
            figure=figure_of(r[6], r[7]) or Figure.NEVER,
            valid_until=r[8],
            failures=failures.get(r[0], 0),
        )
        for r in rows
    ]


def _failure_counts(session: Session, ids: list[int], now: datetime) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(Certification.retiree_id, func.count())
        .where(Certification.retiree_id.in_(ids), *_counted_failures(now))
        .group_by(Certification.retiree_id)
    )
    return {int(rid): int(n) for rid, n in rows}
