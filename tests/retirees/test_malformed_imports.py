"""Malformed import files, sent through the upload pages as a worker would: a readable failure
(or a 4xx at upload), never a 5xx, no job left running, nothing partial written. Plus the
reaper for jobs whose worker died and the retention of uploaded files."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.core.db import utcnow
from lifecert.core.roles import Role
from lifecert.core.storage import get_blob_store
from lifecert.fraud.models import DeathRecord
from lifecert.retirees.idnumber import build_id_number
from lifecert.retirees.imports import error_report_csv
from lifecert.retirees.jobs import purge_import_uploads, reap_stale_jobs
from lifecert.retirees.models import ImportJob, ImportKind, ImportStatus, Retiree
from tests.builders import admin_actor, login, make_city, make_community, make_staff

HEADER = "身份证号,姓名,社区代码\n"
DEATH_HEADER = "身份证号,姓名,死亡日期\n"


def _ids(n: int) -> list[str]:
    return [build_id_number("430102", date(1940 + i % 30, 5, 6), i + 1) for i in range(n)]


def _roster(code: str, n: int) -> bytes:
    return (HEADER + "".join(f"{x},人{i},{code}\n" for i, x in enumerate(_ids(n)))).encode()


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["身份证号", "姓名", "社区代码"])
    sheet.append([_ids(1)[0], "表格人", "X"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_with_damaged_sheet() -> bytes:
    """A valid ZIP whose worksheet XML is cut in the middle."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            target.writestr(info, data)
    return out.getvalue()


def _malformed(code: str) -> dict[str, tuple[str, str, bytes]]:
    good = _roster(code, 2500)  # more than one chunk of good rows before the damage
    return {
        "128 KB field": ("/imports/roster", "big.csv", good + b"1," + b"x" * 131_073 + b",c\n"),
        "bad UTF-8 after 64 KB": ("/imports/roster", "bad.csv", good + b"\xff\xfe,\xff,x\n"),
        "damaged XLSX": ("/imports/roster", "broken.xlsx", _xlsx_with_damaged_sheet()),
        "cut XLSX": ("/imports/roster", "cut.xlsx", _xlsx()[:700]),
        "not a ZIP of photos": ("/imports/photos", "photos.zip", b"PK\x03\x04 not a zip"),
        "deaths with a 128 KB field": (
            "/deaths/import", "deaths.csv",
            (DEATH_HEADER + f"{_ids(1)[0]},人0,2026-01-01\n").encode() + b"1,2," + b"9" * 131_073,
        ),
    }


@pytest.mark.parametrize(
    "case",
    ["128 KB field", "bad UTF-8 after 64 KB", "damaged XLSX", "cut XLSX", "not a ZIP of photos",
     "deaths with a 128 KB field"],
)
def test_malformed_import_fails_cleanly(client: TestClient, session: Session, case: str) -> None:
    community = make_community(session, city=make_city(session))
    make_staff(session, role=Role.PLATFORM_ADMIN, username="imp-admin")
    csrf = login(client, "imp-admin")
    url, name, data = _malformed(community.code)[case]
    response = client.post(url, files={"file": (name, data)}, data={"csrf": csrf},
                           follow_redirects=False)
    assert response.status_code < 500, response.text[:300]
    jobs = list(session.scalars(select(ImportJob)))
    assert [j for j in jobs if j.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)] == []
    if response.status_code == 303:  # accepted: the job ran and failed with a message
        assert len(jobs) == 1 and jobs[0].status == ImportStatus.FAILED
        page = client.get(response.headers["location"])
        assert page.status_code == 200 and jobs[0].error in page.text
        assert any("\u4e00" <= ch <= "\u9fff" for ch in jobs[0].error)  # translated (zh-CN)
    else:  # refused at upload with a readable message
        assert response.status_code in (415, 422) and jobs == []
    assert session.scalar(select(func.count()).select_from(Retiree)) == 0  # nothing partial
    assert session.scalar(select(func.count()).select_from(DeathRecord)) == 0


def test_the_four_malformed_files_of_the_issue(client: TestClient, session: Session) -> None:
    """The Done-when line: 4 malformed imports, 0 responses 5xx, 0 jobs running, nothing written."""
    community = make_community(session, city=make_city(session))
    make_staff(session, role=Role.PLATFORM_ADMIN, username="imp-admin")
    csrf = login(client, "imp-admin")
    cases = _malformed(community.code)
    statuses = []
    for case in ("128 KB field", "bad UTF-8 after 64 KB", "damaged XLSX", "not a ZIP of photos"):
        url, name, data = cases[case]
        response = client.post(url, files={"file": (name, data)}, data={"csrf": csrf},
                               follow_redirects=False)
        statuses.append(response.status_code)
    assert [s for s in statuses if s >= 500] == []
    running = session.scalar(
        select(func.count()).select_from(ImportJob).where(
            ImportJob.status.in_([ImportStatus.QUEUED, ImportStatus.RUNNING]))
    )
    assert running == 0
    assert session.scalar(select(func.count()).select_from(Retiree)) == 0


