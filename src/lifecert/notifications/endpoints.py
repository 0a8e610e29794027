"""Notification API: campaigns (preview, send, results) and one retiree's messages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from lifecert.identity.deps import CurrentActor, SessionDep
from lifecert.notifications import campaigns, service
from lifecert.notifications.results import campaign_results
from lifecert.notifications.schemas import (
    CampaignCreate,
    CampaignPreview,
    CampaignRead,
    CampaignResults,
    NotificationRead,
)

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


@router.get("/campaigns", response_model=list[CampaignRead])
def list_campaigns(
    session: SessionDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CampaignRead]:
    rows = campaigns.list_campaigns(session, actor=actor, limit=limit)
    return [CampaignRead.model_validate(c) for c in rows]


@router.post("/campaigns/preview", response_model=CampaignPreview)
def preview_campaign(
    data: CampaignCreate, session: SessionDep, actor: CurrentActor
) -> CampaignPreview:
    return campaigns.preview_campaign(session, actor=actor, data=data)


@router.post("/campaigns", response_model=CampaignRead, status_code=201)
def send_campaign(data: CampaignCreate, session: SessionDep, actor: CurrentActor) -> CampaignRead:
    return CampaignRead.model_validate(campaigns.send_campaign(session, actor=actor, data=data))


@router.get("/campaigns/{campaign_id}", response_model=CampaignResults)
def get_campaign(
    campaign_id: int,
    session: SessionDep,
    actor: CurrentActor,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CampaignResults:
    return campaign_results(
        session, actor=actor, campaign_id=campaign_id, offset=offset, limit=limit
    )


@router.get("/retirees/{retiree_id}", response_model=list[NotificationRead])
def retiree_notifications(
    retiree_id: int,
    session: SessionDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[NotificationRead]:
    return service.list_notifications_for_retiree(
        session, actor=actor, retiree_id=retiree_id, limit=limit
    )


@router.post(
    "/retirees/{retiree_id}/reminders", response_model=list[NotificationRead], status_code=201
)
def send_reminder(
    retiree_id: int, session: SessionDep, actor: CurrentActor
) -> list[NotificationRead]:
    return service.send_reminder(session, actor=actor, retiree_id=retiree_id)
