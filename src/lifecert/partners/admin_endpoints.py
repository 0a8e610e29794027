"""Partner administration for platform staff: partners, keys, dead letters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from lifecert.core.roles import Permission
from lifecert.identity.deps import CurrentActor, SessionDep
from lifecert.partners import keys, service, webhooks
from lifecert.partners.schemas import (
    DeadLetterRead,
    KeyCreate,
    KeyCreated,
    PartnerCreate,
    PartnerCreated,
    PartnerRead,
)

router = APIRouter(prefix="/api/v1/partners", tags=["partner administration"])
ID = Path(ge=1, le=2**63 - 1)


@router.get("", response_model=list[PartnerRead])
def list_partners(session: SessionDep, actor: CurrentActor) -> list[PartnerRead]:
    return [PartnerRead.model_validate(p) for p in service.list_partners(session, actor=actor)]


@router.post("", response_model=PartnerCreated, status_code=201)
def create_partner(body: PartnerCreate, session: SessionDep, actor: CurrentActor
                   ) -> PartnerCreated:
    partner, secret = service.create_partner(
        session, actor=actor, code=body.code, name=body.name,
        return_urls="\n".join(body.return_urls), signal_source_code=body.signal_source_code)
    return PartnerCreated(id=partner.id, code=partner.code,
                          signing_key_id=partner.signing_key_id, signing_secret=secret)


@router.post("/{partner_id}/keys", response_model=KeyCreated, status_code=201)
def issue_key(partner_id: Annotated[int, ID], body: KeyCreate, session: SessionDep,
              actor: CurrentActor) -> KeyCreated:
    actor.require(Permission.MANAGE_REGIONS)
    partner = service.get_partner(session, partner_id=partner_id)
    key, token = keys.issue_key(session, actor=actor, partner=partner, scopes=body.scopes,
                                region_ids=body.region_ids, days=body.days, label=body.label,
                                rate_per_minute=body.rate_per_minute)
    return KeyCreated(key_id=key.key_id, token=token, expires_at=key.expires_at)


@router.post("/keys/{key_id}/revoke", status_code=204)
def revoke_key(key_id: Annotated[str, Path(max_length=24)], session: SessionDep,
               actor: CurrentActor) -> None:
    actor.require(Permission.MANAGE_REGIONS)
    keys.revoke_key(session, actor=actor, key_id=key_id)


@router.get("/dead-letters", response_model=list[DeadLetterRead])
def dead_letters(session: SessionDep, actor: CurrentActor) -> list[DeadLetterRead]:
    return [
        DeadLetterRead(id=d.id, subscription_id=s.id, partner_id=s.partner_id, url=s.url,
                       event_id=e.event_id, event_type=e.type.value, attempts=d.attempts,
                       last_status=d.last_status, last_error=d.last_error)
        for d, s, e in webhooks.dead_letters(session, actor=actor)
    ]


@router.post("/dead-letters/{delivery_id}/replay", status_code=202)
def replay(delivery_id: Annotated[int, ID], session: SessionDep, actor: CurrentActor
           ) -> dict[str, int]:
    delivery = webhooks.replay(session, actor=actor, delivery_id=delivery_id)
    return {"id": delivery.id}
