"""The frame budget at the API: the challenge states what the phone may send; more is refused."""

from __future__ import annotations

import json
import math
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.certification.budget import frames_allowed
from lifecert.certification.challenges import issue_challenge
from lifecert.certification.models import Certification, CertMode
from lifecert.core.errors import PayloadTooLarge
from lifecert.core.settings import get_settings
from tests.certification.helpers import BINDING, certify, enrolled_retiree, frames_of, jpeg


def _phone(client: TestClient, session: Session) -> dict[str, str]:
    retiree = enrolled_retiree(session, face_seed=4)
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=retiree.id)}")
    match = re.search(r'data-csrf="([^"]+)"', client.get("/m/check").text)
    assert match
    return {"X-CSRF-Token": match.group(1)}


def _send(client: TestClient, csrf: dict[str, str], nonce: str, count: int) -> object:
    frame = jpeg(4)
    return client.post(
        "/api/v1/certify/submit",
        headers=csrf,
        files=[("frames", (f"f{i}.jpg", frame, "image/jpeg")) for i in range(count)],
        data={"nonce": nonce, "times": json.dumps([i * 125 for i in range(count)])},
    )


def test_challenge_states_the_capture_plan(client: TestClient, session: Session) -> None:
    csrf = _phone(client, session)
    body = client.post("/api/v1/certify/challenge", headers=csrf).json()
    limits = get_settings().certification
    plan = body["capture"]
    assert plan["fps"] == limits.capture_fps == 8
    assert plan["neutral_ms"] == limits.neutral_ms and plan["action_ms"] == limits.action_ms
    seconds = (limits.neutral_ms + len(body["actions"]) * limits.action_ms) / 1000
    assert plan["max_frames"] == math.ceil(seconds * limits.capture_fps) + 4
    assert plan["max_frames"] < limits.max_frames  # tighter than the absolute cap


def test_more_frames_than_the_challenge_allows_are_refused(
    client: TestClient, session: Session
) -> None:
    csrf = _phone(client, session)
    body = client.post("/api/v1/certify/challenge", headers=csrf).json()
    most = body["capture"]["max_frames"]
    response = _send(client, csrf, body["nonce"], most + 1)
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert "图片太多" in response.json()["detail"]  # type: ignore[attr-defined]
    fresh = client.post("/api/v1/certify/challenge", headers=csrf).json()
    accepted = _send(client, csrf, fresh["nonce"], fresh["capture"]["max_frames"])
    assert accepted.status_code == 200, accepted.text  # type: ignore[attr-defined]


def test_service_refuses_before_any_face_work(session: Session) -> None:
    from lifecert.certification.decide import Context
    from lifecert.certification.service import certify_with_face

    retiree = enrolled_retiree(session, face_seed=2)
    challenge = issue_challenge(
        session, retiree_id=retiree.id, mode=CertMode.SELF, client_binding=BINDING
    )
    too_many = frames_of(2, frames_allowed(challenge.actions) + 1)
    try:
        certify_with_face(
            session,
            nonce=challenge.nonce,
            client_binding=BINDING,
            frames=too_many,
            context=Context(),
        )
    except PayloadTooLarge:
        pass
    else:
        raise AssertionError("more frames than the challenge allows were accepted")
    assert session.query(Certification).count() == 0


def test_decision_evidence_says_what_the_budget_did(session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=3)
    certification = certify(session, retiree, face_seed=3)
    budget = certification.evidence["budget"]
    assert budget["frames"] == 8 and 1 <= budget["decoded"] <= 8
    assert budget["landmark_stride"] >= 1 and "computed" in budget
