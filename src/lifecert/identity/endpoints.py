from __future__ import annotations

from fastapi import APIRouter

from lifecert.identity import service
from lifecert.identity.deps import CurrentActor, SessionDep
from lifecert.identity.schemas import TokenCreate, TokenCreated
from lifecert.organisation.models import Staff

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenCreate, session: SessionDep, actor: CurrentActor) -> TokenCreated:
    staff = session.get_one(Staff, actor.staff_id)
    token, secret = service.create_api_token(
        session, staff=staff, name=body.name, valid_days=body.valid_days
    )
    return TokenCreated(id=token.id, name=token.name, token=secret, expires_at=token.expires_at)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, session: SessionDep, actor: CurrentActor) -> None:
    service.revoke_api_token(session, actor=actor, token_id=token_id)
