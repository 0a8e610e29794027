"""Dashboards for community workers and bureau officers: one region's figures, its child regions
(drill-down city → district → street → community), the communities ranked by overdue rate,
the trend, and who needs a visit. Scoped with ``core.scoping``: a region outside the caller's
regions answers 404 like a missing one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.community import service as community
from lifecert.community.schemas import EventSummary
from lifecert.core.errors import InvalidInput, NotFound
from lifecert.core.roles import Permission, Role
from lifecert.core.scoping import Actor, ensure_in_scope
from lifecert.dashboards import queries, rates
from lifecert.dashboards.figures import VISIT_FIGURES, AgeBand, Counts, Figure
from lifecert.organisation.models import Region

BEIJING = ZoneInfo("Asia/Shanghai")
RANKING_SIZE = 10
VISIT_PAGE_SIZE = 25


def beijing_today() -> date:
    return datetime.now(BEIJING).date()


@dataclass(frozen=True)
class Area:
    """What a dashboard covers: one region, or (``region`` None) all of the caller's regions."""

    region: Region | None
    roots: tuple[Region, ...]
    breadcrumbs: tuple[Region, ...] = ()

    @property
    def paths(self) -> list[str]:
        return [r.path for r in self.roots]


@dataclass
class RegionRow:
    region: Region
    counts: Counts


@dataclass
class Dashboard:
    area: Area
    today: date
    totals: Counts
    children: list[RegionRow]
    ranking: list[RegionRow]
    age_bands: dict[AgeBand, dict[Figure, int]]
    trend: list[tuple[int, int]]  # (yyyymm, successful certifications)
    rates: list[tuple[int, float | None]]  # (yyyymm, month-end certification rate)
    visits_total: int
    visits: list[queries.VisitRow] = field(default_factory=list)
    events: list[EventSummary] = field(default_factory=list)


def resolve_area(session: Session, *, actor: Actor, region_id: int | None = None) -> Area:
    actor.require(Permission.READ_RETIREES)
    if region_id is not None:
        region = session.get(Region, region_id)
        if region is None:
            raise NotFound("No such region.")
        ensure_in_scope(actor, Permission.READ_RETIREES, region.path)
        return Area(
            region=region, roots=(region,), breadcrumbs=_breadcrumbs(session, actor, region)
        )
    roots = _own_roots(session, actor)
    if len(roots) == 1:
        return Area(region=roots[0], roots=roots, breadcrumbs=(roots[0],))
    return Area(region=None, roots=roots)


def _own_roots(session: Session, actor: Actor) -> tuple[Region, ...]:
    """The caller's regions without those nested in another of them (no double counting)."""
    if actor.role == Role.PLATFORM_ADMIN:
        stmt = select(Region).where(Region.parent_id.is_(None))
    else:
        stmt = select(Region).where(Region.path.in_(actor.region_paths))
    regions = sorted(session.scalars(stmt), key=lambda r: r.path)
    kept: list[Region] = []
    for region in regions:
        if not any(region.path.startswith(k.path) for k in kept):
            kept.append(region)
    return tuple(kept)


def _breadcrumbs(session: Session, actor: Actor, region: Region) -> tuple[Region, ...]:
    ids = [int(part) for part in region.path.strip("/").split("/")]
    found = {r.id: r for r in session.scalars(select(Region).where(Region.id.in_(ids)))}
    chain = [found[i] for i in ids if i in found]
    return tuple(r for r in chain if actor.covers_path(r.path))


def _child_regions(session: Session, area: Area) -> list[Region]:
    if area.region is None:
        return list(area.roots)
    return list(
        session.scalars(
            select(Region).where(Region.parent_id == area.region.id).order_by(Region.code)
        )
    )


def build_dashboard(
    session: Session,
    *,
    actor: Actor,
    region_id: int | None = None,
    today: date | None = None,
    visit_preview: int = 8,
) -> Dashboard:
    today = today or beijing_today()
    area = resolve_area(session, actor=actor, region_id=region_id)
    root_ids = [r.id for r in area.roots]
    children = _child_regions(session, area)
    worst = queries.worst_communities(session, actor, area.paths, RANKING_SIZE)
    wanted = list({*root_ids, *(c.id for c in children), *worst})
    figures = queries.status_figures(session, wanted)
    this_month = queries.certified_in_month(session, wanted, queries.month_key(today))

    def counts(region_id: int) -> Counts:
        return Counts(dict(figures[region_id]), this_month.get(region_id, 0))

    totals = Counts()
    for root in root_ids:
        totals.add(counts(root))
    in_area = queries.retiree_in_area(actor, area.paths)
    now = datetime.now(UTC)
    failing = queries.failing_ids(session, in_area, now)
    return Dashboard(
        area=area,
        today=today,
        totals=totals,
        children=[RegionRow(child, counts(child.id)) for child in children],
        ranking=_ranking(session, worst, counts),
        age_bands=queries.age_band_figures(session, root_ids, in_area, today),
        trend=queries.monthly_trend(session, root_ids, today),
        rates=rates.monthly_rates(session, root_ids, queries.last_months(today), totals),
        visits_total=_visits_total(totals, failing),
        visits=queries.visit_rows(
            session,
            in_area,
            failing,
            sort="urgency",
            descending=False,
            offset=0,
            limit=visit_preview,
            now=now,
        )
        if visit_preview
        else [],
    )


def _visits_total(totals: Counts, failing: list[int]) -> int:
    return sum(totals.by_figure[f] for f in VISIT_FIGURES) + len(failing)


def _ranking(
    session: Session, worst: list[int], counts: Callable[[int], Counts]
) -> list[RegionRow]:
    """The communities ranked by overdue rate (queries.worst_communities), with their figures."""
    regions = {r.id: r for r in session.scalars(select(Region).where(Region.id.in_(worst)))}
    return [RegionRow(regions[i], counts(i)) for i in worst if i in regions]


@dataclass
class VisitPage:
    area: Area
    rows: list[queries.VisitRow]
    communities: dict[int, str]
    total: int
    page: int
    pages: int
    sort: str
    descending: bool


def list_visits(
    session: Session,
    *,
    actor: Actor,
    region_id: int | None = None,
    sort: str = "urgency",
    descending: bool = False,
    page: int = 1,
    page_size: int = VISIT_PAGE_SIZE,
) -> VisitPage:
    if sort not in queries.SORTS:
        raise InvalidInput(
            "Sort by one of: {choices}.", params={"choices": ", ".join(queries.SORTS)}
        )
    if page < 1 or not 1 <= page_size <= 200:
        raise InvalidInput("Choose a page from 1 and a page size from 1 to 200.")
    area = resolve_area(session, actor=actor, region_id=region_id)
    now = datetime.now(UTC)
    totals = Counts(queries.figures_of(session, [r.id for r in area.roots]))
    in_area = queries.retiree_in_area(actor, area.paths)
    failing = queries.failing_ids(session, in_area, now)
    rows = queries.visit_rows(
        session,
        in_area,
        failing,
        sort=sort,
        descending=descending,
        offset=(page - 1) * page_size,
        limit=page_size,
        now=now,
    )
    total = _visits_total(totals, failing)
    pages = max(1, -(-total // page_size))
    names = dict(
        session.execute(
            select(Region.id, Region.name).where(Region.id.in_({r.community_id for r in rows}))
        ).all()
    )
    return VisitPage(area, rows, names, total, page, pages, sort, descending)


def upcoming_events(session: Session, *, actor: Actor, limit: int = 5) -> list[EventSummary]:
    """The next events in the caller's regions (from the community domain)."""
    return list(community.list_upcoming_events(session, actor=actor, limit=limit))
