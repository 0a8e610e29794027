"""Rule 6 through HTTP: a death report (a worker's import or a single report) only holds
payment; an officer other than the reporter approves; a wrong report is reversed with arrears."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.certification.models import PaymentAction, PaymentChange
from lifecert.core.roles import Role
from lifecert.fraud.models import DeathRecord, DeathStatus
from lifecert.retirees.models import ImportJob, ImportStatus, RetireeStatus
from lifecert.retirees.service import reveal_id_number
from lifecert.system.clock import local_now
from tests.builders import admin_actor, login, make_city, make_community, make_retiree, make_staff
from tests.certification.trust_helpers import second_client


def _csv(number: str, name: str, died: str) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["身份证号", "姓名", "死亡日期"], [number, name, died]])
    return out.getvalue().encode()


def _changes(session: Session, retiree_id: int) -> list[PaymentChange]:
    return list(
        session.scalars(
            select(PaymentChange)
            .where(PaymentChange.retiree_id == retiree_id)
            .order_by(PaymentChange.id)
        )
    )


def test_worker_import_holds_payment_until_an_officer_approves_then_reversal_restores(
    client: TestClient, session: Session
) -> None:
    city = make_city(session)
    community = make_community(session, city=city)
    person = make_retiree(session, community=community, name="误报")
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[community], username="w")
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[city], username="o1")
    number = reveal_id_number(session, actor=admin_actor(), retiree_id=person.id)

    worker_csrf = login(client, "w")
    upload = client.post(
        "/api/v1/imports/deaths",
        files={"file": ("deaths.csv", _csv(number, "误报", "2026-10-03"), "text/csv")},
        headers={"X-CSRF-Token": worker_csrf},
    )
    assert upload.status_code == 202, upload.text
    session.commit()  # the request boundary (overridden in tests) runs the queued import
    job = session.get_one(ImportJob, upload.json()["id"])
    session.refresh(job)
    assert (job.status, job.created) == (ImportStatus.DONE, 1)
    death = session.scalars(select(DeathRecord).where(DeathRecord.retiree_id == person.id)).one()
    session.refresh(person)
    assert death.status == DeathStatus.PENDING and person.status == RetireeStatus.ACTIVE
    assert [c.action for c in _changes(session, person.id)] == [PaymentAction.HOLD]
    # The worker who reported may not approve (nor may any worker).
    refused = client.post(
        f"/api/v1/deaths/{death.id}/approve", headers={"X-CSRF-Token": worker_csrf}
    )
    assert refused.status_code == 403
    session.refresh(person)
    assert person.status == RetireeStatus.ACTIVE

    officer = second_client(client)
    officer_csrf = login(officer, "o1")
    pending = officer.get("/api/v1/deaths", params={"status": "pending"})
    assert [d["id"] for d in pending.json()] == [death.id]
    approved = officer.post(
        f"/api/v1/deaths/{death.id}/approve", headers={"X-CSRF-Token": officer_csrf}
    )
    assert approved.status_code == 200, approved.text
    session.refresh(person)
    assert person.status == RetireeStatus.DECEASED
    stop = _changes(session, person.id)[-1]
    assert (stop.action, stop.effective_date) == (PaymentAction.SUSPEND, date(2026, 10, 3))
    again = officer.post(
        f"/api/v1/deaths/{death.id}/approve", headers={"X-CSRF-Token": officer_csrf}
    )
    assert again.status_code == 409

    no_reason = officer.post(
        f"/api/v1/deaths/{death.id}/reverse",
        json={"reason": "x"},
        headers={"X-CSRF-Token": officer_csrf},
    )
    assert no_reason.status_code == 422
    reversed_ = officer.post(
        f"/api/v1/deaths/{death.id}/reverse",
        json={"reason": "本人到社区出示身份证，殡仪馆登记错误"},
        headers={"X-CSRF-Token": officer_csrf},
    )
    assert reversed_.status_code == 200, reversed_.text
    assert reversed_.json()["status"] == "reversed"
    session.refresh(person)
    assert person.status == RetireeStatus.ACTIVE
    resume = _changes(session, person.id)[-1]
    assert resume.action == PaymentAction.RESUME
    assert (resume.arrears_from, resume.arrears_to) == (date(2026, 10, 3), local_now().date())
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"death.approved", "death.reversed", "import.finished"} <= actions


def test_an_officer_cannot_approve_their_own_report(client: TestClient, session: Session) -> None:
    city = make_city(session)
    person = make_retiree(session, community=make_community(session, city=city))
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[city], username="o1")
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[city], username="o2")
    first_csrf = login(client, "o1")
    reported = client.post(
        "/api/v1/deaths",
        json={"retiree_id": person.id, "date_of_death": "2026-09-01", "source": "邻居"},
        headers={"X-CSRF-Token": first_csrf},
    )
    assert reported.status_code == 201, reported.text
    death_id = reported.json()["id"]
    assert [c.action for c in _changes(session, person.id)] == [PaymentAction.HOLD]
    own = client.post(f"/api/v1/deaths/{death_id}/approve", headers={"X-CSRF-Token": first_csrf})
    assert own.status_code == 403
    session.refresh(person)
    assert person.status == RetireeStatus.ACTIVE

    # The page uses the same service: the second officer sees the report and approves it.
    other = second_client(client)
    other_csrf = login(other, "o2")
    page = other.get("/deaths")
    assert f"/deaths/{death_id}/approve" in page.text and "暂缓发放" in page.text
    assert other.post(
        f"/deaths/{death_id}/approve", data={"csrf": other_csrf}
    ).status_code == 200
    session.refresh(person)
    assert person.status == RetireeStatus.DECEASED


def test_a_worker_of_another_community_cannot_see_or_decide(
    client: TestClient, session: Session
) -> None:
    city = make_city(session)
    person = make_retiree(session, community=make_community(session, city=city))
    far = make_city(session, code="110100", name="北京市")
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[far], username="far")
    csrf = login(client, "far")
    reported = client.post(
        "/api/v1/deaths",
        json={"retiree_id": person.id, "date_of_death": "2026-09-01"},
        headers={"X-CSRF-Token": csrf},
    )
    assert reported.status_code == 404
    huge = client.post(f"/api/v1/deaths/{10**20}/approve", headers={"X-CSRF-Token": csrf})
    assert huge.status_code == 422


def test_a_roster_import_cannot_mark_someone_dead(client: TestClient, session: Session) -> None:
    from tests.builders import write_roster

    city = make_city(session)
    community = make_community(session, city=city)
    person = make_retiree(session, community=community, name="在册")
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[community], username="w")
    number = reveal_id_number(session, actor=admin_actor(), retiree_id=person.id)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.csv"
        write_roster(path, [[number, "在册", community.code, "", "", "", ""]])
        text = path.read_text(encoding="utf-8").splitlines()
        body = "\n".join([text[0] + ",状态", text[1] + ",死亡"]).encode()
    csrf = login(client, "w")
    upload = client.post(
        "/api/v1/imports/roster",
        files={"file": ("roster.csv", body, "text/csv")},
        headers={"X-CSRF-Token": csrf},
    )
    assert upload.status_code == 202, upload.text
    session.commit()
    job = session.get_one(ImportJob, upload.json()["id"])
    session.refresh(job)
    session.refresh(person)
    assert (job.status, job.rejected) == (ImportStatus.DONE, 1)
    assert person.status == RetireeStatus.ACTIVE
