"""Pages for bureau officers: the fraud alert queue, one alert with its evidence and linked
people (a small server-rendered graph), assign/resolve, CSV export, and the death import."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from lifecert.core.roles import ROLE_PERMISSIONS, Permission
from lifecert.core.uploads import read_upload
from lifecert.fraud import alerts, death_review, deaths
from lifecert.fraud import labels as fraud_labels
from lifecert.fraud.models import Alert, AlertKind, AlertOutcome, AlertStatus, DeathStatus
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.organisation.models import Staff
from lifecert.retirees.imports import MAX_UPLOAD_BYTES
from lifecert.web.pages import PAGE_SIZE, page_actor
from lifecert.web.templating import render, templates

router = APIRouter(include_in_schema=False)

templates.env.globals.update(
    alert_kind_label=lambda k: alerts.KIND_LABELS[AlertKind(k)],
    alert_status_label=lambda s: alerts.STATUS_LABELS[AlertStatus(s)],
    alert_outcome_label=lambda o: alerts.OUTCOME_LABELS[AlertOutcome(o)],
    alert_severity_label=lambda s: alerts.SEVERITY_LABELS[s],
    death_status_label=lambda s: death_review.STATUS_LABELS[DeathStatus(s)],
    alert_evidence=fraud_labels.evidence_rows,
    alert_link_label=fraud_labels.link_label,
)


def graph(alert: Alert, visible: list[tuple[Any, bool]]) -> dict[str, Any]:
    """Positions for a star graph: the alert in the middle, linked people and things around."""
    size, radius = 360, 130
    nodes = []
    for number, (link, seen) in enumerate(visible):
        angle = 2 * math.pi * number / max(len(visible), 1) - math.pi / 2
        nodes.append(
            {
                "x": round(size / 2 + radius * math.cos(angle), 1),
                "y": round(size / 2 + radius * math.sin(angle), 1),
                "kind": link.kind.value,
                "label": (link.label if seen else "") or f"#{link.ref}",
                "href": f"/retirees/{link.retiree_id}" if seen and link.retiree_id else "",
            }
        )
    return {"size": size, "centre": size / 2, "nodes": nodes}


@router.get("/alerts", response_class=HTMLResponse)
def alert_queue(
    request: Request,
    session: SessionDep,
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
    page: int = 1,
) -> HTMLResponse:
    actor = page_actor(request, session)
    page = max(page, 1)
    rows, total = alerts.list_alerts(
        session,
        actor=actor,
        status=status,
        kind=kind,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    return render(
        request,
        "alerts.html",
        rows=rows,
        total=total,
        status=status,
        kind=kind,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        statuses=list(AlertStatus),
        kinds=list(AlertKind),
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_detail(request: Request, session: SessionDep, alert_id: int) -> HTMLResponse:
    actor = page_actor(request, session)
    alert = alerts.get_alert(session, actor=actor, alert_id=alert_id, audit=True)
    visible = alerts.visible_links(actor, alert)
    officers = [
        s
        for s in session.scalars(select(Staff).where(Staff.is_active).order_by(Staff.username))
        if Permission.TRIAGE_ALERTS in ROLE_PERMISSIONS[s.role]
    ][:200]
    return render(
        request,
        "alert.html",
        alert=alert,
        links=visible,
        graph=graph(alert, visible),
        officers=officers,
        outcomes=list(AlertOutcome),
    )


@router.post("/alerts/{alert_id}/assign")
def assign(
    request: Request,
    session: SessionDep,
    alert_id: int,
    staff_id: Annotated[int, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    alerts.assign_alert(session, actor=actor, alert_id=alert_id, staff_id=staff_id)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/resolve")
def resolve(
    request: Request,
    session: SessionDep,
    alert_id: int,
    outcome: Annotated[AlertOutcome, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    alerts.resolve_alert(session, actor=actor, alert_id=alert_id, outcome=outcome, note=note)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.get("/alerts-export.csv")
def export(request: Request, session: SessionDep, status: AlertStatus | None = None) -> Response:
    actor = page_actor(request, session)
    text = alerts.export_alerts_csv(session, actor=actor, status=status)
    return Response(
        text.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="alerts.csv"'},
    )


@router.get("/deaths/import", response_class=HTMLResponse)
def death_upload_form(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    actor.require(Permission.WRITE_RETIREES)
    return render(request, "deaths_upload.html")


@router.post("/deaths/import")
def death_upload(
    request: Request, session: SessionDep, file: UploadFile, csrf: Annotated[str, Form()] = ""
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    data = read_upload(file, max_bytes=MAX_UPLOAD_BYTES)
    job = deaths.start_death_import(
        session, actor=actor, filename=file.filename or "deaths.csv", data=data
    )
    session.commit()  # the job runs after commit (inline here, or on a worker)
    return RedirectResponse(f"/imports/jobs/{job.id}", status_code=303)


@router.get("/deaths", response_class=HTMLResponse)
def death_reports(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    actor.require(Permission.READ_FULL_ID_NUMBER)  # bureau officers decide
    rows = [
        row
        for row in death_review.list_deaths(session, actor=actor)
        if row[0].status != DeathStatus.REVERSED
    ]
    return render(request, "deaths.html", rows=rows)


@router.post("/deaths/{death_id}/approve")
def approve_death(
    request: Request,
    session: SessionDep,
    death_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    death_review.approve_death(session, actor=page_actor(request, session), death_id=death_id)
    return RedirectResponse("/deaths", status_code=303)


@router.post("/deaths/{death_id}/reverse")
def reverse_death(
    request: Request,
    session: SessionDep,
    death_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    reason: Annotated[str, Form(max_length=2000)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    death_review.reverse_death(
        session, actor=page_actor(request, session), death_id=death_id, reason=reason
    )
    return RedirectResponse("/deaths", status_code=303)
