"""The alert queue: scoping by the linked retirees' regions, assign, resolve, export, pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from lifecert.core.roles import Role
from lifecert.fraud import alerts
from lifecert.fraud.models import AlertKind, AlertOutcome, AlertStatus, LinkKind, Severity
from tests.builders import actor_of, login, make_city, make_community, make_retiree, make_staff


def _setup(session: Session):  # type: ignore[no-untyped-def]
    city_a, city_b = (
        make_city(session, code="430100"),
        make_city(session, code="430200", name="株洲市"),
    )
    home_a, home_b = make_community(session, city=city_a), make_community(session, city=city_b)
    a, b = (
        make_retiree(session, community=home_a, name="甲城人"),
        make_retiree(session, community=home_b, name="乙城人"),
    )
    officer_a = make_staff(session, role=Role.BUREAU_OFFICER, regions=[city_a], username="oa")
    officer_b = make_staff(session, role=Role.BUREAU_OFFICER, regions=[city_b], username="ob")
    alert = alerts.raise_alert(
        session,
        kind=AlertKind.SHARED_ACCOUNT,
        severity=Severity.HIGH,
        evidence={"rule": "shared_account", "count": 1},
        retiree_ids=[a.id],
        links=[alerts.LinkSpec(LinkKind.DEVICE, "dev-1", "手机 A")],
        dedup_key="t:1",
    )
    return a, b, officer_a, officer_b, alert


def test_officer_of_another_city_cannot_see_the_alert(session: Session) -> None:
    a, _b, officer_a, officer_b, alert = _setup(session)
    rows, total = alerts.list_alerts(session, actor=actor_of(officer_b))
    assert total == 0 and rows == []
    with pytest.raises(NotFound):
        alerts.get_alert(session, actor=actor_of(officer_b), alert_id=alert.id)
    with pytest.raises(NotFound):
        alerts.resolve_alert(
            session,
            actor=actor_of(officer_b),
            alert_id=alert.id,
            outcome=AlertOutcome.FALSE_ALARM,
            note="x",
        )
    assert "甲城人" not in alerts.export_alerts_csv(session, actor=actor_of(officer_b))
    assert alerts.count_alerts(session, actor=actor_of(officer_b))["open"] == 0
    rows, total = alerts.list_alerts(session, actor=actor_of(officer_a))
    assert total == 1 and rows[0].id == alert.id
    assert alerts.count_alerts(session, actor=actor_of(officer_a)) == {
        "open": 1,
        "assigned": 0,
        "high": 1,
        "confirmed": 0,
    }
    worker = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[a.community])
    with pytest.raises(PermissionDenied):
        alerts.list_alerts(session, actor=actor_of(worker))


def test_cross_city_alert_hides_the_other_citys_person(session: Session) -> None:
    a, b, officer_a, _officer_b, _ = _setup(session)
    both = alerts.raise_alert(
        session,
        kind=AlertKind.DUPLICATE_FACE,
        severity=Severity.HIGH,
        evidence={},
        retiree_ids=[a.id, b.id],
    )
    seen = {
        link.ref: visible
        for link, visible in alerts.visible_links(actor_of(officer_a), both)
        if link.kind == LinkKind.RETIREE
    }
    assert seen == {str(a.id): True, str(b.id): False}


def test_assign_resolve_and_audit(session: Session) -> None:
    _a, _b, officer_a, _officer_b, alert = _setup(session)
    actor = actor_of(officer_a)
    with pytest.raises(InvalidInput):
        alerts.assign_alert(
            session,
            actor=actor,
            alert_id=alert.id,
            staff_id=make_staff(session, role=Role.COMMUNITY_WORKER).id,
        )
    alerts.assign_alert(session, actor=actor, alert_id=alert.id, staff_id=officer_a.id)
    assert alert.status == AlertStatus.ASSIGNED and alert.assigned_to == officer_a.id
    with pytest.raises(InvalidInput):
        alerts.resolve_alert(
            session, actor=actor, alert_id=alert.id, outcome=AlertOutcome.FRAUD_CONFIRMED, note=" "
        )
    alerts.resolve_alert(
        session,
        actor=actor,
        alert_id=alert.id,
        outcome=AlertOutcome.FRAUD_CONFIRMED,
        note="冒领已追回",
    )
    assert alert.status == AlertStatus.RESOLVED and alert.resolved_by == officer_a.id
    with pytest.raises(Conflict):
        alerts.resolve_alert(
            session, actor=actor, alert_id=alert.id, outcome=AlertOutcome.FALSE_ALARM, note="again"
        )
    same = alerts.raise_alert(
        session,
        kind=AlertKind.SHARED_ACCOUNT,
        severity=Severity.HIGH,
        evidence={"count": 5},
        retiree_ids=[],
        dedup_key="t:1",
    )
    assert same.id == alert.id and same.evidence["count"] == 1  # resolved: left as decided
    text = alerts.export_alerts_csv(session, actor=actor)
    assert "确认欺诈" in text and "甲城人" in text
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"alert.raised", "alert.assigned", "alert.resolved", "alert.exported"} <= actions


def test_alert_pages_queue_detail_graph_and_export(client: TestClient, session: Session) -> None:
    _a, _b, _officer_a, _officer_b, alert = _setup(session)
    csrf = login(client, "oa")
    home = client.get("/home").text
    assert "欺诈预警" in home
    queue = client.get("/alerts")
    assert queue.status_code == 200 and f"/alerts/{alert.id}" in queue.text
    detail = client.get(f"/alerts/{alert.id}")
    assert detail.status_code == 200 and "<svg" in detail.text and "甲城人" in detail.text
    assert "手机 A" in detail.text
    done = client.post(
        f"/alerts/{alert.id}/resolve",
        follow_redirects=False,
        data={"csrf": csrf, "outcome": "false_alarm", "note": "家属共用账户"},
    )
    assert done.status_code == 303
    export = client.get("/alerts-export.csv")
    assert "误报" in export.content.decode("utf-8-sig")
    api = client.get(f"/api/v1/alerts/{alert.id}")
    assert api.status_code == 200 and api.json()["outcome"] == "false_alarm"
    client.post("/logout", data={"csrf": csrf})
    login(client, "ob")
    assert client.get(f"/alerts/{alert.id}").status_code == 404
    assert client.get(f"/api/v1/alerts/{alert.id}").status_code == 404


def test_death_upload_page_runs_the_job(client: TestClient, session: Session) -> None:
    city = make_city(session)
    community = make_community(session, city=city)
    person = make_retiree(session, community=community, name="逝者")
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[city], username="officer")
    csrf = login(client, "officer")
    from lifecert.retirees.service import reveal_id_number
    from tests.builders import admin_actor

    number = reveal_id_number(session, actor=admin_actor(), retiree_id=person.id)
    assert client.get("/deaths/import").status_code == 200
    body = f"身份证号,姓名,死亡日期\n{number},逝者,2026-01-02\n123,坏,2026-01-02\n".encode()
    response = client.post(
        "/deaths/import",
        data={"csrf": csrf},
        files={"file": ("deaths.csv", body, "text/csv")},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "已完成" in response.text
    session.refresh(person)
    # Payment on hold until another officer approves (four eyes): still on the roll.
    assert person.status.value == "active"
