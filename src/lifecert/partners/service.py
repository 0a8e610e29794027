"""Partners: register, keys, return URLs, webhook subscriptions, the event outbox.

Other domains call :func:`emit_event` (or rely on ``partners.events``, which watches the
changes that matter) — it only adds an outbox row in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.queue import enqueue_after_commit
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.partners.keys import issue_key, revoke_key
from lifecert.partners.models import (
    EventType,
    Partner,
    PartnerEvent,
    PartnerKey,
    WebhookSubscription,
)
from lifecert.partners.signing import new_signing_secret, seal_secret

__all__ = [
    "add_subscription",
    "create_partner",
    "emit_event",
    "issue_key",
    "list_partners",
    "revoke_key",
    "rotate_signing_secret",
]


def _checked_urls(text: str) -> str:
    urls = [u.strip() for u in text.splitlines() if u.strip()]
    for url in urls:
        check_url(url)
    return "\n".join(urls)


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 500:
        raise InvalidInput("Give a full http(s) address: {url}", params={"url": url[:80]})


def create_partner(
    session: Session, *, actor: Actor, code: str, name: str, return_urls: str = "",
    signal_source_code: str = "",
) -> tuple[Partner, str]:
    """A partner and its signing secret (shown once)."""
    actor.require(Permission.MANAGE_REGIONS)
    code = code.strip().lower()
    if not code or len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput("The code is 1-32 letters, digits, - or _.")
    if session.scalar(select(Partner.id).where(Partner.code == code)) is not None:
        raise Conflict("A partner with this code exists.")
    key_id, secret = new_signing_secret()
    partner = Partner(code=code, name=name.strip()[:100] or code, signing_key_id=key_id,
                      signing_secret_enc=seal_secret(secret, key_id),
                      return_urls=_checked_urls(return_urls),
                      signal_source_code=signal_source_code.strip()[:32])
    session.add(partner)
    session.flush()
    record(session, actor=actor, action="partner.created", target_type="partner",
           target_id=partner.id, details={"code": code})
    return partner, secret


def rotate_signing_secret(session: Session, *, actor: Actor, partner_id: int) -> str:
    actor.require(Permission.MANAGE_REGIONS)
    partner = get_partner(session, partner_id=partner_id)
    partner.signing_key_id, secret = new_signing_secret()
    partner.signing_secret_enc = seal_secret(secret, partner.signing_key_id)
    record(session, actor=actor, action="partner.secret_rotated", target_type="partner",
           target_id=partner.id, details={"signing_key_id": partner.signing_key_id})
    return secret


def set_return_urls(session: Session, *, actor: Actor, partner_id: int, urls: str) -> Partner:
    actor.require(Permission.MANAGE_REGIONS)
    partner = get_partner(session, partner_id=partner_id)
    partner.return_urls = _checked_urls(urls)
    record(session, actor=actor, action="partner.return_urls", target_type="partner",
           target_id=partner.id)
    return partner


def get_partner(session: Session, *, partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id) if 0 < partner_id < 2**63 else None
    if partner is None:
        raise NotFound("No such partner.")
    return partner


def list_partners(session: Session, *, actor: Actor) -> Sequence[Partner]:
    actor.require(Permission.MANAGE_REGIONS)
    return session.scalars(select(Partner).order_by(Partner.code)).all()


def keys_of(session: Session, *, partner_id: int) -> Sequence[PartnerKey]:
    return session.scalars(
        select(PartnerKey).where(PartnerKey.partner_id == partner_id).order_by(PartnerKey.id)
    ).all()


def add_subscription(
    session: Session, *, partner_id: int, url: str, event_types: list[EventType],
    region_ids: list[int], actor: Actor,
) -> WebhookSubscription:
    """Events of these types about people in these regions (the key's regions) go to ``url``."""
    check_url(url)
    if not event_types:
        raise InvalidInput("Choose at least one event type.")
    subscription = WebhookSubscription(
        partner_id=partner_id, url=url, event_types=sorted({e.value for e in event_types}),
        region_ids=sorted(set(region_ids)),
    )
    session.add(subscription)
    session.flush()
    record(session, actor=actor, action="partner.subscribed", target_type="partner",
           target_id=partner_id, details={"subscription_id": subscription.id, "url": url})
    return subscription


def subscriptions_of(session: Session, *, partner_id: int) -> Sequence[WebhookSubscription]:
    return session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.partner_id == partner_id, WebhookSubscription.active)
        .order_by(WebhookSubscription.id)
    ).all()


def own_subscription(
    session: Session, *, partner_id: int, subscription_id: int
) -> WebhookSubscription:
    subscription = (
        session.get(WebhookSubscription, subscription_id) if 0 < subscription_id < 2**63 else None
    )
    if subscription is None or subscription.partner_id != partner_id:
        raise NotFound("No such subscription.")
    return subscription


def emit_event(
    session: Session, *, type: EventType, retiree_id: int | None, region_path: str,
    payload: dict[str, Any],
) -> PartnerEvent:
    """An outbox row in the caller's transaction; fanned out to subscriptions after commit."""
    event = PartnerEvent(event_id=f"evt_{uuid.uuid4().hex}", type=type, retiree_id=retiree_id,
                         region_path=region_path, payload=payload)
    session.add(event)
    # One fan-out per transaction, however many events it writes (a nightly run may suspend
    # thousands); the minute job catches any that a lost task missed.
    transaction = session.get_transaction()
    if session.info.get("partners_fan_out_tx") is not transaction:
        session.info["partners_fan_out_tx"] = transaction
        enqueue_after_commit(session, "partners.fan_out")
    return event


def emit_for_retirees(session: Session, *, type: EventType, retiree_ids: list[int]) -> int:
    """Events for a bulk change (an ``UPDATE`` over many rows, which the flush watcher in
    ``partners.events`` cannot see): one per person, in the caller's transaction."""
    from lifecert.organisation.models import Region
    from lifecert.retirees.models import Retiree

    for chunk in (retiree_ids[i: i + 1000] for i in range(0, len(retiree_ids), 1000)):
        rows = session.execute(
            select(Retiree.id, Retiree.status, Retiree.cert_state, Retiree.valid_until,
                   Region.path).join(Region, Region.id == Retiree.community_id)
            .where(Retiree.id.in_(chunk))
        ).all()
        for row in rows:
            emit_event(session, type=type, retiree_id=row.id, region_path=row.path,
                       payload={"retiree_id": row.id, "status": str(row.status),
                                "cert_state": str(row.cert_state),
                                "valid_until": row.valid_until.isoformat()
                                if row.valid_until else None})
    return len(retiree_ids)
