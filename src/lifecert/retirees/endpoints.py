"""Retiree API: thin routes over the service; scoping happens in the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from lifecert.identity.deps import CurrentActor, SessionDep
from lifecert.retirees import service
from lifecert.retirees.models import CertState
from lifecert.retirees.schemas import (
    IdNumberRead,
    RetireeCreate,
    RetireeList,
    RetireeRead,
    RetireeUpdate,
)

router = APIRouter(prefix="/api/v1/retirees", tags=["retirees"])


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


@router.get("/{retiree_id}/id-number", response_model=IdNumberRead)
def reveal_id_number(retiree_id: int, session: SessionDep, actor: CurrentActor) -> IdNumberRead:
    number = service.reveal_id_number(session, actor=actor, retiree_id=retiree_id)
    return IdNumberRead(id_number=number)
