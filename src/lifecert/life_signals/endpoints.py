"""Life-signal API: partner batches (partner key), file imports, the silent run, reversal
by an officer, reports."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Header, UploadFile

from lifecert.core.db import utcnow
from lifecert.core.roles import Permission
from lifecert.core.uploads import read_upload
from lifecert.identity.deps import CurrentActor, SessionDep
from lifecert.life_signals import imports, reports, reversal, service
from lifecert.life_signals.schemas import (
    BatchResult,
    PolicyUpdate,
    RegionShareRead,
    Reversal,
    ReversalRead,
    SignalBatch,
    SilentReport,
    SilentRunRead,
    SourceCreate,
    SourceCreated,
    SourceQualityRead,
)
from lifecert.retirees.imports import MAX_UPLOAD_BYTES
from lifecert.retirees.models import Retiree
from lifecert.retirees.schemas import ImportJobRead

router = APIRouter(prefix="/api/v1/life-signals", tags=["life signals"])


@router.post("", response_model=BatchResult)
def post_batch(
    body: SignalBatch,
    session: SessionDep,
    x_partner_key: Annotated[str, Header()] = "",
) -> BatchResult:
    source = imports.partner_source(session, key=x_partner_key)
    result = imports.ingest_batch(
        session, source=source, items=[(e.id_number, e.date) for e in body.events]
    )
    return BatchResult.model_validate(result)


@router.post("/sources", response_model=SourceCreated, status_code=201)
def add_source(body: SourceCreate, session: SessionDep, actor: CurrentActor) -> SourceCreated:
    source, key = service.add_source(session, actor=actor, code=body.code, name=body.name,
                                     kind=body.kind, trust_level=body.trust_level)
    return SourceCreated(id=source.id, code=source.code, partner_key=key)


@router.put("/policies/{region_id}", response_model=PolicyUpdate)
def set_policy(
    region_id: int, body: PolicyUpdate, session: SessionDep, actor: CurrentActor
) -> PolicyUpdate:
    service.set_policy(session, actor=actor, region_id=region_id, **body.model_dump())
    return body


@router.post("/imports", response_model=ImportJobRead, status_code=202)
def upload_signals(
    file: UploadFile,
    session: SessionDep,
    actor: CurrentActor,
    source: Annotated[str, Form()] = "",
) -> ImportJobRead:
    data = read_upload(file, max_bytes=MAX_UPLOAD_BYTES)
    job = imports.start_signal_import(
        session, actor=actor, filename=file.filename or "signals.csv", data=data, source=source
    )
    return ImportJobRead.model_validate(job)


@router.post("/run", response_model=SilentRunRead)
def run_silent(session: SessionDep, actor: CurrentActor) -> SilentRunRead:
    actor.require(Permission.MANAGE_REGIONS)
    run = service.certify_silently(session, actor=actor)
    return SilentRunRead(certified=run.certified, by_source=run.by_source)


@router.post("/certifications/{certification_id}/reverse", response_model=ReversalRead)
def reverse(
    certification_id: int, body: Reversal, session: SessionDep, actor: CurrentActor
) -> ReversalRead:
    cert = reversal.reverse_silent(
        session, actor=actor, certification_id=certification_id, reason=body.reason
    )
    retiree = session.get_one(Retiree, cert.retiree_id)
    return ReversalRead(
        certification_id=cert.id, retiree_id=retiree.id, cert_state=retiree.cert_state.value
    )


@router.get("/report", response_model=SilentReport)
def report(session: SessionDep, actor: CurrentActor, days: int = 365) -> SilentReport:
    since = utcnow() - timedelta(days=max(1, min(days, 3660)))
    regions = reports.silent_share_by_region(session, actor=actor, since=since)
    quality = (
        reports.source_quality(session, actor=actor)
        if actor.can(Permission.TRIAGE_ALERTS)
        else []
    )
    return SilentReport(
        regions=[
            RegionShareRead(region_id=r.region_id, name=r.name, certified=r.certified,
                            silent=r.silent, share=round(r.share, 4))
            for r in regions
        ],
        by_source=reports.silent_by_source(session, actor=actor, since=since),
        sources=[
            SourceQualityRead(code=q.code, name=q.name, silent=q.silent, dead=q.dead,
                              flagged=q.flagged)
            for q in quality
        ],
    )