def test_values_longer_than_their_column_are_row_errors(
    client: TestClient, session: Session
) -> None:
    community = make_community(session, city=make_city(session))
    make_staff(session, role=Role.PLATFORM_ADMIN, username="imp-admin")
    csrf = login(client, "imp-admin")
    good, long_name, long_phone = _ids(3)
    text = HEADER.strip() + ",联系电话\n" + "".join([
        f"{good},好人,{community.code},13800000000\n",
        f"{long_name},{'名' * 51},{community.code},13800000000\n",  # the column holds 50
        f"{long_phone},长电话,{community.code},{'1' * 21}\n",
    ])
    response = client.post("/imports/roster", files={"file": ("r.csv", text.encode())},
                           data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    job = session.scalars(select(ImportJob)).one()
    assert (job.status, job.created, job.rejected) == (ImportStatus.DONE, 1, 2)
    report = error_report_csv(session, actor=admin_actor(), job_id=job.id)
    assert "最多 50 个字符" in report or "50" in report
    assert list(session.scalars(select(Retiree.name))) == ["好人"]


def test_reaper_fails_jobs_whose_worker_died(session: Session) -> None:
    now = utcnow()
    def job(kind: ImportKind, status: ImportStatus, minutes_ago: int) -> ImportJob:
        row = ImportJob(kind=kind, status=status, filename="f.csv", source_key="")
        session.add(row)
        session.flush()
        row.updated_at = row.created_at = now - timedelta(minutes=minutes_ago)
        session.flush()
        return row

    dead = job(ImportKind.ROSTER, ImportStatus.RUNNING, 45)
    alive = job(ImportKind.ROSTER, ImportStatus.RUNNING, 5)
    long_photos = job(ImportKind.PHOTOS, ImportStatus.RUNNING, 120)
    dead_photos = job(ImportKind.PHOTOS, ImportStatus.RUNNING, 13 * 60)
    never_ran = job(ImportKind.DEATHS, ImportStatus.QUEUED, 7 * 60)
    reaped = reap_stale_jobs(session, now=now)
    assert sorted(reaped) == sorted([dead.id, dead_photos.id, never_ran.id])
    assert alive.status == long_photos.status == ImportStatus.RUNNING
    assert dead.status == ImportStatus.FAILED and "重新上传" in dead.error
    assert reap_stale_jobs(session, now=now) == []  # idempotent
    actions = list(session.scalars(select(AuditEntry.action)))
    assert actions.count("import.reaped") == 3


def test_a_reaped_job_is_not_run_again_by_a_late_redelivery(session: Session) -> None:
    from lifecert.retirees.imports import run_roster_import

    job = ImportJob(kind=ImportKind.ROSTER, status=ImportStatus.FAILED, filename="f.csv",
                    source_key="gone")
    session.add(job)
    session.flush()
    assert run_roster_import(session, job_id=job.id).status == ImportStatus.FAILED


def test_uploads_are_purged_after_the_retention_period(session: Session) -> None:
    store = get_blob_store()
    now = utcnow()
    old_key, new_key, running_key = (store.put(b"x", prefix="imports") for _ in range(3))
    old = ImportJob(kind=ImportKind.ROSTER, status=ImportStatus.DONE, filename="a.csv",
                    source_key=old_key, finished_at=now - timedelta(days=8))
    new = ImportJob(kind=ImportKind.ROSTER, status=ImportStatus.FAILED, filename="b.csv",
                    source_key=new_key, finished_at=now - timedelta(days=1))
    running = ImportJob(kind=ImportKind.PHOTOS, status=ImportStatus.RUNNING, filename="c.zip",
                        source_key=running_key)
    session.add_all([old, new, running])
    session.flush()
    running.updated_at = now - timedelta(days=30)
    session.flush()
    assert purge_import_uploads(session, now=now) == 1
    assert old.source_key == "" and not store.exists(old_key)
    assert store.exists(new_key) and store.exists(running_key)


def test_with_zero_days_the_upload_goes_when_the_job_ends(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lifecert.core.settings import get_settings

    monkeypatch.setattr(get_settings().retention, "import_upload_days", 0)
    community = make_community(session, city=make_city(session))
    make_staff(session, role=Role.PLATFORM_ADMIN, username="imp-admin")
    csrf = login(client, "imp-admin")
    client.post("/imports/roster", files={"file": ("r.csv", _roster(community.code, 2))},
                data={"csrf": csrf}, follow_redirects=False)
    job = session.scalars(select(ImportJob)).one()
    assert job.status == ImportStatus.DONE and job.created == 2 and job.source_key == ""


def test_a_damaged_photo_in_a_good_archive_is_one_report_line(
    client: TestClient, session: Session
) -> None:
    from lifecert.retirees.service import reveal_id_number
    from tests.builders import make_retiree, noise_photo

    community = make_community(session, city=make_city(session))
    first, second = (make_retiree(session, community=community) for _ in range(2))
    numbers = [reveal_id_number(session, actor=admin_actor(), retiree_id=r.id)
               for r in (first, second)]
    good, bad = noise_photo(1), noise_photo(2)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(f"{numbers[0]}.png", good)
        archive.writestr(f"{numbers[1]}.png", bad)
    data = bytearray(buffer.getvalue())
    at = bytes(data).index(bad) + 100
    data[at] ^= 0xFF  # the second photo no longer matches its checksum
    make_staff(session, role=Role.PLATFORM_ADMIN, username="imp-admin")
    csrf = login(client, "imp-admin")
    response = client.post("/imports/photos", files={"file": ("p.zip", bytes(data))},
                           data={"csrf": csrf, "consent_collected": "true"},
                           follow_redirects=False)
    assert response.status_code == 303
    job = session.scalars(select(ImportJob)).one()
    assert (job.status, job.created, job.rejected) == (ImportStatus.DONE, 1, 1)
    report = error_report_csv(session, actor=admin_actor(), job_id=job.id)
    assert "损坏" in report
