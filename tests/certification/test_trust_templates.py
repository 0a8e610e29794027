"""Trust rules 3 and 4: an approved first certification becomes the reference; refresh
templates only from clean automatic passes, at most K per person, removable by an officer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.certification.challenges import Helper
from lifecert.certification.models import CertMode, FamilyHelper, Outcome, ReviewCase
from lifecert.core.roles import Role
from lifecert.core.settings import get_settings
from lifecert.enrollment.models import FaceTemplate, TemplateSource, TemplateStatus
from tests.builders import login, make_staff
from tests.certification.helpers import certify, consenting_retiree, enrolled_retiree
from tests.certification.trust_helpers import face_check, phone_login, second_client


def _templates(session: Session, retiree_id: int) -> list[FaceTemplate]:
    return list(
        session.scalars(
            select(FaceTemplate)
            .where(FaceTemplate.retiree_id == retiree_id)
            .order_by(FaceTemplate.id)
        )
    )


def test_approved_first_certification_becomes_the_reference(
    client: TestClient, session: Session
) -> None:
    retiree = consenting_retiree(session)
    city = retiree.community.parent.parent.parent
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[city], username="officer")
    csrf = phone_login(client, session, retiree)
    first = face_check(client, csrf, face_seed=3).json()
    assert (first["outcome"], first["reason"]) == ("review", "no_reference")
    [pending] = _templates(session, retiree.id)
    assert pending.status == TemplateStatus.PENDING_REVIEW
    assert pending.source == TemplateSource.FIRST_CERTIFICATION

    officer = second_client(client)
    officer_csrf = login(officer, "officer")
    case = session.scalars(
        select(ReviewCase).where(ReviewCase.certification_id == first["id"])
    ).one()
    decided = officer.post(f"/reviews/{case.id}", data={"decision": "approved",
                                                       "csrf": officer_csrf})
    assert decided.status_code == 200
    session.refresh(pending)
    assert pending.status == TemplateStatus.ACTIVE
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "template.enrolled")
    ).one()
    assert entry.details["provenance"] == "approved first certification"
    # The next check no longer fails the same way: it matches the approved face.
    assert face_check(client, csrf, face_seed=3).json()["outcome"] == "certified"


def test_rejected_first_certification_leaves_no_reference(
    client: TestClient, session: Session
) -> None:
    retiree = consenting_retiree(session)
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    csrf = phone_login(client, session, retiree)
    first = face_check(client, csrf, face_seed=3).json()
    officer = second_client(client)
    officer_csrf = login(officer, "boss")
    case = session.scalars(select(ReviewCase)).one()
    officer.post(f"/reviews/{case.id}", data={"decision": "rejected", "note": "不是本人",
                                              "csrf": officer_csrf})
    assert [t.status for t in _templates(session, retiree.id)] == [TemplateStatus.REJECTED]
    again = face_check(client, csrf, face_seed=3).json()
    assert (again["outcome"], again["reason"]) == ("review", "no_reference")
    assert first["id"] != again["id"]


def test_refresh_templates_are_bounded_to_k_newest(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings().certification, "refresh_max_templates", 4)
    retiree = enrolled_retiree(session, face_seed=1)
    ids = []
    for _ in range(6):
        result = certify(session, retiree, face_seed=1)
        assert result.outcome == Outcome.CERTIFIED
        refresh = _templates(session, retiree.id)[-1]
        ids.append(refresh.id)
    templates = _templates(session, retiree.id)
    sources = [t.source for t in templates]
    assert sources.count(TemplateSource.STAFF_CAPTURE) == 1  # the enrolled one stays
    assert [t.id for t in templates if t.source == TemplateSource.CERTIFICATION] == ids[-4:]
    audit = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "template.refreshed")
    ).all()
    assert len(audit) == 6 and audit[-1].details["dropped"] == [ids[1]]


def test_no_refresh_inside_the_margin_or_from_a_helpers_phone(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    # A pass must be closer than (1 - margin) × the accept distance: with 1.0, none is.
    monkeypatch.setattr(get_settings().certification, "refresh_margin", 1.0)
    assert certify(session, retiree, face_seed=1).outcome == Outcome.CERTIFIED
    assert len(_templates(session, retiree.id)) == 1
    monkeypatch.setattr(get_settings().certification, "refresh_margin", 0.0)
    helper = FamilyHelper(name="儿子", phone="13900000001", id_number_hash="x" * 64)
    session.add(helper)
    session.flush()
    proxy = certify(session, retiree, face_seed=1, mode=CertMode.PROXY,
                    helper=Helper(family_id=helper.id))
    assert proxy.outcome == Outcome.CERTIFIED
    assert len(_templates(session, retiree.id)) == 1
    assert certify(session, retiree, face_seed=1).outcome == Outcome.CERTIFIED
    assert len(_templates(session, retiree.id)) == 2  # the same pass, own phone: refreshed


def test_an_officer_removes_a_refresh_template(client: TestClient, session: Session) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    certify(session, retiree, face_seed=1)
    refresh = _templates(session, retiree.id)[-1]
    assert refresh.source == TemplateSource.CERTIFICATION
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[retiree.community], username="w")
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    worker = second_client(client)
    worker_csrf = login(worker, "w")
    denied = worker.post(f"/api/v1/templates/{refresh.id}/remove", json={"reason": "可疑"},
                         headers={"X-CSRF-Token": worker_csrf})
    assert denied.status_code == 403
    csrf = login(client, "boss")
    removed = client.post(f"/api/v1/templates/{refresh.id}/remove",
                          json={"reason": "翻拍嫌疑"}, headers={"X-CSRF-Token": csrf})
    assert removed.status_code == 200, removed.text
    assert [t.source for t in _templates(session, retiree.id)] == [TemplateSource.STAFF_CAPTURE]
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "template.removed")
    ).one()
    assert entry.details["reason"] == "翻拍嫌疑"
    huge = client.post(f"/api/v1/templates/{10**20}/remove", json={"reason": "x"},
                       headers={"X-CSRF-Token": csrf})
    assert huge.status_code == 422
