"""Trust rules 1 and 2 through HTTP: a spoof never certifies, and no face check without
consent or on the in-person route."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.decide import tries_today
from lifecert.certification.models import Certification, ReviewCase
from lifecert.core.faces import use_face_engine
from lifecert.core.roles import Role
from lifecert.core.settings import get_settings
from lifecert.enrollment import service as enrollment
from lifecert.fraud.models import Alert, AlertKind
from lifecert.retirees.models import CertRoute, CertState
from tests.builders import admin_actor, login, make_city, make_community, make_retiree, make_staff
from tests.certification.helpers import enrolled_retiree
from tests.certification.trust_helpers import face_check, phone_login, second_client, use_pad


@pytest.fixture(autouse=True)
def _restore_engine() -> Iterator[None]:
    yield
    use_face_engine(None)


def test_attack_then_pass_ends_in_review_and_the_attack_counts(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    csrf = phone_login(client, session, retiree)
    use_pad("attack", 0.97)
    attacked = face_check(client, csrf, face_seed=1)
    assert attacked.status_code == 200, attacked.text
    assert (attacked.json()["outcome"], attacked.json()["reason"]) == (
        "review",
        "presentation_attack",
    )
    case = session.scalars(
        select(Alert).where(Alert.kind == AlertKind.PRESENTATION_ATTACK)
    ).one()
    assert case.evidence["certification_id"] == attacked.json()["id"]
    assert [link.retiree_id for link in case.links] == [retiree.id]
    assert tries_today(session, retiree.id) == 1  # the attack counts as an attempt

    use_pad("live", 0.05)
    passed = face_check(client, csrf, face_seed=1)
    assert passed.status_code == 200, passed.text
    body = passed.json()
    assert (body["outcome"], body["reason"], body["valid_until"]) == (
        "review",
        "attack_case_open",
        None,
    )
    held = session.get_one(Certification, body["id"])
    assert held.evidence["attack_cases"] == [case.id]
    review = session.scalars(
        select(ReviewCase).where(ReviewCase.certification_id == held.id)
    ).one()
    assert review.summary == f"attack_case_open alert #{case.id}"
    session.refresh(retiree)
    assert retiree.cert_state == CertState.UNDER_REVIEW and retiree.valid_until is None

    # With one try a day, the attack used it up: the next check is refused.
    monkeypatch.setattr(get_settings().certification, "max_tries_per_day", 1)
    assert face_check(client, csrf, face_seed=1).status_code == 429


def test_officer_case_decision_releases_or_confirms(client: TestClient, session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    csrf = phone_login(client, session, retiree)
    use_pad("attack", 0.97)
    face_check(client, csrf, face_seed=1)
    use_pad("live", 0.05)
    held = face_check(client, csrf, face_seed=1).json()
    alert = session.scalars(select(Alert).where(Alert.kind == AlertKind.PRESENTATION_ATTACK)).one()
    review = session.scalars(
        select(ReviewCase).where(ReviewCase.certification_id == held["id"])
    ).one()

    officer = second_client(client)
    staff_csrf = login(officer, "boss")
    headers = {"X-CSRF-Token": staff_csrf}
    # Approving the held pass while the attack case is undecided is refused.
    refused = officer.post(
        f"/reviews/{review.id}", data={"decision": "approved", "csrf": staff_csrf}
    )
    assert refused.status_code == 409
    resolved = officer.post(
        f"/api/v1/alerts/{alert.id}/resolve",
        json={"outcome": "false_alarm", "note": "the daughter held a photo by mistake"},
        headers=headers,
    )
    assert resolved.status_code == 200, resolved.text
    released = face_check(client, csrf, face_seed=1).json()
    assert released["outcome"] == "certified"


def test_confirmed_attack_keeps_holding_later_passes(client: TestClient, session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    csrf = phone_login(client, session, retiree)
    use_pad("attack", 0.97)
    face_check(client, csrf, face_seed=1)
    alert = session.scalars(select(Alert).where(Alert.kind == AlertKind.PRESENTATION_ATTACK)).one()
    officer = second_client(client)
    staff_csrf = login(officer, "boss")
    confirmed = officer.post(
        f"/api/v1/alerts/{alert.id}/resolve",
        json={"outcome": "fraud_confirmed", "note": "a printed photo"},
        headers={"X-CSRF-Token": staff_csrf},
    )
    assert confirmed.status_code == 200
    use_pad("live", 0.05)
    later = face_check(client, csrf, face_seed=1).json()
    assert (later["outcome"], later["reason"]) == ("review", "attack_case_open")


def test_no_challenge_without_active_consent(client: TestClient, session: Session) -> None:
    retiree = make_retiree(session, community=make_community(session, city=make_city(session)))
    csrf = phone_login(client, session, retiree)
    refused = face_check(client, csrf, face_seed=1)
    assert refused.status_code == 409
    assert "同意" in refused.json()["detail"] and "上门" in refused.json()["detail"]
    assert session.scalar(select(Certification.id)) is None
    page = client.get("/m/check")
    assert page.status_code == 409 and "上门" in page.text


def test_no_challenge_after_consent_withdrawn_or_on_the_in_person_route(
    client: TestClient, session: Session
) -> None:
    retiree = enrolled_retiree(session, face_seed=2)
    csrf = phone_login(client, session, retiree)
    assert face_check(client, csrf, face_seed=2).json()["outcome"] == "certified"
    enrollment.withdraw_consent(session, actor=admin_actor(), retiree_id=retiree.id)
    assert retiree.route == CertRoute.NON_FACE
    refused = face_check(client, csrf, face_seed=2)
    assert refused.status_code == 409 and "上门" in refused.json()["detail"]


def test_worker_home_visit_also_needs_consent(client: TestClient, session: Session) -> None:
    community = make_community(session, city=make_city(session))
    retiree = make_retiree(session, community=community)
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[community], username="w")
    csrf = login(client, "w")
    refused = face_check(client, csrf, face_seed=1, retiree_id=retiree.id)
    assert refused.status_code == 409
