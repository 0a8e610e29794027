"""The demo partner's printed key works; the admin pages register a partner, issue a key
(shown once), revoke it, and show subscriptions, in Chinese."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.demo import DemoSize, build_demo, walkthrough
from lifecert.partners.demo import demo_key
from tests.builders import csrf_of, login, make_city, make_community, make_staff


def test_demo_partner_key_is_printed_and_works(session: Session, client: TestClient) -> None:
    build_demo(session, size=DemoSize(retirees=60, districts=2, streets=4, communities=8))
    session.flush()
    assert any(demo_key() in line for line in walkthrough("http://x", None, "http://x/m"))
    me = client.get("/api/v1/partner/me", headers={"Authorization": f"Bearer {demo_key()}"})
    assert me.status_code == 200 and len(me.json()["scopes"]) == 5
    page = client.get("/api/v1/partner/retirees", params={"limit": 5},
                      headers={"Authorization": f"Bearer {demo_key()}"})
    assert page.status_code == 200 and len(page.json()["items"]) == 5


def test_admin_registers_a_partner_issues_and_revokes_a_key(
    session: Session, client: TestClient
) -> None:
    community = make_community(session, city=make_city(session))
    admin = make_staff(session, role=Role.PLATFORM_ADMIN)
    session.flush()
    login(client, admin.username)
    listing = client.get("/partners", headers={"Accept-Language": "zh-CN"})
    assert listing.status_code == 200 and "合作系统" in listing.text
    made = client.post("/partners", data={"code": "ins", "name": "医保系统",
                                          "return_urls": "https://ins.example/back",
                                          "csrf": csrf_of(listing.text)})
    assert made.status_code == 200 and 'id="shown-secret"' in made.text
    partner_url = re.search(r'action="(/partners/\d+)/keys"', made.text)
    assert partner_url is not None
    issued = client.post(f"{partner_url.group(1)}/keys", data={
        "scopes": ["read_status"], "region_ids": [str(community.id)], "days": "30",
        "csrf": csrf_of(made.text)})
    token = re.search(r'id="shown-token">([^<]+)<', issued.text)
    assert issued.status_code == 200 and token is not None
    headers = {"Authorization": f"Bearer {token.group(1)}"}
    assert client.get("/api/v1/partner/me", headers=headers).status_code == 200
    key_id = token.group(1).split("_")[1]
    revoked = client.post(f"{partner_url.group(1)}/keys/{key_id}/revoke",
                          data={"csrf": csrf_of(issued.text)}, follow_redirects=False)
    assert revoked.status_code == 303
    assert client.get("/api/v1/partner/me", headers=headers).status_code == 401
    detail = client.get(partner_url.group(1))
    assert "已吊销" in detail.text and token.group(1) not in detail.text
    rotated = client.post(f"{partner_url.group(1)}/signing-secret",
                          data={"csrf": csrf_of(detail.text)})
    old = re.search(r'id="shown-secret">([^<]+)<', made.text)
    new = re.search(r'id="shown-secret">([^<]+)<', rotated.text)
    assert old is not None and new is not None and old.group(1) != new.group(1)
