"""Security-relevant acts that leave an audit entry (and the chain still verifies after them):
staff accounts, passwords, cycle policy, API tokens, views of face pictures, nightly
suspensions, logout; and production refuses the demo password."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.audit.service import verify_chain
from lifecert.certification.cycle import run_cycle
from lifecert.core.roles import Role
from lifecert.enrollment.models import FaceTemplate
from lifecert.identity import service as identity
from lifecert.organisation.service import create_staff, get_staff_by_username, set_password
from tests.builders import actor_of, login, make_city, make_staff
from tests.certification.helpers import certify, enrolled_retiree

DAY = date(2026, 11, 26)


def _entries(session: Session, action: str) -> list[AuditEntry]:
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
    ))


def test_staff_creation_and_password_change_are_audited(session: Session) -> None:
    admin = make_staff(session, role=Role.PLATFORM_ADMIN, username="root2")
    staff = create_staff(session, username="clerk", password="a-long-password", full_name="X",
                         role=Role.ACADEMY_STAFF, actor=actor_of(admin))
    set_password(session, staff=staff, password="another-long-one", actor=actor_of(admin))
    [created] = [e for e in _entries(session, "staff.created") if e.target_id == str(staff.id)]
    assert created.actor_username == "root2" and created.details["role"] == "academy_staff"
    [changed] = _entries(session, "staff.password_changed")
    assert changed.target_id == str(staff.id) and "another" not in str(changed.details)
    assert verify_chain(session) == []


def test_api_tokens_and_cycle_policy_are_audited(client: TestClient, session: Session) -> None:
    city = make_city(session)
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[city], username="officer")
    headers = {"X-CSRF-Token": login(client, "officer")}
    token = client.post("/api/v1/auth/tokens", json={"name": "payroll"}, headers=headers).json()
    assert client.delete(f"/api/v1/auth/tokens/{token['id']}", headers=headers).status_code == 204
    policy = {"cycle_days": 180, "due_soon_days": 20, "grace_days": 30}
    put = client.put(f"/api/v1/regions/{city.id}/cycle-policy", json=policy, headers=headers)
    assert put.status_code == 200
    [created] = _entries(session, "api_token.created")
    [revoked] = _entries(session, "api_token.revoked")
    assert created.target_id == revoked.target_id == str(token["id"])
    assert token["token"] not in str(created.details)  # the secret is never written down
    [changed] = _entries(session, "policy.cycle_changed")
    assert changed.target_id == str(city.id) and changed.details["cycle_days"] == 180
    assert changed.actor_username == "officer"


def test_views_of_face_pictures_are_audited(client: TestClient, session: Session) -> None:
    retiree = enrolled_retiree(session)
    certification = certify(session, retiree, face_seed=1)
    template = session.scalars(select(FaceTemplate).where(FaceTemplate.retiree_id == retiree.id))
    template_id = next(iter(template)).id
    make_staff(session, role=Role.PLATFORM_ADMIN, username="reviewer")
    login(client, "reviewer")
    assert client.get(f"/templates/{template_id}/photo").status_code == 200
    assert client.get(f"/certifications/{certification.id}/frames/0").status_code == 200
    [photo] = _entries(session, "face.photo_viewed")
    [frame] = _entries(session, "face.frame_viewed")
    assert photo.actor_username == frame.actor_username == "reviewer"
    assert photo.details["retiree_id"] == frame.details["retiree_id"] == retiree.id


def test_each_nightly_suspension_is_audited(session: Session) -> None:
    retiree = enrolled_retiree(session)
    certify(session, retiree, face_seed=1, today=DAY)
    result = run_cycle(session, today=DAY + timedelta(days=500))
    assert result.suspended == [retiree.id]
    [entry] = _entries(session, "payment.suspended")
    assert entry.target_id == str(retiree.id) and entry.actor_id is None
    run_cycle(session, today=DAY + timedelta(days=500))  # a rerun suspends nobody again
    assert len(_entries(session, "payment.suspended")) == 1
    assert verify_chain(session) == []


def test_production_refuses_to_start_while_the_demo_password_works(session: Session) -> None:
    from lifecert.demo import DEMO_PASSWORD

    assert identity.DEMO_PASSWORD == DEMO_PASSWORD
    make_staff(session, role=Role.PLATFORM_ADMIN, username="other")
    identity.refuse_demo_passwords(session)  # no demo account: fine
    create_staff(session, username="admin", password=DEMO_PASSWORD, full_name="A",
                 role=Role.PLATFORM_ADMIN)
    with pytest.raises(RuntimeError, match="demo password still opens admin"):
        identity.refuse_demo_passwords(session)
    staff = get_staff_by_username(session, username="admin")
    assert staff is not None
    set_password(session, staff=staff, password="a-real-secret-password")
    identity.refuse_demo_passwords(session)
