"""Small builders for notification tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.notifications import channels
from lifecert.notifications.models import ChannelName, DeliveryStatus, OutboxMessage
from lifecert.notifications.schemas import Audience, CampaignCreate
from lifecert.organisation.models import Region, Staff
from lifecert.retirees.models import CertState, Retiree
from tests.builders import make_city, make_community, make_retiree, make_staff


def retiree_in(
    session: Session,
    community: Region,
    *,
    name: str = "张三",
    state: CertState = CertState.CERTIFIED,
    valid_until: date | None = None,
    birth: date = date(1950, 3, 7),
) -> Retiree:
    retiree = make_retiree(session, community=community, name=name, birth=birth)
    retiree.cert_state, retiree.valid_until = state, valid_until
    session.flush()
    return retiree


def two_communities(session: Session) -> tuple[Region, Region]:
    city = make_city(session)
    return make_community(session, city=city), make_community(session, city=city)


def worker_for(session: Session, *communities: Region, phone: str = "") -> Staff:
    staff = make_staff(session, role=Role.COMMUNITY_WORKER, regions=list(communities))
    staff.phone = phone
    session.flush()
    return staff


def campaign_data(**audience: object) -> CampaignCreate:
    return CampaignCreate(
        name="提醒",
        audience=Audience.model_validate(audience),
        template_zh="{name}您好，认证有效期至{valid_until}，{community}电话{phone_of_community}。",
        template_en="Dear {name}, valid until {valid_until}. {community}: {phone_of_community}.",
        channels=[ChannelName.INBOX, ChannelName.SMS],
    )


def outbox(session: Session, **where: object) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    for column, value in where.items():
        stmt = stmt.where(getattr(OutboxMessage, column) == value)
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


class FlakyChannel:
    """Fails the first ``failures`` sends with an exception, then succeeds."""

    calls = 0

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def send(self, recipient: channels.Recipient, text: str) -> DeliveryStatus:
        FlakyChannel.calls += 1
        if FlakyChannel.calls <= self.failures:
            raise channels.TransientChannelError("gateway timeout")
        return DeliveryStatus.SENT


@contextmanager
def channel_override(name: ChannelName, channel: channels.Channel) -> Iterator[None]:
    previous = channels.register_channel(name, lambda: channel)
    try:
        yield
    finally:
        channels.register_channel(name, previous)
