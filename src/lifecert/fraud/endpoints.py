"""Alert API: thin routes over the alert service (scoping happens there)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, UploadFile

from lifecert.core.scoping import Actor
from lifecert.core.uploads import read_upload
from lifecert.fraud import alerts, death_review, deaths
from lifecert.fraud.models import Alert, AlertKind, AlertStatus, DeathStatus
from lifecert.fraud.schemas import (
    AlertAssign,
    AlertLinkRead,
    AlertList,
    AlertRead,
    AlertResolve,
    DeathRead,
    DeathReport,
    DeathReverse,
)
from lifecert.identity.deps import CurrentActor, SessionDep
from lifecert.retirees.imports import MAX_UPLOAD_BYTES
from lifecert.retirees.schemas import ImportJobRead

router = APIRouter(prefix="/api/v1/alerts", tags=["fraud"])
deaths_router = APIRouter(prefix="/api/v1/imports", tags=["imports"])
death_records_router = APIRouter(prefix="/api/v1/deaths", tags=["deaths"])
DeathId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _read(actor: Actor, alert: Alert) -> AlertRead:
    links = [
        AlertLinkRead(kind=link.kind, ref=link.ref, label=link.label if seen else "")
        for link, seen in alerts.visible_links(actor, alert)
    ]
    return AlertRead.model_validate(alert).model_copy(update={"links": links})


@router.get("", response_model=AlertList)
def list_alerts(
    session: SessionDep,
    actor: CurrentActor,
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AlertList:
    rows, total = alerts.list_alerts(
        session, actor=actor, status=status, kind=kind, offset=offset, limit=limit
    )
    return AlertList(items=[_read(actor, a) for a in rows], total=total, offset=offset, limit=limit)


@router.get("/export.csv")
def export_alerts(
    session: SessionDep, actor: CurrentActor, status: AlertStatus | None = None
) -> Response:
    text = alerts.export_alerts_csv(session, actor=actor, status=status)
    return Response(
        text.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="alerts.csv"'},
    )


@router.get("/{alert_id}", response_model=AlertRead)
def get_alert(alert_id: int, session: SessionDep, actor: CurrentActor) -> AlertRead:
    return _read(actor, alerts.get_alert(session, actor=actor, alert_id=alert_id, audit=True))


@router.post("/{alert_id}/assign", response_model=AlertRead)
def assign_alert(
    alert_id: int, body: AlertAssign, session: SessionDep, actor: CurrentActor
) -> AlertRead:
    alert = alerts.assign_alert(session, actor=actor, alert_id=alert_id, staff_id=body.staff_id)
    return _read(actor, alert)


@router.post("/{alert_id}/resolve", response_model=AlertRead)
def resolve_alert(
    alert_id: int, body: AlertResolve, session: SessionDep, actor: CurrentActor
) -> AlertRead:
    alert = alerts.resolve_alert(
        session, actor=actor, alert_id=alert_id, outcome=body.outcome, note=body.note
    )
    return _read(actor, alert)


@deaths_router.post("/deaths", response_model=ImportJobRead, status_code=202)
def upload_deaths(
    file: UploadFile, session: SessionDep, actor: CurrentActor
) -> ImportJobRead:
    data = read_upload(file, max_bytes=MAX_UPLOAD_BYTES)
    job = deaths.start_death_import(
        session, actor=actor, filename=file.filename or "deaths.csv", data=data
    )
    return ImportJobRead.model_validate(job)


@death_records_router.get("", response_model=list[DeathRead])
def list_deaths(
    session: SessionDep, actor: CurrentActor, status: DeathStatus | None = None
) -> list[DeathRead]:
    rows = death_review.list_deaths(session, actor=actor, status=status)
    return [DeathRead.model_validate(death) for death, _retiree in rows]


@death_records_router.post("", response_model=DeathRead, status_code=201)
def report_death(body: DeathReport, session: SessionDep, actor: CurrentActor) -> DeathRead:
    """A worker reports one death: payment is held until another officer approves."""
    death = death_review.report_death(
        session,
        actor=actor,
        retiree_id=body.retiree_id,
        date_of_death=body.date_of_death,
        source=body.source,
        certificate_no=body.certificate_no,
    )
    return DeathRead.model_validate(death)


@death_records_router.post("/{death_id}/approve", response_model=DeathRead)
def approve_death(death_id: DeathId, session: SessionDep, actor: CurrentActor) -> DeathRead:
    """Four eyes: an officer other than the reporter approves; payment stops."""
    return DeathRead.model_validate(
        death_review.approve_death(session, actor=actor, death_id=death_id)
    )


@death_records_router.post("/{death_id}/reverse", response_model=DeathRead)
def reverse_death(
    death_id: DeathId, body: DeathReverse, session: SessionDep, actor: CurrentActor
) -> DeathRead:
    """A wrong report: payment resumes with arrears; the reason is kept and audited."""
    return DeathRead.model_validate(
        death_review.reverse_death(session, actor=actor, death_id=death_id, reason=body.reason)
    )
