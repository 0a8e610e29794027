"""Registry rules (shared phone / account) and the death-registration import."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.certification.models import PaymentAction, PaymentChange
from lifecert.core.settings import get_settings
from lifecert.fraud.deaths import (
    alert_certified_after_death,
    date_of_death,
    is_deceased_on,
    run_death_import,
    start_death_import,
)
from lifecert.fraud.models import Alert, AlertKind, DeathRecord, Severity
from lifecert.fraud.rules import run_shared_contact_rules
from lifecert.fraud.tasks import shared_contact_rules
from lifecert.retirees.idnumber import build_id_number
from lifecert.retirees.imports import error_report_csv
from lifecert.retirees.models import ImportStatus, Retiree, RetireeStatus
from lifecert.retirees.service import reveal_id_number
from lifecert.system.clock import local_now
from tests.builders import admin_actor, make_city, make_community, make_retiree


def test_shared_phone_rule_raises_one_alert_with_evidence(session: Session) -> None:
    community = make_community(session, city=make_city(session))
    minimum = get_settings().fraud.shared_phone_min
    people = [make_retiree(session, community=community, name=f"同{i}") for i in range(minimum)]
    for person in people:
        person.phone = "13911112222"
    loner = make_retiree(session, community=community, name="独")
    loner.phone = "13700000001"
    session.flush()
    counts = run_shared_contact_rules(session)
    assert counts["shared_phone"] >= 1
    alert = next(
        a
        for a in session.scalars(select(Alert).where(Alert.kind == AlertKind.SHARED_PHONE))
        if a.evidence["value"] == "139****2222"
    )
    assert alert.evidence["count"] == minimum and alert.evidence["threshold"] == minimum
    assert alert.evidence["communities"] == [community.name]
    assert {link.retiree_id for link in alert.links} == {p.id for p in people}
    assert "13911112222" not in str(alert.evidence)
    total = session.scalar(select(func.count()).select_from(Alert))
    run_shared_contact_rules(session)  # nightly rerun: nothing new
    assert session.scalar(select(func.count()).select_from(Alert)) == total


def test_shared_pension_account_is_high_severity_and_job_runs_once(session: Session) -> None:
    community = make_community(session, city=make_city(session))
    a, b = (make_retiree(session, community=community, name=n) for n in ("甲", "乙"))
    a.pension_account = b.pension_account = "6222020202020202"
    session.flush()
    first = shared_contact_rules(day="2026-11-27")
    assert first["shared_account"] == 1
    assert shared_contact_rules(day="2026-11-27").get("skipped") is True
    alert = session.scalar(select(Alert).where(Alert.kind == AlertKind.SHARED_ACCOUNT))
    assert alert is not None and alert.severity == Severity.HIGH
    assert alert.evidence["value"] == "****0202"


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["身份证号", "姓名", "死亡日期", "报告单位"], *rows])


def test_death_import_marks_deceased_and_reports_bad_rows(session: Session, tmp_path: Path) -> None:
    community = make_community(session, city=make_city(session))
    dead, alive, other = (
        make_retiree(session, community=community, name=n) for n in ("故人", "健在", "别人")
    )
    number = {
        p.id: reveal_id_number(session, actor=admin_actor(), retiree_id=p.id)
        for p in (dead, alive, other)
    }
    tomorrow = (local_now().date() + timedelta(days=1)).isoformat()
    path = tmp_path / "deaths.csv"
    _write(
        path,
        [
            [number[dead.id], "故人", "2026-10-03", "市殡仪馆"],
            [
                number[alive.id][:17] + ("0" if number[alive.id][17] != "0" else "1"),
                "健在",
                "2026-10-01",
                "",
            ],
            [number[alive.id], "健在", tomorrow, ""],
            [number[other.id], "错名", "2026/10/05", ""],
            [number[dead.id], "故人", "2026-10-03", ""],
            [build_id_number("110101", date(1940, 1, 1), 901), "", "2026-10-01", ""],
            [number[alive.id], "健在", "不是日期", ""],
        ],
    )
    job = start_death_import(
        session, actor=admin_actor(), filename=path.name, data=path.read_bytes(), run_now=False
    )
    job = run_death_import(session, job_id=job.id)
    assert (job.status, job.created, job.rejected, job.processed) == (ImportStatus.DONE, 1, 6, 7)
    # Pending an officer's approval: payment held, the person still on the roll.
    assert dead.status == RetireeStatus.ACTIVE
    assert alive.status == RetireeStatus.ACTIVE and other.status == RetireeStatus.ACTIVE
    assert session.scalar(select(func.count()).select_from(DeathRecord)) == 1
    hold = session.scalar(select(PaymentChange).where(PaymentChange.retiree_id == dead.id))
    assert hold is not None and hold.action == PaymentAction.HOLD
    assert hold.effective_date == local_now().date()  # the next payments export carries it
    report = error_report_csv(session, actor=admin_actor(), job_id=job.id).splitlines()
    rows = {line.split(",")[0]: line for line in report[1:]}
    assert "身份证号校验位不符" in rows["3"]
    assert ",死亡日期," in rows["4"] and "将来" in rows["4"]
    assert ",姓名," in rows["5"] and "别人" in rows["5"]
    assert "第 2 行" in rows["6"]
    assert "没有此身份证号" in rows["7"]
    assert "不是日期" not in rows["8"] and ",死亡日期," in rows["8"]
    assert date_of_death(session, dead.id) == date(2026, 10, 3)
    assert is_deceased_on(session, dead.id, date(2026, 10, 3))
    assert not is_deceased_on(session, dead.id, date(2026, 10, 2))
    assert date_of_death(session, alive.id) is None
    again = run_death_import(
        session,
        job_id=start_death_import(
            session, actor=admin_actor(), filename=path.name, data=path.read_bytes(), run_now=False
        ).id,
    )
    assert (again.created, again.unchanged) == (0, 1)


def test_certification_after_death_is_a_high_priority_alert(session: Session) -> None:
    community = make_community(session, city=make_city(session))
    person = make_retiree(session, community=community)
    session.add(DeathRecord(retiree_id=person.id, date_of_death=date(2026, 5, 1)))
    session.flush()
    before = datetime(2026, 4, 30, 10, tzinfo=UTC)
    assert alert_certified_after_death(session, retiree_id=person.id, certified_at=before) is None
    alert = alert_certified_after_death(
        session,
        retiree_id=person.id,
        certified_at=datetime(2026, 6, 1, 9, tzinfo=UTC),
        reference="cert-17",
    )
    assert alert is not None and alert.severity == Severity.HIGH
    assert alert.evidence["date_of_death"] == "2026-05-01"
    assert session.get(Retiree, person.id) is not None
