"""The staff API: an XLSX upload runs as a job, the report, and an officer's reversal
(workers may not reverse)."""

from __future__ import annotations

import io
from datetime import timedelta

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.models import Certification, CertMode
from lifecert.core.crypto import get_keyring
from lifecert.core.roles import Role
from lifecert.retirees.models import CertState
from tests.builders import login, make_city, make_community, make_staff
from tests.life_signals.helpers import TODAY, due_person, enable_policy, make_sources


def test_xlsx_upload_report_and_reversal(session: Session, client: TestClient) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    make_sources(session)
    enable_policy(session, city)
    person = due_person(session, here, "表格导入")
    worker = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[here])
    officer = make_staff(session, role=Role.BUREAU_OFFICER, regions=[city])
    session.commit()
    number = get_keyring().decrypt_text(person.id_number_enc, context="retiree.id_number")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["身份证号", "日期"])
    for days in (3, 11):
        sheet.append([number, (TODAY - timedelta(days=days)).isoformat()])
    data = io.BytesIO()
    book.save(data)

    csrf = login(client, worker.username)
    upload = client.post(
        "/api/v1/life-signals/imports",
        files={"file": ("signals.xlsx", data.getvalue())},
        data={"source": "bank"},
        headers={"X-CSRF-Token": csrf},
    )
    assert upload.status_code == 202, upload.text
    assert upload.json()["status"] == "queued"
    session.commit()  # the request boundary (overridden in tests): the job runs after it
    job = client.get(f"/api/v1/imports/{upload.json()['id']}").json()
    assert (job["status"], job["created"], job["rejected"]) == ("done", 2, 0)
    session.refresh(person)
    assert person.cert_state == CertState.CERTIFIED
    cert = session.scalars(select(Certification).where(
        Certification.retiree_id == person.id, Certification.mode == CertMode.SILENT)).one()
    refused = client.post(f"/api/v1/life-signals/certifications/{cert.id}/reverse",
                          json={"reason": "核查有误"}, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403

    client.cookies.clear()
    csrf = login(client, officer.username)
    report = client.get("/api/v1/life-signals/report").json()
    # The face check 300 days ago and the silent one, in the last 12 months.
    assert [(r["certified"], r["silent"]) for r in report["regions"]] == [(2, 1)]
    assert report["by_source"] == {"bank": 1}
    assert {s["code"]: s["flagged"] for s in report["sources"]} == {
        "bank": False, "bus": False, "hospital": False
    }
    done = client.post(f"/api/v1/life-signals/certifications/{cert.id}/reverse",
                       json={"reason": "核查有误"}, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200, done.text
    assert done.json()["cert_state"] == "overdue"
