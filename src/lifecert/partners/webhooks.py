"""Webhook deliveries: fan the outbox out to subscriptions, POST each event signed, retry
with exponential backoff for 24 hours, then keep it as a dead letter an admin can replay.

Receivers get, on every attempt of one event, the same ``LifeCert-Event-Id``: a delivery that
timed out on our side may still have reached them, so they must ignore an id they have
already processed (docs/partners.md). The signature is HMAC-SHA256 with the partner's signing
secret over ``timestamp + "." + body`` (headers ``LifeCert-Timestamp``, ``LifeCert-Signature:
v1=<hex>``, ``LifeCert-Key-Id``).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, NotFound
from lifecert.core.queue import enqueue_after_commit
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.core.settings import get_settings
from lifecert.organisation.models import Region
from lifecert.partners.models import (
    DeliveryStatus,
    Partner,
    PartnerEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from lifecert.partners.signing import secret_of, webhook_signature

RETRY_WINDOW = timedelta(hours=24)
FIRST_RETRY_S = 30  # then 60, 120, ... capped below
MAX_RETRY_S = 3 * 3600
TIMEOUT_S = 10.0
USER_AGENT = "LifeCert-Webhooks/1"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(FIRST_RETRY_S * 2 ** max(attempts - 1, 0), MAX_RETRY_S))


def _covers(session: Session, subscription: WebhookSubscription, path: str) -> bool:
    paths = session.scalars(select(Region.path).where(Region.id.in_(subscription.region_ids)))
    return any(path.startswith(p) for p in paths)


def fan_out(session: Session) -> list[int]:
    """New deliveries for events not yet fanned out; returns their ids (to send now)."""
    events = session.scalars(
        select(PartnerEvent).where(PartnerEvent.fanned_out.is_(False))
        .order_by(PartnerEvent.id).limit(1000).with_for_update(skip_locked=True)
    ).all()
    subscriptions = session.scalars(
        select(WebhookSubscription).where(WebhookSubscription.active)
    ).all()
    created = []
    for event in events:
        for subscription in subscriptions:
            if event.type.value in subscription.event_types and _covers(
                session, subscription, event.region_path
            ):
                delivery = WebhookDelivery(subscription_id=subscription.id, event_id=event.id)
                session.add(delivery)
                session.flush()
                created.append(delivery.id)
        event.fanned_out = True
    for delivery_id in created:
        enqueue_after_commit(session, "partners.deliver", delivery_id=delivery_id)
    return created


def body_of(event: PartnerEvent) -> bytes:
    return json.dumps({"id": event.event_id, "type": event.type.value,
                       "created_at": event.created_at.isoformat(), "data": event.payload},
                      separators=(",", ":"), sort_keys=True).encode()


def internal_host(url: str) -> bool:
    """The address resolves to this machine or the city's internal network (loopback, private,
    link-local such as a cloud metadata service, reserved): a partner's webhook must not make
    LifeCert call inside its own network. Unresolvable names are left to fail on sending."""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if (address.is_private or address.is_loopback or address.is_link_local
                or address.is_reserved or address.is_multicast or address.is_unspecified):
            return True
    return False


def _send(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    # Outside dev and test (where the receiver runs on this machine) internal addresses are
    # refused on every attempt, not only when subscribing: a name can be re-pointed later.
    if not get_settings().is_dev and internal_host(url):
        return None, "refused: the address is inside LifeCert's own network"
    try:
        return httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_S,
                          follow_redirects=False).status_code, ""
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:255]


def deliver(session: Session, *, delivery_id: int) -> DeliveryStatus | None:
    """One attempt (the row stays locked meanwhile, so two workers never send it at once)."""
    delivery = session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
        .with_for_update(skip_locked=True)
    )
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None  # sent, dead, or being sent by another worker
    subscription = session.get_one(WebhookSubscription, delivery.subscription_id)
    partner = session.get_one(Partner, subscription.partner_id)
    event = session.get_one(PartnerEvent, delivery.event_id)
    body, now = body_of(event), int(time.time())
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "LifeCert-Event-Id": event.event_id, "LifeCert-Event-Type": event.type.value,
        "LifeCert-Key-Id": partner.signing_key_id, "LifeCert-Timestamp": str(now),
        "LifeCert-Signature": f"v1={webhook_signature(secret_of(partner), now, body)}",
        "LifeCert-Delivery-Attempt": str(delivery.attempts + 1),
    }
    started = time.monotonic()
    status, error = _send(subscription.url, body, headers)
    _record_attempt(session, delivery, status, error, int((time.monotonic() - started) * 1000))
    return delivery.status


def _record_attempt(
    session: Session, delivery: WebhookDelivery, status: int | None, error: str, ms: int
) -> None:
    now = utcnow()
    session.add(WebhookAttempt(delivery_id=delivery.id, at=now, status_code=status,
                               error=error, ms=ms))
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = status, error
    if status is not None and 200 <= status < 300:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
        return
    retry_at = now + backoff(delivery.attempts)
    if retry_at - delivery.created_at > RETRY_WINDOW:
        delivery.status = DeliveryStatus.DEAD
    else:
        delivery.next_attempt_at = retry_at


def due_deliveries(session: Session, *, now: datetime | None = None) -> list[int]:
    return list(session.scalars(
        select(WebhookDelivery.id).where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= (now or utcnow()),
        ).order_by(WebhookDelivery.next_attempt_at).limit(500)
    ))


def dead_letters(session: Session, *, actor: Actor, partner_id: int | None = None
                 ) -> Sequence[tuple[WebhookDelivery, WebhookSubscription, PartnerEvent]]:
    actor.require(Permission.MANAGE_REGIONS)
    stmt = (
        select(WebhookDelivery, WebhookSubscription, PartnerEvent)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .join(PartnerEvent, PartnerEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.status == DeliveryStatus.DEAD)
        .order_by(WebhookDelivery.id.desc()).limit(500)
    )
    if partner_id is not None:
        stmt = stmt.where(WebhookSubscription.partner_id == partner_id)
    return [(d, s, e) for d, s, e in session.execute(stmt).all()]


def replay(session: Session, *, actor: Actor, delivery_id: int) -> WebhookDelivery:
    """A dead letter goes out again now, with a fresh 24-hour retry window."""
    actor.require(Permission.MANAGE_REGIONS)
    delivery = session.get(WebhookDelivery, delivery_id) if 0 < delivery_id < 2**63 else None
    if delivery is None:
        raise NotFound("No such delivery.")
    if delivery.status != DeliveryStatus.DEAD:
        raise Conflict("Only a dead letter can be replayed.")
    now = utcnow()
    delivery.status, delivery.created_at, delivery.next_attempt_at = (
        DeliveryStatus.PENDING, now, now)
    record(session, actor=actor, action="partner.webhook_replayed", target_type="webhook_delivery",
           target_id=delivery.id)
    enqueue_after_commit(session, "partners.deliver", delivery_id=delivery.id)
    return delivery


def delivery_log(session: Session, *, subscription_id: int, limit: int = 100
                 ) -> Sequence[tuple[WebhookDelivery, PartnerEvent]]:
    rows = session.execute(
        select(WebhookDelivery, PartnerEvent)
        .join(PartnerEvent, PartnerEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.id.desc()).limit(limit)
    ).all()
    return [(d, e) for d, e in rows]
