"""Trust rule 5 through HTTP: helper links confirmed by the elder (own phone session) or by
their community after an ID check; staff scoped to their elders' helpers; invitation links
single-use, short-lived, revocable, logged; result/appeal pages check who asks first."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.certification.access import issue_invitation
from lifecert.certification.models import FamilyHelper, FamilyLink, Invitation
from lifecert.core.db import utcnow
from lifecert.core.roles import Role
from lifecert.retirees.models import Retiree
from tests.builders import login, make_city, make_community, make_staff
from tests.certification.helpers import enrolled_retiree
from tests.certification.trust_helpers import (
    csrf_of,
    face_check,
    id_number_of,
    last_code,
    phone_login,
    second_client,
)

HELPER_PHONE = "13912345678"


def _helper_requests_link(client: TestClient, session: Session, elder: Retiree) -> str:
    """A relative signs up on their phone and asks to help the elder; returns their CSRF."""
    page = client.get("/m/helper")
    sent = client.post("/m/helper/code", data={"phone": HELPER_PHONE, "csrf": csrf_of(page.text)})
    home = client.post(
        "/m/helper/login",
        data={
            "phone": HELPER_PHONE,
            "code": last_code(),
            "name": "王小明",
            "id_number": "11010519491231002X",
            "csrf": csrf_of(sent.text),
        },
    )
    added = client.post(
        "/m/helper/elders",
        data={"id_number": id_number_of(session, elder), "relation": "儿子",
              "csrf": csrf_of(home.text)},
    )
    assert added.status_code == 200 and "等待" in added.text, added.text
    return csrf_of(added.text)


def _actions(session: Session) -> set[str]:
    return set(session.scalars(select(AuditEntry.action)))


def test_a_link_request_alone_gives_no_proxy_access_until_the_elder_confirms(
    client: TestClient, session: Session
) -> None:
    elder = enrolled_retiree(session, face_seed=8)
    helper_csrf = _helper_requests_link(client, session, elder)
    helper = session.scalars(select(FamilyHelper)).one()
    helper.verified_at = utcnow()  # even a verified helper needs the link confirmed
    session.flush()
    refused = face_check(client, helper_csrf, face_seed=8, retiree_id=elder.id)
    assert refused.status_code == 403 and "确认" in refused.json()["detail"]

    # The elder, on an invitation link (someone else may hold the notice), cannot confirm.
    phone = second_client(client)
    token = issue_invitation(session, actor=None, retiree_id=elder.id)
    home = phone.get(f"/m/i/{token}")
    assert "王小明" not in home.text
    link = session.scalars(select(FamilyLink)).one()
    link_csrf = csrf_of(phone.get("/m/check").text)
    by_link = phone.post(f"/m/helpers/{link.id}", data={"accept": "1", "csrf": link_csrf})
    assert by_link.status_code == 403 and link.confirmed_at is None

    # In their own session (the code went to their phone) they see the request and confirm.
    own = second_client(client)
    phone_login(own, session, elder)
    page = own.get("/m/home")
    assert "王小明" in page.text and "儿子" in page.text
    confirmed = own.post(f"/m/helpers/{link.id}", data={"accept": "1", "csrf": csrf_of(page.text)})
    assert confirmed.status_code == 200
    session.refresh(link)
    assert link.confirmed_how == "retiree" and link.confirmed_at is not None
    allowed = face_check(client, helper_csrf, face_seed=8, retiree_id=elder.id)
    assert allowed.status_code == 200 and allowed.json()["outcome"] == "certified"
    assert {"helper.link_requested", "helper.link_confirmed"} <= _actions(session)


def test_the_elder_can_refuse_a_request(client: TestClient, session: Session) -> None:
    elder = enrolled_retiree(session, face_seed=8)
    helper_csrf = _helper_requests_link(client, session, elder)
    link = session.scalars(select(FamilyLink)).one()
    own = second_client(client)
    phone_login(own, session, elder)
    page = own.get("/m/home")
    own.post(f"/m/helpers/{link.id}", data={"accept": "0", "csrf": csrf_of(page.text)})
    assert session.scalar(select(FamilyLink.id)) is None
    assert face_check(client, helper_csrf, face_seed=8, retiree_id=elder.id).status_code == 403


def test_staff_of_another_community_can_neither_see_verify_nor_confirm(
    client: TestClient, session: Session
) -> None:
    city = make_city(session)
    here, there = make_community(session, city=city), make_community(session, city=city)
    elder = enrolled_retiree(session, face_seed=8, community=there)
    helper_csrf = _helper_requests_link(client, session, elder)
    helper = session.scalars(select(FamilyHelper)).one()
    link = session.scalars(select(FamilyLink)).one()
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[here], username="x")
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[there], username="y")

    worker_x = second_client(client)
    csrf_x = login(worker_x, "x")
    listing = worker_x.get("/helpers")
    assert listing.status_code == 200 and HELPER_PHONE not in listing.text
    verify = worker_x.post(f"/helpers/{helper.id}/verify", data={"csrf": csrf_x})
    confirm = worker_x.post(
        f"/helpers/links/{link.id}/confirm", data={"id_checked": "true", "csrf": csrf_x}
    )
    assert verify.status_code == 404 and confirm.status_code == 404
    session.refresh(helper)
    session.refresh(link)
    assert helper.verified_at is None and link.confirmed_at is None
    assert face_check(client, helper_csrf, face_seed=8, retiree_id=elder.id).status_code == 403

    worker_y = second_client(client)
    csrf_y = login(worker_y, "y")
    assert HELPER_PHONE in worker_y.get("/helpers").text
    unchecked = worker_y.post(f"/helpers/links/{link.id}/confirm", data={"csrf": csrf_y})
    assert unchecked.status_code == 422
    done = worker_y.post(
        f"/helpers/links/{link.id}/confirm", data={"id_checked": "true", "csrf": csrf_y}
    )
    assert done.status_code == 200, done.text
    session.refresh(helper)
    session.refresh(link)
    assert helper.verified_at is not None and link.confirmed_how == "staff"
    assert face_check(client, helper_csrf, face_seed=8, retiree_id=elder.id).status_code == 200
    assert {"helper.verified", "helper.link_confirmed"} <= _actions(session)


def test_an_invitation_link_serves_one_check_and_can_be_revoked(
    client: TestClient, session: Session
) -> None:
    elder = enrolled_retiree(session, face_seed=4)
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[elder.community], username="w")
    token = issue_invitation(session, actor=None, retiree_id=elder.id)
    client.get(f"/m/i/{token}")
    csrf = csrf_of(client.get("/m/check").text)
    first = face_check(client, csrf, face_seed=4)
    assert first.status_code == 200 and first.json()["outcome"] == "certified"
    # The same session, or the same link opened again, gets no second check.
    assert face_check(client, csrf, face_seed=4).status_code == 401
    assert second_client(client).get(f"/m/i/{token}").status_code == 401
    assert client.get(f"/m/result/{first.json()['id']}").status_code == 200

    worker = second_client(client)
    worker_csrf = login(worker, "w")
    notice = worker.get(f"/retirees/{elder.id}/invitation")
    assert notice.status_code == 200
    issued = session.scalars(
        select(Invitation).where(Invitation.used_at.is_(None)).order_by(Invitation.id.desc())
    ).first()
    assert issued is not None and issued.issued_by is not None
    assert issued.expires_at - utcnow() <= timedelta(hours=72)
    revoked = worker.post(
        f"/api/v1/invitations/{issued.id}/revoke", headers={"X-CSRF-Token": worker_csrf}
    )
    assert revoked.status_code == 200
    new_token = notice.text.split("/m/i/", 1)[1].split("<", 1)[0].split('"', 1)[0]
    assert second_client(client).get(f"/m/i/{new_token}").status_code == 401

    # The notice page says what the link is for and can cancel it.
    other_notice = worker.get(f"/retirees/{elder.id}/invitation")
    assert "只能用于一次认证" in other_notice.text
    revoke_url = other_notice.text.split('action="/invitations/', 1)[1].split('"', 1)[0]
    cancelled = worker.post(f"/invitations/{revoke_url}", data={"csrf": worker_csrf},
                            follow_redirects=False)
    assert cancelled.status_code == 303
    other_token = other_notice.text.split("/m/i/", 1)[1].split("<", 1)[0]
    assert second_client(client).get(f"/m/i/{other_token}").status_code == 401

    expired_token = issue_invitation(session, actor=None, retiree_id=elder.id)
    expiring = session.scalars(select(Invitation).order_by(Invitation.id.desc())).first()
    assert expiring is not None
    expiring.expires_at = utcnow() - timedelta(minutes=1)
    session.flush()
    assert second_client(client).get(f"/m/i/{expired_token}").status_code == 401
    assert {"invitation.issued", "invitation.opened", "invitation.revoked"} <= _actions(session)


def test_result_and_appeal_pages_ask_who_is_asking_first(
    client: TestClient, session: Session
) -> None:
    huge = 10**20  # beyond any database integer: refused before any lookup (issue 17, item 11)
    missing = 2**40  # a valid number that names nobody: who asks is checked before the lookup
    assert client.get(f"/m/result/{huge}").status_code == 422
    assert client.get(f"/m/result/{missing}").status_code == 401
    start = client.get("/m")
    for number, status in ((huge, 422), (missing, 401)):
        appeal = client.post(
            f"/m/appeal/{number}", data={"statement": "是我本人", "csrf": csrf_of(start.text)}
        )
        assert appeal.status_code == status
    elder = enrolled_retiree(session, face_seed=4)
    phone_login(client, session, elder)
    assert client.get(f"/m/result/{missing}").status_code == 404
    assert client.get("/m/result/1").status_code == 404
