"""Applications: eligibility refused at once, the community asks for more, the elder
answers, approval makes an allowance payment (exported by cursor, audited); a refusal shows
its reason on the elder's phone in zh-CN; workers of other communities cannot decide."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.certification.access import issue_invitation
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.roles import Role
from lifecert.notifications.models import OutboxMessage
from lifecert.services.applications import (
    Decision,
    answer_more_info,
    apply_for,
    decide_application,
    remind_pending,
    review_queue,
)
from lifecert.services.models import AllowancePayment, ApplicationStatus
from lifecert.services.payments import payments_csv, payments_since
from tests.builders import actor_of, login, make_city, make_community, make_retiree, make_staff
from tests.services.helpers import city_directory

TODAY = date(2026, 12, 4)


def test_workflow_to_payment(session: Session) -> None:
    city = make_city(session)
    here, there = make_community(session, city=city), make_community(session, city=city)
    allowance = city_directory(session, city)["allowance"]
    elder = make_retiree(session, community=here, name="王奶奶", birth=date(1938, 5, 1))
    young = make_retiree(session, community=here, name="李阿姨", birth=date(1958, 5, 1))
    worker = actor_of(make_staff(session, role=Role.COMMUNITY_WORKER, regions=[here]))
    stranger = actor_of(make_staff(session, role=Role.COMMUNITY_WORKER, regions=[there]))
    officer = actor_of(make_staff(session, role=Role.BUREAU_OFFICER, regions=[city]))

    with pytest.raises(InvalidInput) as refused:
        apply_for(session, retiree=young, service_id=allowance.id, today=TODAY)
    assert refused.value.params == {"need": "80", "age": "68"}
    app = apply_for(session, retiree=elder, service_id=allowance.id, note="请尽快", today=TODAY)
    assert app.form["name"] == "王奶奶" and app.form["age"] == "88"
    assert app.respond_by == date(2026, 12, 14)
    with pytest.raises(Conflict):
        apply_for(session, retiree=elder, service_id=allowance.id, today=TODAY)
    assert [a.id for a, _s, _r in review_queue(session, actor=worker)] == [app.id]
    assert review_queue(session, actor=stranger) == []
    with pytest.raises(NotFound):
        decide_application(session, actor=stranger, application_id=app.id,
                           decision=Decision.APPROVE)
    with pytest.raises(InvalidInput):
        decide_application(session, actor=worker, application_id=app.id,
                           decision=Decision.REFUSE)

    decide_application(session, actor=worker, application_id=app.id,
                       decision=Decision.MORE_INFO, note="请补充户口簿照片")
    assert app.status == ApplicationStatus.MORE_INFO
    answer_more_info(session, retiree=elder, application_id=app.id, note="已交到社区")
    decide_application(session, actor=worker, application_id=app.id,
                       decision=Decision.APPROVE, today=TODAY)
    assert app.status == ApplicationStatus.APPROVED
    payment = session.scalars(select(AllowancePayment)).one()
    assert (payment.monthly_amount, payment.start_month) == (200, date(2027, 1, 1))
    with pytest.raises(Conflict):
        decide_application(session, actor=worker, application_id=app.id,
                           decision=Decision.REFUSE, note="不")

    rows = list(csv.DictReader(io.StringIO(payments_csv(session, actor=officer, since_id=0))))
    assert [(r["name"], r["service_code"], r["monthly_amount"]) for r in rows] == [
        ("王奶奶", "elderly_allowance", "200")
    ]
    assert payments_since(session, actor=officer, since_id=payment.id) == []
    texts = session.scalars(
        select(OutboxMessage.text).where(OutboxMessage.retiree_id == elder.id)
    ).all()
    assert any("请补充户口簿照片" in t for t in texts) and any("高龄津贴" in t for t in texts)
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"services.applied", "services.decided", "services.answered",
            "services.payments_exported"} <= actions


def test_reminder_for_unanswered_request(session: Session) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    allowance = city_directory(session, city)["allowance"]
    elder = make_retiree(session, community=here, name="赵爷爷", birth=date(1930, 1, 1))
    worker = actor_of(make_staff(session, role=Role.COMMUNITY_WORKER, regions=[here]))
    app = apply_for(session, retiree=elder, service_id=allowance.id, today=TODAY)
    decide_application(session, actor=worker, application_id=app.id,
                       decision=Decision.MORE_INFO, note="请带身份证")
    assert remind_pending(session, today=TODAY)["reminded"] == 0  # not yet 3 days
    from datetime import timedelta

    from lifecert.core.db import utcnow

    app.updated_at = utcnow() - timedelta(days=4)
    session.flush()
    assert remind_pending(session, today=TODAY) == {"reminded": 1, "past_deadline": 0}
    assert remind_pending(session, today=TODAY)["reminded"] == 0  # once
    assert remind_pending(session, today=date(2027, 1, 30))["past_deadline"] == 0


def test_refusal_reason_on_the_phone_in_chinese(session: Session, client: TestClient) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    allowance = city_directory(session, city)["allowance"]
    elder = make_retiree(session, community=here, name="孙奶奶", birth=date(1935, 2, 2))
    staff = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[here])
    app = apply_for(session, retiree=elder, service_id=allowance.id)
    session.commit()
    csrf = login(client, staff.username)
    page = client.get(f"/service-applications/{app.id}")
    assert page.status_code == 200 and "孙奶奶" in page.text
    response = client.post(f"/service-applications/{app.id}",
                           data={"decision": "refuse", "note": "户籍不在本市", "csrf": csrf},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    client.cookies.clear()
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=elder.id)}")
    phone = client.get(f"/m/applications/{app.id}", headers={"Accept-Language": "zh-CN"})
    assert phone.status_code == 200
    assert "未通过" in phone.text and "原因" in phone.text and "户籍不在本市" in phone.text
    listing = client.get("/m/services?q=gljt").text
    assert "高龄津贴" in listing and "医保卡补办" not in listing


def test_another_community_can_neither_see_nor_decide(
    session: Session, client: TestClient
) -> None:
    city = make_city(session)
    here, there = make_community(session, city=city), make_community(session, city=city)
    allowance = city_directory(session, city)["allowance"]
    elder = make_retiree(session, community=here, name="孙奶奶", birth=date(1935, 2, 2))
    stranger = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[there])
    app = apply_for(session, retiree=elder, service_id=allowance.id)
    session.commit()
    csrf = login(client, stranger.username)
    assert client.get(f"/service-applications/{app.id}").status_code == 404
    page = client.post(f"/service-applications/{app.id}",
                       data={"decision": "approve", "note": "", "csrf": csrf},
                       follow_redirects=False)
    assert page.status_code == 404
    api = client.post(f"/api/v1/services/applications/{app.id}/decision",
                      headers={"X-CSRF-Token": csrf}, json={"decision": "approve", "note": ""})
    assert api.status_code == 404
    listed = client.get("/api/v1/services/applications").json()
    assert all(row["id"] != app.id for row in listed)
    session.refresh(app)
    assert app.status == ApplicationStatus.SUBMITTED
