"""Demo data: one sent campaign whose messages wait in a few demo retirees' phone inboxes."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.core.i18n import N_, translations_for
from lifecert.notifications import campaigns
from lifecert.notifications.labels import DEFAULT_TEMPLATE
from lifecert.notifications.models import Campaign, ChannelName, OutboxMessage
from lifecert.notifications.schemas import Audience, AudienceGroup, CampaignCreate
from lifecert.notifications.service import deliver_message
from lifecert.organisation.service import actor_for

if TYPE_CHECKING:
    from lifecert.organisation.demo import DemoCity

DEMO_NAME = N_("Reminder: certification due within 30 days")


def seed_demo_notifications(
    session: Session, demo: DemoCity, *, today: date, worker: str = "worker"
) -> Campaign | None:
    """The demo worker reminds the over-80s of their first community whose certification
    ends within 30 days; the inbox messages are delivered at once (no SMS to made-up numbers),
    and the first two are marked read so the results page shows both states."""
    staff = demo.staff.get(worker)
    if staff is None or not staff.regions:
        return None
    actor = actor_for(staff)
    community = staff.regions[0].id
    # Small demo cities may have no over-80 due soon: widen the group until someone matches.
    for audience in (
        Audience(group=AudienceGroup.DUE_WITHIN, age_min=80, region_id=community),
        Audience(group=AudienceGroup.DUE_WITHIN, region_id=community),
        Audience(group=AudienceGroup.ALL, region_id=community),
    ):
        data = CampaignCreate(
            name=translations_for("zh_CN").gettext(DEMO_NAME),
            audience=audience,
            template_zh=translations_for("zh_CN").gettext(DEFAULT_TEMPLATE),
            template_en=DEFAULT_TEMPLATE,
            channels=[ChannelName.INBOX],
        )
        if campaigns.preview_campaign(session, actor=actor, data=data, today=today).count:
            break
    else:
        return None
    campaign = campaigns.send_campaign(session, actor=actor, data=data, today=today)
    campaigns.materialise(session, campaign_id=campaign.id)  # the queued job then finds all
    ids = list(
        session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.campaign_id == campaign.id)
            .order_by(OutboxMessage.id)
        )
    )
    for outbox_id in ids:
        deliver_message(session, outbox_id=outbox_id)
    for message in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids[:2]))):
        message.read_at = utcnow()
    session.flush()
    return campaign
