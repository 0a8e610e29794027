"""The phone pages and API, as a retiree, a family helper and a community worker use them."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.certification.models import (
    CaseStatus,
    Certification,
    CertMode,
    FamilyHelper,
    FamilyLink,
    Outcome,
    ReviewCase,
)
from lifecert.core.db import utcnow
from lifecert.core.roles import Role
from lifecert.core.sms import get_sms_gateway
from lifecert.retirees.models import CertState
from tests.builders import csrf_of, login, make_city, make_staff
from tests.certification.helpers import enrolled_retiree, jpeg
from tests.certification.trust_helpers import id_number_of, last_code


def _submit(client: TestClient, csrf: str, retiree_id: int | None, face_seed: int) -> dict:
    form = {"retiree_id": str(retiree_id)} if retiree_id else {}
    challenge = client.post("/api/v1/certify/challenge", data=form, headers={"X-CSRF-Token": csrf})
    assert challenge.status_code == 200, challenge.text
    body = challenge.json()
    assert 2 <= len(body["actions"]) <= 3
    frame = jpeg(face_seed)
    files = [("frames", (f"f{i}.jpg", frame, "image/jpeg")) for i in range(8)]
    response = client.post(
        "/api/v1/certify/submit",
        headers={"X-CSRF-Token": csrf},
        files=files,
        data={"nonce": body["nonce"], "times": json.dumps([i * 200 for i in range(8)])},
    )
    assert response.status_code == 200, response.text
    replay = client.post(
        "/api/v1/certify/submit",
        headers={"X-CSRF-Token": csrf},
        files=files,
        data={"nonce": body["nonce"], "times": json.dumps([i * 200 for i in range(8)])},
    )
    assert replay.status_code == 409 and "重新开始" in replay.json()["detail"]
    return response.json()


def test_retiree_logs_in_by_sms_and_certifies(client: TestClient, session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=4)
    number = id_number_of(session, retiree)
    start = client.get("/m")
    assert "认证免费" in start.text
    sent = client.post("/m/code", data={"id_number": number, "csrf": csrf_of(start.text)})
    assert "****" in sent.text and "认证免费" in get_sms_gateway().sent[0].text  # type: ignore[attr-defined]
    wrong = client.post(
        "/m/login", data={"id_number": number, "code": "000000", "csrf": csrf_of(sent.text)}
    )
    assert wrong.status_code == 401 and "验证码不对" in wrong.text
    home = client.post(
        "/m/login", data={"id_number": number, "code": last_code(), "csrf": csrf_of(sent.text)}
    )
    assert "开始刷脸认证" in home.text
    check = client.get("/m/check")
    result = _submit(client, csrf_of(check.text), None, face_seed=4)
    assert result["outcome"] == "certified" and result["valid_until"]
    page = client.get(f"/m/result/{result['id']}")
    assert "认证成功" in page.text or "已认证" in page.text
    until = date.fromisoformat(result["valid_until"])
    assert f"{until.year}年{until.month}月{until.day}日" in page.text  # a date elders read


def test_unknown_id_number_gets_a_helpful_message(client: TestClient) -> None:
    start = client.get("/m")
    response = client.post(
        "/m/code", data={"id_number": "11010519491231002X", "csrf": csrf_of(start.text)}
    )
    assert response.status_code == 404 and "联系社区" in response.text


def test_invitation_link_then_consent_screen(client: TestClient, session: Session) -> None:
    from tests.builders import make_community, make_retiree

    retiree = make_retiree(session, community=make_community(session, city=make_city(session)))
    home = client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=retiree.id)}")
    assert "我同意" in home.text
    agreed = client.post("/m/consent", data={"csrf": csrf_of(home.text)})
    assert "开始刷脸认证" in agreed.text
    bad = client.get("/m/i/not-a-token")
    assert bad.status_code == 401 and "链接无效" in bad.text


def test_refused_check_can_be_appealed(client: TestClient, session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=4)
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=retiree.id)}")
    result = _submit(client, csrf_of(client.get("/m/check").text), None, face_seed=77)
    assert result["outcome"] == "retry"
    page = client.get(f"/m/result/{result['id']}")
    assert "再试一次" in page.text
    appealed = client.post(
        f"/m/appeal/{result['id']}",
        data={"statement": "是我本人，光线太暗", "csrf": csrf_of(page.text)},
    )
    assert appealed.status_code == 200
    case = session.scalar(select(ReviewCase))
    assert case is not None and case.source.value == "appeal"


def test_family_helper_must_be_verified_and_is_recorded(
    client: TestClient, session: Session
) -> None:
    retiree = enrolled_retiree(session, face_seed=8)
    page = client.get("/m/helper")
    sent = client.post("/m/helper/code", data={"phone": "13912345678", "csrf": csrf_of(page.text)})
    home = client.post(
        "/m/helper/login",
        data={
            "phone": "13912345678",
            "code": last_code(),
            "name": "王小明",
            "id_number": "11010519491231002X",
            "csrf": csrf_of(sent.text),
        },
    )
    assert "尚未核验" in home.text
    added = client.post(
        "/m/helper/elders",
        data={
            "id_number": id_number_of(session, retiree),
            "relation": "儿子",
            "csrf": csrf_of(home.text),
        },
    )
    assert "儿子" in added.text
    refused = client.post(
        "/api/v1/certify/challenge",
        data={"retiree_id": str(retiree.id)},
        headers={"X-CSRF-Token": csrf_of(added.text)},
    )
    assert refused.status_code == 403
    helper = session.scalar(select(FamilyHelper))
    assert helper is not None
    helper.verified_at = utcnow()
    link = session.scalars(select(FamilyLink)).one()  # confirmed by the elder or community
    link.confirmed_at, link.confirmed_how = utcnow(), "retiree"
    session.flush()
    result = _submit(client, csrf_of(added.text), retiree.id, face_seed=8)
    certification = session.get_one(Certification, result["id"])
    assert certification.mode == CertMode.PROXY and certification.helper_family_id == helper.id


def test_worker_home_visit_non_face_route_and_officer_review(
    client: TestClient, session: Session
) -> None:
    retiree = enrolled_retiree(session, face_seed=2)
    city = retiree.community.parent.parent.parent  # community → street → district → city
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[retiree.community], username="w")
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[city], username="officer")
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    csrf = login(client, "w")
    visit = client.get(f"/retirees/{retiree.id}/visit")
    assert "certify.js" in visit.text
    result = _submit(client, csrf, retiree.id, face_seed=2)
    certification = session.get_one(Certification, result["id"])
    assert certification.mode == CertMode.HOME_VISIT and certification.helper_staff_id
    recorded = client.post(
        f"/retirees/{retiree.id}/non-face",
        data={"reason": "中风后无法刷脸，上门核对身份证本人在世", "csrf": csrf},
    )
    assert recorded.status_code == 200
    assert retiree.cert_state == CertState.UNDER_REVIEW
    csrf = login(client, "boss")
    queue = client.get("/reviews")
    assert "中风后无法刷脸" in queue.text
    case = session.scalars(select(ReviewCase).where(ReviewCase.status == CaseStatus.OPEN)).one()
    refused = client.post(f"/reviews/{case.id}", data={"decision": "rejected", "csrf": csrf})
    assert refused.status_code == 422
    client.post(f"/reviews/{case.id}", data={"decision": "approved", "csrf": csrf})
    session.refresh(retiree)
    assert retiree.cert_state == CertState.CERTIFIED
    decided = session.get_one(Certification, case.certification_id)
    assert decided.outcome == Outcome.CERTIFIED and decided.mode == CertMode.NON_FACE


@pytest.mark.parametrize("count", [200])
def test_too_many_frames_is_refused_before_work(
    client: TestClient, session: Session, count: int
) -> None:
    retiree = enrolled_retiree(session, face_seed=4)
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=retiree.id)}")
    csrf = csrf_of(client.get("/m/check").text)
    nonce = client.post("/api/v1/certify/challenge", headers={"X-CSRF-Token": csrf}).json()["nonce"]
    files = [("frames", (f"f{i}.jpg", b"x", "image/jpeg")) for i in range(count)]
    response = client.post(
        "/api/v1/certify/submit",
        headers={"X-CSRF-Token": csrf},
        files=files,
        data={"nonce": nonce, "times": json.dumps(list(range(count)))},
    )
    assert response.status_code == 413


def test_live_quality_hint_says_what_to_fix(client: TestClient, session: Session) -> None:
    import io

    from PIL import Image

    retiree = enrolled_retiree(session, face_seed=4)
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=retiree.id)}")
    csrf = csrf_of(client.get("/m/check").text)
    flat = io.BytesIO()
    Image.new("RGB", (200, 200), (120, 120, 120)).save(flat, format="JPEG")
    advice = client.post(
        "/api/v1/certify/hint",
        headers={"X-CSRF-Token": csrf},
        files={"frame": ("f.jpg", flat.getvalue(), "image/jpeg")},
    ).json()
    assert advice["ok"] is False and advice["reasons"] == ["no_face"]
    assert "正对手机" in advice["messages"][0]
    good = client.post(
        "/api/v1/certify/hint",
        headers={"X-CSRF-Token": csrf},
        files={"frame": ("f.jpg", jpeg(4), "image/jpeg")},
    ).json()
    assert good["ok"] is True


def test_reviewer_sees_frames_beside_reference_photos(client: TestClient, session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=4)
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=retiree.id)}")
    result = _submit(client, csrf_of(client.get("/m/check").text), None, face_seed=4)
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    client.cookies.clear()
    login(client, "boss")
    page = client.get(f"/certifications/{result['id']}")
    assert "/frames/0" in page.text and "/photo" in page.text
    frame = client.get(f"/certifications/{result['id']}/frames/0")
    assert frame.status_code == 200 and frame.content[:2] == b"\xff\xd8"
    photo_url = re.search(r'src="(/templates/\d+/photo)"', page.text).group(1)  # type: ignore[union-attr]
    assert client.get(photo_url).status_code == 200
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[retiree.community], username="w")
    client.cookies.clear()
    login(client, "w")
    assert client.get(f"/certifications/{result['id']}/frames/0").status_code == 403


def test_printable_notice_has_a_qr_code_that_opens_the_phone_flow(
    client: TestClient, session: Session
) -> None:
    retiree = enrolled_retiree(session, face_seed=4)
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[retiree.community], username="w")
    login(client, "w")
    notice = client.get(f"/retirees/{retiree.id}/invitation")
    assert "<svg" in notice.text
    link = re.search(r"<small>(http://testserver/m/i/[^<]+)</small>", notice.text).group(1)  # type: ignore[union-attr]
    client.cookies.clear()
    assert "开始刷脸认证" in client.get(link.replace("http://testserver", "")).text


def test_region_cycle_policy_api(client: TestClient, session: Session) -> None:
    retiree = enrolled_retiree(session)
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    csrf = login(client, "boss")
    response = client.put(
        f"/api/v1/regions/{retiree.community.id}/cycle-policy",
        json={"cycle_days": 182, "due_soon_days": 20, "grace_days": 30},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    bad = client.put(
        f"/api/v1/regions/{retiree.community.id}/cycle-policy",
        json={"cycle_days": 5, "due_soon_days": 20, "grace_days": 30},
        headers={"X-CSRF-Token": csrf},
    )
    assert bad.status_code == 422 and "cycle_days" in bad.json()["fields"]
