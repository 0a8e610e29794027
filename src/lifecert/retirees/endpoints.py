"""Retiree API: thin routes over the service; scoping happens in the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, UploadFile

from lifecert.core.uploads import read_upload
from lifecert.identity.deps import CurrentActor, SessionDep
from lifecert.retirees import imports, service
from lifecert.retirees.models import CertState
from lifecert.retirees.schemas import (
    IdNumberRead,
    ImportJobRead,
    RetireeCreate,
    RetireeList,
    RetireeRead,
    RetireeUpdate,
    TransferCreate,
    TransferRead,
)

router = APIRouter(prefix="/api/v1/retirees", tags=["retirees"])
imports_router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


@router.get("", response_model=RetireeList)
def list_retirees(
    session: SessionDep,
    actor: CurrentActor,
    cert_state: CertState | None = None,
    name: str | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> RetireeList:
    rows, total = service.list_retirees(
        session, actor=actor, cert_state=cert_state, name_prefix=name, offset=offset, limit=limit
    )
    items = [RetireeRead.model_validate(r) for r in rows]
    return RetireeList(items=items, total=total, offset=offset, limit=limit)


@router.post("", response_model=RetireeRead, status_code=201)
def create_retiree(body: RetireeCreate, session: SessionDep, actor: CurrentActor) -> RetireeRead:
    retiree = service.create_retiree(
        session, actor=actor, data=service.NewRetiree(**body.model_dump())
    )
    return RetireeRead.model_validate(retiree)


@router.get("/{retiree_id}", response_model=RetireeRead)
def get_retiree(retiree_id: int, session: SessionDep, actor: CurrentActor) -> RetireeRead:
    return RetireeRead.model_validate(
        service.get_retiree(session, actor=actor, retiree_id=retiree_id)
    )


@router.patch("/{retiree_id}", response_model=RetireeRead)
def update_retiree(
    retiree_id: int, body: RetireeUpdate, session: SessionDep, actor: CurrentActor
) -> RetireeRead:
    retiree = service.update_retiree_notes(
        session, actor=actor, retiree_id=retiree_id, notes=body.notes
    )
    return RetireeRead.model_validate(retiree)


@router.post("/{retiree_id}/transfer", response_model=TransferRead, status_code=201)
def transfer_retiree(
    retiree_id: int, body: TransferCreate, session: SessionDep, actor: CurrentActor
) -> TransferRead:
    transfer = service.transfer_retiree(
        session,
        actor=actor,
        retiree_id=retiree_id,
        to_community_id=body.to_community_id,
        reason=body.reason,
    )
    return TransferRead.model_validate(transfer)


@router.get("/{retiree_id}/transfers", response_model=list[TransferRead])
def list_transfers(retiree_id: int, session: SessionDep, actor: CurrentActor) -> list[TransferRead]:
    rows = service.list_transfers(session, actor=actor, retiree_id=retiree_id)
    return [TransferRead.model_validate(t) for t in rows]


@imports_router.post("/roster", response_model=ImportJobRead, status_code=202)
def upload_roster(
    file: UploadFile, session: SessionDep, actor: CurrentActor
) -> ImportJobRead:
    data = read_upload(file, max_bytes=imports.MAX_UPLOAD_BYTES)
    job = imports.start_roster_import(
        session, actor=actor, filename=file.filename or "roster.csv", data=data
    )
    return ImportJobRead.model_validate(job)


@imports_router.get("/{job_id}", response_model=ImportJobRead)
def get_import(job_id: int, session: SessionDep, actor: CurrentActor) -> ImportJobRead:
    return ImportJobRead.model_validate(imports.get_import_job(session, actor=actor, job_id=job_id))


@imports_router.get("/{job_id}/errors.csv")
def import_errors(job_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    text = imports.error_report_csv(session, actor=actor, job_id=job_id)
    return Response(
        text.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}-errors.csv"'},
    )


@router.get("/{retiree_id}/id-number", response_model=IdNumberRead)
def reveal_id_number(retiree_id: int, session: SessionDep, actor: CurrentActor) -> IdNumberRead:
    number = service.reveal_id_number(session, actor=actor, retiree_id=retiree_id)
    return IdNumberRead(id_number=number)
