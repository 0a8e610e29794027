"""Dashboard figures over the API (the pages in lifecert.web.dashboard_pages use the same
service)."""

from __future__ import annotations

from fastapi import APIRouter

from lifecert.dashboards import service
from lifecert.dashboards.figures import Counts, Figure
from lifecert.dashboards.schemas import (
    DashboardRead,
    FiguresRead,
    MonthRead,
    RegionFiguresRead,
)
from lifecert.identity.deps import CurrentActor, SessionDep

router = APIRouter(prefix="/api/v1/dashboard", tags=["dashboards"])


def _figures(counts: Counts) -> FiguresRead:
    return FiguresRead(
        elderly=counts.elderly,
        **{f.value: counts.by_figure[f] for f in Figure},
        certified_this_month=counts.certified_this_month,
        overdue_rate=round(counts.overdue_rate, 4),
    )


def _rows(rows: list[service.RegionRow]) -> list[RegionFiguresRead]:
    return [
        RegionFiguresRead(
            region_id=r.region.id,
            name=r.region.name,
            level=r.region.level.value,
            figures=_figures(r.counts),
        )
        for r in rows
    ]


@router.get("", response_model=DashboardRead)
def read_dashboard(
    session: SessionDep, actor: CurrentActor, region_id: int | None = None
) -> DashboardRead:
    board = service.build_dashboard(session, actor=actor, region_id=region_id, visit_preview=0)
    region = board.area.region
    return DashboardRead(
        region_id=region.id if region else None,
        name=region.name if region else "",
        as_of=board.today,
        totals=_figures(board.totals),
        age_bands={
            b.value: {f.value: n for f, n in cells.items()} for b, cells in board.age_bands.items()
        },
        children=_rows(board.children),
        ranking=_rows(board.ranking),
        trend=[
            MonthRead(month=f"{m // 100}-{m % 100:02d}", certified=n, certified_rate=rate)
            for (m, n), (_, rate) in zip(board.trend, board.rates, strict=True)
        ],
        visits_total=board.visits_total,
    )
