"""Cycle transitions, suspension and resumption with arrears, and the payer's export."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.cycle import Policy, run_cycle, set_policy
from lifecert.certification.models import (
    Certification,
    CertMode,
    Outcome,
    PaymentAction,
    PaymentChange,
)
from lifecert.core.db import utcnow
from lifecert.core.roles import Role
from lifecert.retirees.models import CertState, RetireeStatus
from tests.builders import login, make_staff
from tests.certification.helpers import certify, enrolled_retiree

DAY = date(2026, 11, 26)


def test_certified_then_due_soon_then_overdue_then_suspended(session: Session) -> None:
    retiree = enrolled_retiree(session)
    certify(session, retiree, face_seed=1, today=DAY)
    assert run_cycle(session, today=DAY + timedelta(days=300)).due_soon == []
    assert run_cycle(session, today=DAY + timedelta(days=340)).due_soon == [retiree.id]
    session.refresh(retiree)
    assert retiree.cert_state == CertState.DUE_SOON
    run_cycle(session, today=DAY + timedelta(days=366))
    session.refresh(retiree)
    assert retiree.cert_state == CertState.OVERDUE and retiree.status == RetireeStatus.ACTIVE
    result = run_cycle(session, today=DAY + timedelta(days=365 + 61))
    assert result.suspended == [retiree.id]
    session.refresh(retiree)
    assert retiree.status == RetireeStatus.SUSPENDED
    again = run_cycle(session, today=DAY + timedelta(days=365 + 61))
    assert again.suspended == [] and again.due_soon == []
    changes = session.scalars(select(PaymentChange)).all()
    assert [c.action for c in changes] == [PaymentAction.SUSPEND]


def test_certifying_again_resumes_payment_with_arrears(session: Session) -> None:
    retiree = enrolled_retiree(session)
    certify(session, retiree, face_seed=1, today=DAY)
    stop_day = DAY + timedelta(days=365 + 61)
    run_cycle(session, today=stop_day)
    back = stop_day + timedelta(days=40)
    result = certify(session, retiree, face_seed=1, today=back)
    assert result.outcome == Outcome.CERTIFIED and retiree.status == RetireeStatus.ACTIVE
    resume = session.scalars(
        select(PaymentChange).where(PaymentChange.action == PaymentAction.RESUME)
    ).one()
    assert (resume.arrears_from, resume.arrears_to) == (stop_day, back)


def test_region_policy_sets_a_six_month_cycle(session: Session) -> None:
    retiree = enrolled_retiree(session)
    set_policy(
        session,
        region_id=retiree.community.id,
        policy=Policy(cycle_days=182, due_soon_days=20, grace_days=30),
    )
    result = certify(session, retiree, face_seed=1, today=DAY)
    assert result.valid_until == DAY + timedelta(days=182)
    assert retiree.due_soon_from == DAY + timedelta(days=162)


def test_no_suspension_after_a_system_fault_or_during_review(session: Session) -> None:
    faulty = enrolled_retiree(session, name="故障")
    reviewed = enrolled_retiree(session, name="审核", community=faulty.community)
    for person in (faulty, reviewed):
        person.cert_state, person.valid_until = CertState.OVERDUE, DAY - timedelta(days=200)
    reviewed.cert_state = CertState.UNDER_REVIEW
    session.add(
        Certification(
            retiree_id=faulty.id,
            mode=CertMode.SELF,
            outcome=Outcome.SYSTEM_FAULT,
            created_at=utcnow(),
            counts_as_attempt=False,
        )
    )
    session.flush()
    assert run_cycle(session, today=DAY).suspended == []


def test_payment_changes_api_is_a_cursor_and_csv(client: TestClient, session: Session) -> None:
    retiree = enrolled_retiree(session)
    certify(session, retiree, face_seed=1, today=DAY)
    run_cycle(session, today=DAY + timedelta(days=500))
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    login(client, "boss")
    page = client.get("/api/v1/payments/changes?since=0").json()
    assert [c["action"] for c in page["changes"]] == ["suspend"]
    assert len(page["changes"][0]["id_number"]) == 18
    assert (
        client.get(f"/api/v1/payments/changes?since={page['next_since']}").json()["changes"] == []
    )
    csv_text = client.get("/api/v1/payments/changes.csv").content.decode("utf-8-sig")
    assert "暂停发放" in csv_text and retiree.name in csv_text  # the reader's language
    assert "宽限期" in csv_text and "not certified" not in csv_text
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[retiree.community], username="w")
    login(client, "w")
    assert client.get("/api/v1/payments/changes").status_code == 403


def test_nightly_task_runs_once_a_day_and_reminds_once(session: Session) -> None:
    from lifecert.certification.tasks import run_cycle_task
    from lifecert.core.sms import DevGateway, get_sms_gateway

    retiree = enrolled_retiree(session)
    certify(session, retiree, face_seed=1, today=DAY)
    gateway = get_sms_gateway()
    assert isinstance(gateway, DevGateway)
    before = len(gateway.sent)
    day = (DAY + timedelta(days=340)).isoformat()
    first = run_cycle_task(day)
    again = run_cycle_task(day)
    assert first["due_soon"] == 1 and again.get("skipped") is True
    assert len(gateway.sent) == before + 1 and "有效期至" in gateway.sent[0].text
