from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.retirees.models import CertState
from tests.builders import login, make_city, make_community, make_retiree, make_staff


def test_worker_sees_list_detail_and_saves_notes(client: TestClient, session: Session) -> None:
    community = make_community(session, city=make_city(session))
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[community], username="w")
    retiree = make_retiree(session, community=community, name="王秀英")
    retiree.cert_state = CertState.OVERDUE
    session.flush()
    csrf = login(client, "w")
    listing = client.get("/retirees?state=overdue")
    assert "王秀英" in listing.text and retiree.id_number_masked in listing.text
    detail = client.get(f"/retirees/{retiree.id}")
    assert "逾期未认证" in detail.text
    saved = client.post(
        f"/retirees/{retiree.id}/notes",
        data={"notes": "独居，需上门", "csrf": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "独居，需上门" in client.get(f"/retirees/{retiree.id}").text


def test_notes_form_without_token_changes_nothing(client: TestClient, session: Session) -> None:
    community = make_community(session, city=make_city(session))
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[community], username="w")
    retiree = make_retiree(session, community=community)
    login(client, "w")
    response = client.post(f"/retirees/{retiree.id}/notes", data={"notes": "x", "csrf": "forged"})
    assert response.status_code == 403
    session.refresh(retiree)
    assert retiree.notes == ""


def test_logged_out_visitor_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/retirees", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_enroll_page_asks_for_consent_first(client: TestClient, session: Session) -> None:
    community = make_community(session, city=make_city(session))
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[community], username="w")
    retiree = make_retiree(session, community=community, name="李桂兰")
    csrf = login(client, "w")
    page = client.get(f"/retirees/{retiree.id}/enroll")
    assert "人脸信息处理同意书" in page.text and "enroll.js" not in page.text
    client.post(f"/retirees/{retiree.id}/consent",
                data={"given_by": "李桂兰", "channel": "home_visit", "csrf": csrf})
    page = client.get(f"/retirees/{retiree.id}/enroll")
    assert "/static/enroll.js" in page.text and "拍照" in page.text
    assert client.get("/static/enroll.js").status_code == 200
