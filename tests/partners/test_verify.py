"""Certification as a service, LifeCert's side and the example partner's check of results:
the signed request opens one check for the named person; bad signatures, unregistered return
URLs, replayed nonces and people outside the partner's regions are refused; the result is
signed, carries no face data, and the example partner refuses it tampered or replayed."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from examples.partner_app import app as example
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.certification.models import Certification, CertMode, Outcome
from lifecert.partners.signing import sign_token
from tests.partners.helpers import RETURN_URL, World, build_world


def _request(world: World, *, retiree_id: int, return_url: str = RETURN_URL,
             nonce: str = "nonce-0001", secret: str | None = None, exp: int | None = None) -> str:
    return example.sign(secret or world.secret, {
        "typ": "lifecert.verify.request", "partner": world.partner.code,
        "retiree_id": retiree_id, "return_url": return_url, "nonce": nonce,
        "exp": exp or int(time.time()) + 600})


def _open(client: TestClient, token: str) -> int:
    return client.get("/m/verify", params={"request": token}, follow_redirects=False).status_code


def test_request_opens_a_session_and_the_answer_is_signed(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(session)
    assert _open(client, _request(world, retiree_id=world.in_a.id)) == 303
    assert client.get("/m/home").status_code == 200
    session.add(Certification(retiree_id=world.in_a.id, mode=CertMode.SELF,
                              outcome=Outcome.CERTIFIED))
    session.flush()
    back = client.get("/m/verify/return", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"].startswith(RETURN_URL + "?")
    result = parse_qs(urlsplit(back.headers["location"]).query)["result"][0]
    monkeypatch.setenv("LIFECERT_URL", "http://lifecert.invalid")
    monkeypatch.setenv("PARTNER_CODE", world.partner.code)
    monkeypatch.setenv("SIGNING_SECRET", world.secret)
    monkeypatch.setenv("PUBLIC_URL", "https://bank.example")
    example._pending["nonce-0001"] = world.in_a.id
    tampered = result[:10] + ("A" if result[10] != "A" else "B") + result[11:]
    with pytest.raises(ValueError, match=r"bad signature|malformed"):
        example.verify_result(world.secret, world.partner.code, tampered)
    claims = example.verify_result(world.secret, world.partner.code, result)
    assert claims["outcome"] == "certified" and claims["retiree_id"] == world.in_a.id
    assert not {"image", "frames", "embedding", "photo"} & set(claims)
    with pytest.raises(ValueError, match="replayed"):
        example.verify_result(world.secret, world.partner.code, result)
    # Answered once: the session is over.
    assert client.get("/m/verify/return", follow_redirects=False).status_code in (401, 303)


def test_refusals(client: TestClient, session: Session) -> None:
    world = build_world(session)
    assert _open(client, _request(world, retiree_id=world.in_a.id,
                                  return_url="https://evil.example/steal")) == 403
    assert _open(client, _request(world, retiree_id=world.in_a.id,
                                  secret="lcs_wrong")) == 401
    assert _open(client, _request(world, retiree_id=world.in_a.id,
                                  exp=int(time.time()) - 1)) == 401
    assert _open(client, _request(world, retiree_id=world.in_b.id)) == 403  # other district
    assert _open(client, "garbage") == 401
    result_as_request = sign_token(world.secret, {"typ": "lifecert.verify.result",
                                                  "partner": world.partner.code})
    assert _open(client, result_as_request) == 401
    token = _request(world, retiree_id=world.in_a.id, nonce="nonce-once")
    assert _open(client, token) == 303
    assert _open(client, token) == 401  # the same request again: replay


def test_api_starts_a_verification_only_for_registered_urls(
    client: TestClient, session: Session
) -> None:
    world = build_world(session)
    headers = {**world.auth(), "Idempotency-Key": "start-1"}
    made = client.post("/api/v1/partner/verifications",
                       json={"retiree_id": world.in_a.id, "return_url": RETURN_URL},
                       headers=headers)
    assert made.status_code == 201 and "/m/verify?request=" in made.json()["url"]
    assert _open(client, made.json()["request"]) == 303
    refused = client.post("/api/v1/partner/verifications",
                          json={"retiree_id": world.in_a.id, "return_url": "https://x.example"},
                          headers={**world.auth(), "Idempotency-Key": "start-2"})
    assert refused.status_code == 422
    other = client.post("/api/v1/partner/verifications",
                        json={"retiree_id": world.in_b.id, "return_url": RETURN_URL},
                        headers={**world.auth(), "Idempotency-Key": "start-3"})
    assert other.status_code == 403
