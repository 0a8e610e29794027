"""Signal files run as jobs with progress and a row-level report, then certify silently;
partners post batches with their key; the same file twice adds nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.core.crypto import get_keyring
from lifecert.core.roles import Role
from lifecert.life_signals.imports import run_signal_import, start_signal_import
from lifecert.life_signals.models import LifeSignal
from lifecert.retirees.imports import error_report_csv
from lifecert.retirees.models import CertState, ImportJob, ImportStatus, Retiree
from tests.builders import admin_actor, login, make_city, make_community, make_staff
from tests.life_signals.helpers import (
    PARTNER_KEY,
    TODAY,
    due_person,
    enable_policy,
    make_sources,
)
from tests.retirees.test_malformed_imports import _xlsx_with_damaged_sheet


def _number(person: Retiree) -> str:
    return get_keyring().decrypt_text(person.id_number_enc, context="retiree.id_number")


def test_file_import_reports_bad_rows_and_certifies(session: Session, tmp_path: Path) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    make_sources(session)
    enable_policy(session, city)
    person = due_person(session, here, "文件导入")
    day = (TODAY - timedelta(days=3)).isoformat()
    lines = [
        "身份证号,日期,来源",
        f"{_number(person)},{day},hospital",
        f"{_number(person)},{(TODAY - timedelta(days=9)).isoformat()},",  # default source
        f"{_number(person)},{day},hospital",  # the same event twice: kept once
        "110101194001011234,2026-01-01,hospital",  # bad checksum
        f"{_number(person)},{day},nosuch",
        f"{_number(person)},{(TODAY + timedelta(days=2)).isoformat()},hospital",
        "110101195001010014,2026-01-01,hospital",  # valid number, nobody registered
    ]
    data = "\n".join(lines).encode()
    progress: list[int] = []
    job = start_signal_import(session, actor=admin_actor(), filename="signals.csv", data=data,
                              source="hospital", run_now=False)
    job = run_signal_import(session, job_id=job.id, progress=lambda j: progress.append(j.processed))
    assert job.status == ImportStatus.DONE
    assert (job.processed, job.created, job.unchanged, job.rejected) == (7, 2, 1, 4)
    assert job.options["silent_certified"] == 1
    session.refresh(person)
    assert person.cert_state == CertState.CERTIFIED
    report = error_report_csv(session, actor=admin_actor(), job_id=job.id)
    for line in ("5,", "6,", "7,", "8,"):
        assert f"\n{line}" in report.replace("\r\n", "\n")
    # The same file again adds no signal.
    again = start_signal_import(session, actor=admin_actor(), filename="signals.csv", data=data,
                                source="hospital", run_now=False)
    again = run_signal_import(session, job_id=again.id)
    assert again.created == 0 and again.unchanged == 3
    assert session.scalar(select(func.count()).select_from(LifeSignal)) == 2


def test_partner_api_needs_the_key(session: Session, client: TestClient) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    make_sources(session)
    person = due_person(session, here, "接口")
    body = {"events": [{"id_number": _number(person), "date": TODAY.isoformat()},
                       {"id_number": "123", "date": TODAY.isoformat()}]}
    assert client.post("/api/v1/life-signals", json=body).status_code == 401
    bad = client.post("/api/v1/life-signals", json=body, headers={"X-Partner-Key": "wrong"})
    assert bad.status_code == 401
    ok = client.post("/api/v1/life-signals", json=body, headers={"X-Partner-Key": PARTNER_KEY})
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"received": 2, "created": 1, "refused": [1]}


def test_admin_adds_a_source_whose_key_then_works(session: Session, client: TestClient) -> None:
    from lifecert.core.roles import Role
    from tests.builders import login, make_staff

    city = make_city(session)
    here = make_community(session, city=city)
    make_staff(session, role=Role.PLATFORM_ADMIN, username="root22")
    person = due_person(session, here, "新来源")
    session.commit()
    csrf = login(client, "root22")
    made = client.post("/api/v1/life-signals/sources", headers={"X-CSRF-Token": csrf},
                       json={"code": "care_x", "name": "居家养老服务中心", "kind": "care_visit",
                             "trust_level": 2})
    assert made.status_code == 201, made.text
    policy = client.put(f"/api/v1/life-signals/policies/{city.id}",
                        headers={"X-CSRF-Token": csrf},
                        json={"enabled": True, "min_signals": 1, "sources": ["care_x"]})
    assert policy.status_code == 200, policy.text
    client.cookies.clear()
    key = made.json()["partner_key"]
    body = {"events": [{"id_number": _number(person), "date": TODAY.isoformat()}]}
    posted = client.post("/api/v1/life-signals", json=body, headers={"X-Partner-Key": key})
    assert posted.json() == {"received": 1, "created": 1, "refused": []}


def test_a_broken_file_is_refused_at_upload_and_no_job_is_left(
    session: Session, client: TestClient
) -> None:
    # The same upload checks as the roster and death imports (retirees.imports).
    make_staff(session, role=Role.PLATFORM_ADMIN, username="signals")
    csrf = login(client, "signals")
    jobs_before = session.scalar(select(func.count()).select_from(ImportJob))
    for name, data in (("cut.xlsx", b"PK\x03\x04 not a workbook"), ("empty.csv", b"")):
        answer = client.post(
            "/api/v1/life-signals/imports",
            headers={"X-CSRF-Token": csrf},
            files={"file": (name, data)},
        )
        assert 400 <= answer.status_code < 500, (name, answer.status_code, answer.text)
    assert session.scalar(select(func.count()).select_from(ImportJob)) == jobs_before


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("huge-field.csv", "身份证号,日期,来源\n".encode() + b"1" * (128 * 1024) + b",x,y\n"),
        ("bad-utf8.csv",
         "身份证号,日期,来源\n".encode() + b"a,b,c\n" * 12_000 + b"\xff\xfe,\xc3\n"),
        ("damaged.xlsx", _xlsx_with_damaged_sheet()),
    ],
)
def test_malformed_signal_files_fail_cleanly(
    session: Session, client: TestClient, name: str, data: bytes
) -> None:
    # As for rosters and deaths (issue 17): a 4xx at upload or a failed job with a message;
    # never a 5xx, a job left running, or signals half written.
    make_staff(session, role=Role.PLATFORM_ADMIN, username="signals")
    csrf = login(client, "signals")
    signals_before = session.scalar(select(func.count()).select_from(LifeSignal))
    answer = client.post("/api/v1/life-signals/imports", headers={"X-CSRF-Token": csrf},
                         files={"file": (name, data)})
    assert answer.status_code < 500, answer.text
    if answer.status_code == 202:
        job = session.get_one(ImportJob, answer.json()["id"])
        if job.status == ImportStatus.QUEUED:  # the test client never commits: run the job
            job = run_signal_import(session, job_id=job.id)
        assert job.status in (ImportStatus.FAILED, ImportStatus.DONE), job.status
        if job.status == ImportStatus.FAILED:
            assert job.error
            assert session.scalar(select(func.count()).select_from(LifeSignal)) == signals_before
    running = session.scalar(select(func.count()).select_from(ImportJob).where(
        ImportJob.status.in_((ImportStatus.QUEUED, ImportStatus.RUNNING))))
    assert running == 0


def test_an_unexpected_error_fails_the_job_and_a_rerun_leaves_it(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shared job rules (retirees.jobs): any error ends the job with a message, never
    # "running", and a redelivered task does not run a finished job again.
    from lifecert.life_signals import imports

    make_sources(session)
    job = start_signal_import(session, actor=admin_actor(), filename="s.csv", run_now=False,
                              data="身份证号,日期,来源\n110101195001010014,2026-01-01,x\n".encode())

    def broken(*_args: object) -> object:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(imports._Parser, "parse", broken)
    job = run_signal_import(session, job_id=job.id)
    assert job.status == ImportStatus.FAILED and job.error
    monkeypatch.undo()
    assert run_signal_import(session, job_id=job.id).status == ImportStatus.FAILED
