"""CSV exports neutralise formula prefixes (OWASP) in one shared writer."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.cycle import run_cycle
from lifecert.core.csv_export import csv_text, neutralise
from lifecert.core.roles import Role
from lifecert.organisation.models import Region
from tests.builders import login, make_city, make_community, make_staff
from tests.certification.helpers import certify, enrolled_retiree

DAY = date(2026, 11, 26)
SRC = Path(__file__).resolve().parents[2] / "src" / "lifecert"


def test_every_formula_prefix_is_neutralised_and_numbers_are_kept() -> None:
    for prefix in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(prefix + "1+1") == "'" + prefix + "1+1"
    assert neutralise("张三") == "张三" and neutralise(-5) == -5 and neutralise(1.5) == 1.5
    rows = list(csv.reader(io.StringIO(csv_text([["=HYPERLINK(\"http://x\")", "ok", 3]]))))
    assert rows == [["'=HYPERLINK(\"http://x\")", "ok", "3"]]


def test_no_module_writes_csv_except_the_shared_writer() -> None:
    writers = [
        p.relative_to(SRC).as_posix()
        for p in SRC.rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", p.read_text(encoding="utf-8"))
    ]
    assert writers == ["core/csv_export.py"]


def test_payment_changes_csv_does_not_carry_a_formula(client: TestClient, session: Session) -> None:
    retiree = enrolled_retiree(session)
    retiree.name = "=CMD|' /C calc'!A0"
    retiree.pension_account = "@SUM(1+1)"
    certify(session, retiree, face_seed=1, today=DAY)
    run_cycle(session, today=DAY + timedelta(days=500))
    make_staff(session, role=Role.PLATFORM_ADMIN, username="payer")
    login(client, "payer")
    # English headers for the check (the file speaks the reader's language, zh-CN by default).
    answer = client.get("/api/v1/payments/changes.csv", headers={"Accept-Language": "en"})
    [row] = csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")))
    assert row["Name"] == "'=CMD|' /C calc'!A0"
    assert row["Pension account"] == "'@SUM(1+1)"


def test_dashboard_exports_do_not_carry_a_formula(client: TestClient, session: Session) -> None:
    city = make_city(session)
    community = make_community(session, city=city)
    for region in session.scalars(select(Region).where(Region.id != city.id)):
        region.name = "=1+2"  # the city's dashboard lists its districts
    session.flush()
    assert community.name == "=1+2"
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[city], username="officer")
    login(client, "officer")
    text = client.get(f"/dashboard/export.csv?region={city.id}").content.decode("utf-8-sig")
    assert "'=1+2" in text
    cells = [c for c in csv.reader(io.StringIO(text)) for c in c]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    xlsx = client.get(f"/dashboard/export.xlsx?region={city.id}").content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
