"""Idempotency keys on partner POSTs: same key and body -> the stored answer; another body ->
409; no key -> 422; an expired key is forgotten."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.partners import keys
from lifecert.partners.models import (
    IdempotentAnswer,
    PartnerScope,
    PartnerVerification,
    WebhookSubscription,
)
from tests.builders import admin_actor
from tests.partners.helpers import RETURN_URL, build_world

API = "/api/v1/partner"


def test_same_key_same_body_gives_the_stored_answer(client: TestClient, session: Session) -> None:
    world = build_world(session)
    body = {"url": "https://bank.example/hooks", "event_types": ["certified"]}
    headers = {**world.auth(), "Idempotency-Key": "sub-1"}
    first = client.post(f"{API}/webhooks", json=body, headers=headers)
    second = client.post(f"{API}/webhooks", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert session.scalar(select(func.count()).select_from(WebhookSubscription)) == 1


def test_same_key_other_body_is_409(client: TestClient, session: Session) -> None:
    world = build_world(session)
    headers = {**world.auth(), "Idempotency-Key": "w-1"}
    first = client.post(f"{API}/webhooks", json={"url": "https://bank.example/h",
                                                 "event_types": ["suspended"]}, headers=headers)
    reused = client.post(f"{API}/webhooks", json={"url": "https://bank.example/h2",
                                                  "event_types": ["suspended"]}, headers=headers)
    assert first.status_code == 201 and reused.status_code == 409
    assert reused.json()["title"] == "conflict"
    assert session.scalar(select(func.count()).select_from(WebhookSubscription)) == 1
    # Keys are per API key: another key may use the same Idempotency-Key for its own request.
    _key, other = keys.issue_key(session, actor=admin_actor(), partner=world.partner,
                                 scopes=[PartnerScope.READ_STATUS],
                                 region_ids=[world.district_a.id])
    session.flush()
    mine = client.post(f"{API}/webhooks", json={"url": "https://bank.example/h3",
                                                "event_types": ["certified"]},
                       headers={**world.auth(other), "Idempotency-Key": "w-1"})
    assert mine.status_code == 201


def test_missing_key_is_refused(client: TestClient, session: Session) -> None:
    world = build_world(session)
    answer = client.post(f"{API}/webhooks", json={"url": "https://bank.example/h",
                                                  "event_types": ["certified"]},
                         headers=world.auth())
    assert answer.status_code == 422 and "Idempotency-Key" in answer.json()["fields"]


def test_expired_key_is_forgotten(client: TestClient, session: Session) -> None:
    world = build_world(session)
    headers = {**world.auth(), "Idempotency-Key": "v-2"}
    body = {"retiree_id": world.in_a.id, "return_url": RETURN_URL}
    first = client.post(f"{API}/verifications", json=body, headers=headers).json()
    session.execute(update(IdempotentAnswer).values(expires_at=utcnow() - timedelta(seconds=1)))
    second = client.post(f"{API}/verifications", json=body, headers=headers).json()
    assert first["request"] != second["request"]  # done again, not replayed
    assert session.scalar(select(func.count()).select_from(PartnerVerification)) == 0
