"""Roster import: idempotent upsert, precise row errors, nothing written for bad rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.dashboards.history import rebuild_counters
from lifecert.retirees.idnumber import build_id_number
from lifecert.retirees.imports import error_report_csv, run_roster_import, start_roster_import
from lifecert.retirees.models import ImportStatus, Retiree, RetireeTransfer
from tests.builders import (
    actor_of,
    admin_actor,
    login,
    make_city,
    make_community,
    make_staff,
    write_roster,
)
from tests.dashboards.helpers import counter_snapshot


def _ids(n: int) -> list[str]:
    return [build_id_number("430102", date(1940 + i, 5, 6), i + 1) for i in range(n)]


def _run(session: Session, path: Path, actor=None):  # type: ignore[no-untyped-def]
    job = start_roster_import(session, actor=actor or admin_actor(), filename=path.name,
                              data=path.read_bytes(), run_now=False)
    return run_roster_import(session, job_id=job.id)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Retiree)) or 0


def test_import_creates_then_is_idempotent_then_updates(session: Session, tmp_path: Path) -> None:
    community = make_community(session, city=make_city(session))
    ids = _ids(3)
    path = tmp_path / "roster.csv"
    write_roster(path, [[n, f"人{i}", community.code, "13800000000", "地址", "", ""]
                        for i, n in enumerate(ids)])
    first = _run(session, path)
    assert (first.status, first.created, first.rejected) == (ImportStatus.DONE, 3, 0)
    again = _run(session, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    write_roster(path, [[ids[0], "人0", community.code, "13900000000", "新地址", "", ""]])
    changed = _run(session, path)
    assert (changed.updated, changed.created) == (1, 0)
    assert _count(session) == 3


def test_bad_rows_are_reported_precisely_and_not_written(session: Session, tmp_path: Path) -> None:
    community = make_community(session, city=make_city(session))
    good, = _ids(1)
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    path = tmp_path / "roster.csv"
    write_roster(path, [
        [good, "好人", community.code, "13800000000", "", "", ""],
        [bad_check, "错号", community.code, "", "", "", ""],
        [_ids(2)[1], "", community.code, "", "", "", ""],
        [_ids(3)[2], "无社区", "NOPE", "", "", "", ""],
        [good, "重复", community.code, "", "", "", ""],
        [_ids(4)[3], "电话错", community.code, "12ab", "", "", ""],
    ])
    job = _run(session, path)
    assert (job.created, job.rejected, job.processed) == (1, 5, 6)
    assert _count(session) == 1
    report = error_report_csv(session, actor=admin_actor(), job_id=job.id).splitlines()
    assert report[0] == "行号,列,问题,如何修改"
    rows = {line.split(",")[0]: line for line in report[1:]}
    assert "身份证号校验位不符" in rows["3"] and ",身份证号," in rows["3"]
    assert ",姓名," in rows["4"] and "此列为空" in rows["4"]
    assert "NOPE" in rows["5"] and ",社区代码," in rows["5"]
    assert "第 2 行" in rows["6"]
    assert ",电话," in rows["7"]


def test_header_problem_fails_the_job_with_a_message(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    job = _run(session, path)
    assert job.status == ImportStatus.FAILED
    assert "id_number" in job.error and _count(session) == 0


def test_xlsx_and_gb18030_csv_are_read(session: Session, tmp_path: Path) -> None:
    community = make_community(session, city=make_city(session))
    a, b = _ids(2)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["身份证号", "姓名", "社区代码", "联系电话"])
    sheet.append([a, "表格人", community.code, 13800000000])
    book.save(tmp_path / "roster.xlsx")
    assert _run(session, tmp_path / "roster.xlsx").created == 1
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(f"身份证号,姓名,社区代码\n{b},国标人,{community.code}\n".encode("gb18030"))
    assert _run(session, gbk).created == 1
    names = set(session.scalars(select(Retiree.name)))
    assert names == {"表格人", "国标人"}


def test_rows_outside_the_importers_area_are_refused(session: Session, tmp_path: Path) -> None:
    city = make_city(session)
    mine, theirs = make_community(session, city=city), make_community(session, city=city)
    worker = actor_of(make_staff(session, role=Role.COMMUNITY_WORKER, regions=[mine]))
    a, b = _ids(2)
    path = tmp_path / "roster.csv"
    write_roster(path, [[a, "本社区", mine.code, "", "", "", ""],
                        [b, "外社区", theirs.code, "", "", "", ""]])
    job = _run(session, path, actor=worker)
    assert (job.created, job.rejected) == (1, 1)


def test_moving_community_in_a_roster_keeps_history(session: Session, tmp_path: Path) -> None:
    city = make_city(session)
    old, new = make_community(session, city=city), make_community(session, city=city)
    a, = _ids(1)
    path = tmp_path / "roster.csv"
    write_roster(path, [[a, "搬家人", old.code, "", "", "", ""]])
    _run(session, path)
    write_roster(path, [[a, "搬家人", new.code, "", "", "", ""]])
    _run(session, path)
    moves = session.scalars(select(RetireeTransfer)).all()
    assert [(m.from_community_id, m.to_community_id) for m in moves] == [(old.id, new.id)]


def test_imports_keep_the_dashboard_counters_exact(session: Session, tmp_path: Path) -> None:
    """Roster upserts (create, update, move) go through the same triggers as other writes."""
    city = make_city(session)
    old, new = make_community(session, city=city), make_community(session, city=city)
    ids = _ids(4)
    path = tmp_path / "roster.csv"
    write_roster(path, [[n, f"人{i}", old.code, "", "", "", ""] for i, n in enumerate(ids)])
    _run(session, path)
    write_roster(path, [[ids[0], "人0", new.code, "", "", "", ""],
                        [ids[1], "人1", old.code, "13900000000", "新地址", "", ""]])
    _run(session, path)
    session.flush()
    kept = counter_snapshot(session)
    people = {row for row in kept[0] if row[0] == "dashboard_retiree_count"}
    rebuild_counters(session)
    assert counter_snapshot(session) == kept
    assert people  # the counters were not simply empty


def test_upload_page_flow_runs_the_job_and_serves_the_report(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    city = make_city(session)
    community = make_community(session, city=city)
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[city], username="officer")
    csrf = login(client, "officer")
    a, = _ids(1)
    path = tmp_path / "roster.csv"
    write_roster(path, [[a, "页面人", community.code, "", "", "", ""],
                        ["123", "坏", community.code, "", "", "", ""]])
    response = client.post("/imports/roster", data={"csrf": csrf},
                           files={"file": ("roster.csv", path.read_bytes(), "text/csv")},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "已完成" in response.text and "错误报告" in response.text
    job_id = int(str(response.url).rstrip("/").rsplit("/", 1)[1])
    report = client.get(f"/api/v1/imports/{job_id}/errors.csv")
    assert "身份证号应为18位" in report.content.decode("utf-8-sig")


@pytest.mark.parametrize("name", ["roster.pdf", "roster.exe"])
def test_wrong_file_type_is_a_clear_4xx(client: TestClient, session: Session, name: str) -> None:
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    csrf = login(client, "boss")
    response = client.post("/api/v1/imports/roster", headers={"X-CSRF-Token": csrf},
                           files={"file": (name, b"%PDF-1.4", "application/pdf")})
    assert response.status_code == 422
    assert ".csv" in response.json()["detail"]
