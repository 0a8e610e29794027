"""Partner keys over the API: region scope (403), revocation (401 at once), expiry, scopes,
rate limits (429 + Retry-After), problem details, cursors, changed-since, ETags, audit."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.core.db import utcnow
from lifecert.partners import keys
from lifecert.partners.models import PartnerKey, PartnerScope
from tests.builders import admin_actor, make_community, make_retiree
from tests.partners.helpers import build_world

API = "/api/v1/partner"


def test_key_is_stored_as_a_hash_and_shown_once(session: Session) -> None:
    world = build_world(session)
    row = session.scalar(select(PartnerKey).where(PartnerKey.key_id == world.key_id))
    assert row is not None and world.token.endswith(world.token.split("_", 2)[2])
    assert world.token.split("_", 2)[2] not in row.secret_hash and len(row.secret_hash) == 64


def test_district_a_key_gets_403_for_district_b(client: TestClient, session: Session) -> None:
    world = build_world(session)
    ok = client.get(f"{API}/retirees/{world.in_a.id}", headers=world.auth())
    assert ok.status_code == 200 and ok.json()["id"] == world.in_a.id
    refused = client.get(f"{API}/retirees/{world.in_b.id}", headers=world.auth())
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert body["status"] == 403 and body["title"] == "permission_denied" and body["detail"]
    region_b = client.get(f"{API}/retirees", params={"region_id": world.district_b.id},
                          headers=world.auth())
    assert region_b.status_code == 403
    listed = client.get(f"{API}/retirees", headers=world.auth()).json()["items"]
    assert [r["id"] for r in listed] == [world.in_a.id]


def test_revoked_key_is_refused_on_the_next_request(client: TestClient, session: Session) -> None:
    world = build_world(session)
    assert client.get(f"{API}/me", headers=world.auth()).status_code == 200
    keys.revoke_key(session, actor=admin_actor(), key_id=world.key_id)
    session.flush()
    started = utcnow()
    answer = client.get(f"{API}/me", headers=world.auth())
    assert answer.status_code == 401 and (utcnow() - started) < timedelta(seconds=1)
    assert answer.json()["title"] == "authentication_required"


def test_expired_wrong_and_missing_keys_get_401(client: TestClient, session: Session) -> None:
    world = build_world(session)
    row = session.scalar(select(PartnerKey).where(PartnerKey.key_id == world.key_id))
    assert row is not None
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.flush()
    assert client.get(f"{API}/me", headers=world.auth()).status_code == 401
    wrong = f"lcp_{world.key_id}_{'x' * 43}"
    assert client.get(f"{API}/me", headers=world.auth(wrong)).status_code == 401
    assert client.get(f"{API}/me").status_code == 401
    assert client.get(f"{API}/me", headers=world.auth("nonsense")).status_code == 401


def test_scope_missing_is_403(client: TestClient, session: Session) -> None:
    world = build_world(session)
    _key, token = keys.issue_key(session, actor=admin_actor(), partner=world.partner,
                                 scopes=[PartnerScope.READ_STATUS],
                                 region_ids=[world.district_a.id])
    session.flush()
    answer = client.get(f"{API}/payment-changes", headers=world.auth(token))
    assert answer.status_code == 403 and "export_payments" in answer.json()["detail"]


def test_rate_limit_answers_429_with_retry_after(client: TestClient, session: Session) -> None:
    world = build_world(session, rate=3)
    codes = [client.get(f"{API}/me", headers=world.auth()).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    last = client.get(f"{API}/me", headers=world.auth())
    assert last.status_code == 429 and 1 <= int(last.headers["Retry-After"]) <= 61
    assert last.json()["title"] == "too_many_requests"


def test_every_call_is_audited_with_the_key_id(client: TestClient, session: Session) -> None:
    world = build_world(session)
    client.get(f"{API}/retirees/{world.in_b.id}", headers=world.auth())  # refused, still logged
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "partner.api_call"))
    logged = [e.details for e in entries]
    assert {"key_id": world.key_id, "method": "GET",
            "path": f"{API}/retirees/{world.in_b.id}"} in logged


def test_cursor_pages_changed_since_and_etags(client: TestClient, session: Session) -> None:
    world = build_world(session)
    community = session.get_one(type(world.district_a), world.in_a.community_id)
    for n in range(4):
        make_retiree(session, community=community, name=f"丙{n}")
    session.flush()
    seen, cursor = [], ""
    while True:
        page = client.get(f"{API}/retirees", params={"limit": 2, "cursor": cursor},
                          headers=world.auth()).json()
        seen += [r["id"] for r in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert len(seen) == 5 == len(set(seen))
    newest = max(r.updated_at for r in session.scalars(select(type(world.in_a))))
    later = client.get(f"{API}/retirees", params={"changed_since": newest.isoformat()},
                       headers=world.auth())
    assert later.json()["items"] == []
    first = client.get(f"{API}/retirees/{world.in_a.id}", headers=world.auth())
    etag = first.headers["ETag"]
    again = client.get(f"{API}/retirees/{world.in_a.id}",
                       headers={**world.auth(), "If-None-Match": etag})
    assert again.status_code == 304
    bad = client.get(f"{API}/retirees", params={"cursor": "%%%"}, headers=world.auth())
    assert bad.status_code == 422 and bad.json()["title"] == "invalid_input"


def test_a_key_for_another_partner_region_tree_sees_nothing_else(
    client: TestClient, session: Session
) -> None:
    world = build_world(session)
    other = make_community(session, city=session.get_one(type(world.district_a),
                                                          world.district_a.parent_id))
    make_retiree(session, community=other)
    session.flush()
    ids = {r["id"] for r in client.get(f"{API}/retirees", headers=world.auth()).json()["items"]}
    assert ids == {world.in_a.id}
