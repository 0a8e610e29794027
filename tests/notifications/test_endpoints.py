"""API and pages: authentication, CSRF, scoping and wiring; the retiree's inbox pages."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.core.sms import DevGateway, get_sms_gateway
from lifecert.retirees.models import CertState
from lifecert.retirees.service import reveal_id_number
from lifecert.system.clock import local_now
from tests.builders import admin_actor, login, make_staff
from tests.notifications.helpers import retiree_in, two_communities, worker_for

BODY = {
    "name": "到期提醒",
    "audience": {"group": "due_within", "due_within_days": 30},
    "template_zh": "{name}您好，请于{valid_until}前认证。",
    "channels": ["inbox", "sms"],
}


def _setup(session: Session) -> tuple[int, int]:
    mine, other = two_communities(session)
    soon = local_now().date() + timedelta(days=10)
    due = retiree_in(session, mine, name="王秀英", state=CertState.DUE_SOON, valid_until=soon)
    retiree_in(session, other, name="外人", state=CertState.DUE_SOON, valid_until=soon)
    worker_for(session, mine).username = "nw"
    worker_for(session, other).username = "ow"
    session.flush()
    return due.id, mine.id


def test_api_needs_login_and_csrf(client: TestClient, session: Session) -> None:
    _setup(session)
    assert client.get("/api/v1/notifications/campaigns").status_code == 401
    csrf = login(client, "nw")
    no_header = client.post("/api/v1/notifications/campaigns/preview", json=BODY)
    assert no_header.status_code == 403
    ok = client.post(
        "/api/v1/notifications/campaigns/preview", json=BODY, headers={"X-CSRF-Token": csrf}
    )
    assert ok.status_code == 200 and ok.json()["count"] == 1
    assert ok.json()["samples"][0]["name"] == "王秀英"
    # Roles without access to the roster cannot target anyone; strangers have no inbox.
    client.post("/logout", data={"csrf": csrf})
    make_staff(session, role=Role.PROVIDER_STAFF, username="pv")
    csrf = login(client, "pv")
    denied = client.post(
        "/api/v1/notifications/campaigns/preview", json=BODY, headers={"X-CSRF-Token": csrf}
    )
    assert denied.status_code == 403
    assert client.get("/campaigns/new").status_code == 403
    client.post("/logout", data={"csrf": csrf})
    assert client.get("/m/inbox").status_code == 401


def test_api_template_error_names_the_variable(client: TestClient, session: Session) -> None:
    _setup(session)
    csrf = login(client, "nw")
    response = client.post(
        "/api/v1/notifications/campaigns/preview",
        json={**BODY, "template_zh": "您好 {nmae}"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 422
    assert "{nmae}" in response.json()["detail"] and "template_zh" in response.json()["fields"]


def test_api_send_results_and_scope(client: TestClient, session: Session) -> None:
    due_id, mine_id = _setup(session)
    csrf = login(client, "nw")
    sent = client.post("/api/v1/notifications/campaigns", json=BODY, headers={"X-CSRF-Token": csrf})
    assert sent.status_code == 201, sent.text
    campaign_id = sent.json()["id"]
    session.commit()  # the request boundary (overridden in tests): materialise and deliver
    results = client.get(f"/api/v1/notifications/campaigns/{campaign_id}").json()
    assert results["totals"] == {"inbox": {"delivered": 1}, "sms": {"sent": 1}}
    assert [r["retiree_id"] for r in results["recipients"]] == [due_id]
    listed = client.get(f"/api/v1/notifications/retirees/{due_id}").json()
    assert {n["campaign_name"] for n in listed} == {"到期提醒"}
    reminder = client.post(
        f"/api/v1/notifications/retirees/{due_id}/reminders", headers={"X-CSRF-Token": csrf}
    )
    assert reminder.status_code == 201 and len(reminder.json()) == 2
    again = client.post(
        f"/api/v1/notifications/retirees/{due_id}/reminders", headers={"X-CSRF-Token": csrf}
    )
    assert again.status_code == 409
    client.post("/logout", data={"csrf": csrf})
    csrf = login(client, "ow")
    assert client.get(f"/api/v1/notifications/campaigns/{campaign_id}").status_code == 404
    assert client.get(f"/api/v1/notifications/retirees/{due_id}").status_code == 404
    assert client.get("/api/v1/notifications/campaigns").json() == []
    outside = client.post(
        "/api/v1/notifications/campaigns/preview",
        json={**BODY, "audience": {"region_id": mine_id}},
        headers={"X-CSRF-Token": csrf},
    )
    assert outside.status_code == 404


def test_pages_preview_then_send_then_inbox(client: TestClient, session: Session) -> None:
    due_id, _ = _setup(session)
    csrf = login(client, "nw")
    assert "/campaigns" in client.get("/home").text
    form = {
        "csrf": csrf,
        "name": "页面提醒",
        "group": "due_within",
        "due_within_days": "30",
        "template_zh": "{name}您好，请认证。",
        "template_en": "",
        "channels": ["inbox"],
    }
    assert client.post("/campaigns/preview", data={**form, "csrf": "wrong"}).status_code == 403
    bad = client.post("/campaigns/preview", data={**form, "template_zh": "{who}"})
    assert bad.status_code == 422 and "{who}" in bad.text
    page = client.post("/campaigns/preview", data=form)
    assert page.status_code == 200 and 'data-count="1"' in page.text
    assert "王秀英您好，请认证。" in page.text
    sent = client.post("/campaigns", data=form, follow_redirects=False)
    assert sent.status_code == 303
    session.commit()
    results = client.get(sent.headers["location"])
    assert results.status_code == 200 and "王秀英" in results.text
    assert "页面提醒" in client.get("/campaigns").text
    # The retiree logs in on the phone (SMS code from the dev gateway) and reads it.
    client.post("/logout", data={"csrf": csrf})
    id_number = reveal_id_number(session, actor=admin_actor(), retiree_id=due_id)
    start = client.get("/m").text
    m_csrf = re.search(r'name="csrf" value="([^"]+)"', start).group(1)  # type: ignore[union-attr]
    client.post("/m/code", data={"id_number": id_number, "csrf": m_csrf})
    gateway = get_sms_gateway()
    assert isinstance(gateway, DevGateway)
    code = re.search(r"(\d{6})", gateway.sent[0].text).group(1)  # type: ignore[union-attr]
    client.post("/m/login", data={"id_number": id_number, "code": code, "csrf": m_csrf})
    home = client.get("/m/home").text
    assert "/m/inbox" in home and "1 条新消息" in home
    inbox = client.get("/m/inbox").text
    message_id = re.search(r'href="/m/inbox/(\d+)"', inbox).group(1)  # type: ignore[union-attr]
    message = client.get(f"/m/inbox/{message_id}")
    assert "王秀英您好，请认证。" in message.text
    assert "条新消息" not in client.get("/m/home").text  # read now
