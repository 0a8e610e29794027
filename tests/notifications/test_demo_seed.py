"""The demo city comes with one sent campaign, its messages in demo retirees' inboxes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.demo import DemoSize, build_demo
from lifecert.notifications.models import Campaign, ChannelName, DeliveryStatus, OutboxMessage


def test_demo_has_a_sent_campaign_with_inbox_messages(session: Session) -> None:
    demo = build_demo(session, size=DemoSize(retirees=400), seed=7, today=date(2026, 11, 27))
    [campaign] = session.scalars(select(Campaign)).all()
    assert campaign.created_by == demo.staff["worker"].id and campaign.recipient_count > 0
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.campaign_id == campaign.id))
    rows = list(rows)
    assert len(rows) == campaign.recipient_count
    assert {(m.channel, m.status) for m in rows} == {(ChannelName.INBOX, DeliveryStatus.DELIVERED)}
    assert sum(m.read_at is not None for m in rows) == min(2, len(rows))
    assert all("您好" in m.text and "{" not in m.text for m in rows)
