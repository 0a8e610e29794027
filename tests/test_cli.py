"""The command line, run in-process against the test database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from lifecert.cli import app
from lifecert.organisation.service import get_staff_by_username
from lifecert.retirees.idnumber import build_id_number
from lifecert.retirees.models import Retiree
from tests.builders import make_city, make_community, write_roster

runner = CliRunner()


def test_import_roster_command_reports_and_writes_error_file(
    session: Session, tmp_path: Path
) -> None:
    community = make_community(session, city=make_city(session))
    good = build_id_number("430102", date(1949, 9, 1), 5)
    path = tmp_path / "roster.csv"
    write_roster(path, [[good, "命令行", community.code, "", "", "", ""],
                        ["4301", "坏", community.code, "", "", "", ""]])
    result = runner.invoke(app, ["import", "roster", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output and "1 rejected" in result.output
    errors = (tmp_path / "roster.errors.csv").read_text(encoding="utf-8-sig")
    assert "身份证号应为18位" in errors
    assert session.scalar(select(func.count()).select_from(Retiree)) == 1


def test_import_photos_command_explains_each_refusal(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "123.jpg").write_bytes(b"not even a jpeg")
    result = runner.invoke(app, ["import", "photos", str(folder)])
    assert result.exit_code == 0, result.output
    assert "enrolled 0" in result.output and "123.jpg" in result.output


def test_staff_recovery_path(session: Session) -> None:
    result = runner.invoke(app, ["staff", "create", "root2", "管理员", "platform_admin",
                                 "--password", "long-enough-password"])
    assert result.exit_code == 0, result.output
    staff = get_staff_by_username(session, username="root2")
    assert staff is not None
    version = staff.session_version
    result = runner.invoke(app, ["staff", "set-password", "root2", "--password",
                                 "another-long-password"])
    assert result.exit_code == 0
    session.refresh(staff)
    assert staff.session_version == version + 1


def test_unsafe_production_settings_stop_every_command_with_one_line_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lifecert.core.settings import get_settings

    monkeypatch.setenv("LIFECERT_ENV", "production")
    monkeypatch.setenv("LIFECERT_DATA_KEY", "same-as-the-secret-key-0123456789")
    monkeypatch.setenv("LIFECERT_SECRET_KEY", "same-as-the-secret-key-0123456789")
    monkeypatch.setenv("LIFECERT_SMS__GATEWAY", "http")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "current"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 2
    lines = [line.strip() for line in result.output.splitlines()]
    assert "- LIFECERT_DATA_KEY must differ from LIFECERT_SECRET_KEY" in lines
    assert "- LIFECERT_SMS__HTTP_URL is empty" in lines
    assert "Traceback" not in result.output
