"""Dashboard pages: the landing page of community workers and bureau officers, drill-down by
region, the visit list, and the table export. Thin: figures come from lifecert.dashboards."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from lifecert.core.errors import NotFound
from lifecert.core.i18n import gettext
from lifecert.core.scoping import Actor
from lifecert.dashboards import export
from lifecert.dashboards import service as dashboards
from lifecert.dashboards.figures import AGE_BAND_LABELS, FIGURE_LABELS, AgeBand, Figure
from lifecert.fraud.alerts import count_alerts
from lifecert.identity.deps import SessionDep
from lifecert.web.pages import page_actor
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)


def render_dashboard(
    request: Request, session: SessionDep, actor: Actor, region_id: int | None
) -> HTMLResponse:
    board = dashboards.build_dashboard(session, actor=actor, region_id=region_id)
    board.events = dashboards.upcoming_events(session, actor=actor, limit=5)
    return render(
        request,
        "dashboard.html",
        board=board,
        figures=list(Figure),
        Figure=Figure,
        figure_labels=FIGURE_LABELS,
        bands=list(AgeBand),
        band_labels=AGE_BAND_LABELS,
        chart_data=_chart_data(board),
        alert_counts=count_alerts(session, actor=actor),
        beijing=_beijing,
        region_query=_region_query(
            board.area.region.id if region_id is not None and board.area.region else None
        ),
    )


def _beijing(moment: datetime) -> str:
    return moment.astimezone(dashboards.BEIJING).strftime("%Y-%m-%d %H:%M")


def _region_query(region_id: int | None) -> str:
    return f"region={region_id}&" if region_id is not None else ""


def _chart_data(board: dashboards.Dashboard) -> Markup:
    """Numbers and translated labels for dashboard.js (embedded JSON, no extra request)."""
    data: dict[str, Any] = {
        "figures": [gettext(FIGURE_LABELS[f]) for f in Figure],
        "figureKeys": [f.value for f in Figure],
        "totals": [board.totals.by_figure[f] for f in Figure],
        "bands": [gettext(AGE_BAND_LABELS[b]) for b in AgeBand],
        "byBand": {f.value: [board.age_bands[b][f] for b in AgeBand] for f in Figure},
        "months": [f"{m // 100}-{m % 100:02d}" for m, _ in board.trend],
        "trend": [n for _, n in board.trend],
        "trendLabel": gettext("Successful certifications"),
        # Percent, one decimal; null where no month-end snapshot exists (a gap, not 0 %).
        "rates": [None if r is None else round(100 * r, 1) for _, r in board.rates],
        "rateLabel": gettext("Certification rate (%)"),
    }
    # "</" cannot end the script element early once escaped.
    return Markup(json.dumps(data, ensure_ascii=False).replace("</", "<\\/"))


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, region: int | None = None) -> HTMLResponse:
    actor = page_actor(request, session)
    return render_dashboard(request, session, actor, region)


@router.get("/dashboard/visits", response_class=HTMLResponse)
def visits(
    request: Request,
    session: SessionDep,
    region: int | None = None,
    sort: str = "urgency",
    desc: bool = False,
    page: int = 1,
) -> HTMLResponse:
    actor = page_actor(request, session)
    listing = dashboards.list_visits(
        session, actor=actor, region_id=region, sort=sort, descending=desc, page=page
    )
    return render(
        request,
        "dashboard_visits.html",
        listing=listing,
        figure_labels=FIGURE_LABELS,
        today=dashboards.beijing_today(),
        region_query=_region_query(region),
    )


@router.get("/dashboard/export.{fmt}")
def export_table(
    request: Request, session: SessionDep, fmt: str, region: int | None = None
) -> Response:
    actor = page_actor(request, session)
    if fmt not in ("csv", "xlsx"):
        raise NotFound("Export as .csv or .xlsx.")
    board = dashboards.build_dashboard(session, actor=actor, region_id=region, visit_preview=0)
    rows = export.table_rows(board)
    name = board.area.region.name if board.area.region else gettext("My area")
    stem = f"{name}-{board.today.isoformat()}"
    if fmt == "csv":
        body, media = export.to_csv(rows), "text/csv; charset=utf-8"
    else:
        body = export.to_xlsx(rows, name)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = f"attachment; filename=dashboard.{fmt}; filename*=UTF-8''{quote(stem)}.{fmt}"
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})
