"""Webhooks against a real receiving server: signatures verify, 500s are retried with
backoff, a dead letter is replayed by an admin, and a late success does not make the
receiver process an event twice (it dedupes by LifeCert-Event-Id)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.core.roles import Role
from lifecert.partners import service, tasks, webhooks
from lifecert.partners.models import (
    DeliveryStatus,
    EventType,
    PartnerEvent,
    WebhookAttempt,
    WebhookDelivery,
)
from lifecert.retirees.models import RetireeStatus
from tests.builders import admin_actor, login, make_staff
from tests.partners.helpers import World, build_world
from tests.partners.receiver import Receiver, receiving


def _subscribe(session: Session, world: World, url: str) -> None:
    service.add_subscription(session, partner_id=world.partner.id, url=url,
                             event_types=list(EventType), region_ids=[world.district_a.id],
                             actor=admin_actor())


def _suspend(session: Session, world: World) -> WebhookDelivery:
    """A status change writes the outbox in its transaction; the fan-out makes the delivery."""
    world.in_a.status = RetireeStatus.SUSPENDED
    world.in_b.status = RetireeStatus.SUSPENDED  # outside the subscription's regions
    session.flush()
    events = session.scalars(select(PartnerEvent).where(PartnerEvent.fanned_out.is_(False)))
    assert {(e.type, e.retiree_id) for e in events} == {
        (EventType.SUSPENDED, world.in_a.id), (EventType.SUSPENDED, world.in_b.id)}
    created = webhooks.fan_out(session)
    assert len(created) == 1
    return session.get_one(WebhookDelivery, created[0])


def _make_due(session: Session) -> None:
    session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow()))


def test_signature_verifies_and_body_names_the_event(session: Session) -> None:
    world = build_world(session)
    with receiving(world.secret) as receiver:
        _subscribe(session, world, receiver.url)
        delivery = _suspend(session, world)
        assert webhooks.deliver(session, delivery_id=delivery.id) == DeliveryStatus.DELIVERED
    assert receiver.bad_signatures == 0 and len(receiver.received) == 1
    headers = receiver.received[0]
    assert headers["lifecert-key-id"] == world.partner.signing_key_id
    body = json.loads(next(iter(receiver.processed.values())))
    assert body["type"] == "suspended" and body["data"]["retiree_id"] == world.in_a.id
    assert body["id"] == headers["lifecert-event-id"]
    assert not {"id_number", "vector", "embedding"} & set(body["data"])


def test_a_wrong_secret_does_not_verify(session: Session) -> None:
    world = build_world(session)
    with receiving("lcs_not-the-secret") as receiver:
        _subscribe(session, world, receiver.url)
        delivery = _suspend(session, world)
        assert webhooks.deliver(session, delivery_id=delivery.id) == DeliveryStatus.PENDING
    assert receiver.bad_signatures == 1 and not receiver.processed


def test_500s_are_retried_with_backoff(session: Session) -> None:
    world = build_world(session)
    with receiving(world.secret, ["500", "500"]) as receiver:
        _subscribe(session, world, receiver.url)
        delivery = _suspend(session, world)
        before = utcnow()
        assert webhooks.deliver(session, delivery_id=delivery.id) == DeliveryStatus.PENDING
        session.flush()  # as the job's commit would: the sweep below reads it
        first_wait = delivery.next_attempt_at - before
        tasks.deliver_due.apply().get()  # not due yet: nothing sent
        assert len(receiver.received) == 1
        _make_due(session)
        tasks.deliver_due.apply().get()
        session.refresh(delivery)
        second_wait = delivery.next_attempt_at - utcnow()
        _make_due(session)
        tasks.deliver_due.apply().get()
        session.refresh(delivery)
    assert timedelta(seconds=25) < first_wait <= timedelta(seconds=31)
    assert second_wait > first_wait  # exponential
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
    log = [a.status_code for a in session.scalars(
        select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
        .order_by(WebhookAttempt.id))]
    assert log == [500, 500, 200]
    assert len(receiver.processed) == 1
    assert len({h["lifecert-event-id"] for h in receiver.received}) == 1


def test_dead_letter_after_24h_and_admin_replay(client: TestClient, session: Session) -> None:
    world = build_world(session)
    with receiving(world.secret, ["500"]) as receiver:
        _subscribe(session, world, receiver.url)
        delivery = _suspend(session, world)
        delivery.created_at = utcnow() - timedelta(hours=24)
        assert webhooks.deliver(session, delivery_id=delivery.id) == DeliveryStatus.DEAD
        session.flush()
        admin = make_staff(session, role=Role.PLATFORM_ADMIN)
        session.flush()
        token = login(client, admin.username)
        headers = {"X-CSRF-Token": token}
        dead = client.get("/api/v1/partners/dead-letters").json()
        assert [d["id"] for d in dead] == [delivery.id]
        page = client.get("/partners/dead-letters")
        assert page.status_code == 200 and receiver.url in page.text
        assert client.post(f"/api/v1/partners/dead-letters/{delivery.id}/replay",
                           headers=headers).status_code == 202
        session.refresh(delivery)
        assert delivery.status == DeliveryStatus.PENDING
        tasks.deliver_due.apply().get()  # what the queue does after the replay commits
        session.refresh(delivery)
        again = client.post(f"/api/v1/partners/dead-letters/{delivery.id}/replay",
                            headers=headers)
    assert delivery.status == DeliveryStatus.DELIVERED and len(receiver.processed) == 1
    assert again.status_code == 409


def test_late_success_is_not_processed_twice(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "TIMEOUT_S", 0.4)
    world = build_world(session)
    with receiving(world.secret, ["slow"]) as receiver:
        _subscribe(session, world, receiver.url)
        delivery = _suspend(session, world)
        assert webhooks.deliver(session, delivery_id=delivery.id) == DeliveryStatus.PENDING
        assert "Timeout" in delivery.last_error
        session.flush()
        _make_due(session)
        tasks.deliver_due.apply().get()
        session.refresh(delivery)
        tasks.deliver_due.apply().get()  # delivered: never sent again
    assert delivery.status == DeliveryStatus.DELIVERED
    assert len(receiver.received) == 2 and len(receiver.processed) == 1
    assert receiver.received[0]["lifecert-event-id"] == receiver.received[1]["lifecert-event-id"]


def test_delivery_log_over_the_api(client: TestClient, session: Session) -> None:
    world = build_world(session)
    with receiving(world.secret) as receiver:
        subscription = service.add_subscription(
            session, partner_id=world.partner.id, url=receiver.url,
            event_types=[EventType.SUSPENDED], region_ids=[world.district_a.id],
            actor=admin_actor())
        delivery = _suspend(session, world)
        webhooks.deliver(session, delivery_id=delivery.id)
    log = client.get(f"/api/v1/partner/webhooks/{subscription.id}/deliveries",
                     headers=world.auth()).json()
    assert [(d["event_type"], d["status"], d["attempts"]) for d in log] == [
        ("suspended", "delivered", 1)]
    assert isinstance(receiver, Receiver)


@pytest.mark.parametrize("url, inside", [
    ("http://127.0.0.1:8000/hook", True), ("http://localhost/hook", True),
    ("http://10.2.3.4/hook", True), ("http://169.254.169.254/latest/meta-data", True),
    ("http://[::1]/hook", True), ("http://0.0.0.0/hook", True),
    ("https://93.184.216.34/hook", False),
])
def test_internal_addresses_are_recognised(url: str, inside: bool) -> None:
    assert webhooks.internal_host(url) is inside


def test_production_never_calls_an_internal_address(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partner's subscription pointed at the city's own network (SSRF): every attempt is
    refused before any connection, logged, and retried like any failure."""
    from lifecert.core.settings import Environment, get_settings

    production = get_settings().model_copy(update={"env": Environment.PRODUCTION})
    monkeypatch.setattr(webhooks, "get_settings", lambda: production)
    world = build_world(session)
    with receiving(world.secret, []) as receiver:
        _subscribe(session, world, receiver.url)
        delivery = _suspend(session, world)
        assert webhooks.deliver(session, delivery_id=delivery.id) == DeliveryStatus.PENDING
    assert receiver.received == []
    assert delivery.last_status is None and "refused" in delivery.last_error
