"""A campaign's results: totals per channel and status, and each recipient's statuses."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.notifications.campaigns import get_campaign
from lifecert.notifications.models import ChannelName, OutboxMessage
from lifecert.notifications.schemas import CampaignRead, CampaignResults, RecipientResult
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree
from lifecert.retirees.service import scoped_retirees


def campaign_results(
    session: Session, *, actor: Actor, campaign_id: int, offset: int = 0, limit: int = 100
) -> CampaignResults:
    campaign = get_campaign(session, actor=actor, campaign_id=campaign_id)
    # Recipients are shown only within the viewer's own regions (the scoping helper again).
    people = scoped_retirees(actor, Permission.READ_RETIREES).with_only_columns(Retiree.id)
    mine = (OutboxMessage.campaign_id == campaign.id, OutboxMessage.retiree_id.in_(people))
    totals: dict[str, dict[str, int]] = {}
    for channel, status, n in session.execute(
        select(OutboxMessage.channel, OutboxMessage.status, func.count())
        .where(*mine)
        .group_by(OutboxMessage.channel, OutboxMessage.status)
    ):
        totals.setdefault(channel.value, {})[status.value] = n
    read_count = (
        session.scalar(
            select(func.count()).where(
                *mine,
                OutboxMessage.channel == ChannelName.INBOX,
                OutboxMessage.read_at.is_not(None),
            )
        )
        or 0
    )
    ids = select(OutboxMessage.retiree_id).where(*mine).distinct()
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    page = list(
        session.scalars(
            ids.order_by(OutboxMessage.retiree_id).offset(offset).limit(min(limit, 500))
        )
    )
    return CampaignResults(
        campaign=CampaignRead.model_validate(campaign),
        totals=totals,
        read_count=read_count,
        recipients=_recipient_rows(session, campaign.id, page),
        recipients_total=total,
    )


def _recipient_rows(
    session: Session, campaign_id: int, retiree_ids: list[int]
) -> list[RecipientResult]:
    people = {
        rid: (name, community)
        for rid, name, community in session.execute(
            select(Retiree.id, Retiree.name, Region.name)
            .join(Region, Region.id == Retiree.community_id)
            .where(Retiree.id.in_(retiree_ids))
        )
    }
    results = {
        rid: RecipientResult(
            retiree_id=rid,
            name=people[rid][0],
            community=people[rid][1],
            statuses={},
            errors={},
            read=False,
        )
        for rid in retiree_ids
    }
    for message in session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.campaign_id == campaign_id, OutboxMessage.retiree_id.in_(retiree_ids)
        )
    ):
        row = results[message.retiree_id]
        row.statuses[message.channel.value] = message.status
        if message.last_error:
            row.errors[message.channel.value] = message.last_error
        if message.channel == ChannelName.INBOX and message.read_at is not None:
            row.read = True
    return [results[rid] for rid in retiree_ids]
