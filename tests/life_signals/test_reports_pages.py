"""Reports (silent share by region and source, the source-quality alert), the officer's page
with its reversal form, and the retiree's own records on the phone."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.certification.models import Certification, CertMode, Outcome
from lifecert.core.db import utcnow
from lifecert.core.roles import Role
from lifecert.fraud.models import DeathRecord
from lifecert.life_signals.reports import silent_by_source, silent_share_by_region, source_quality
from lifecert.life_signals.service import certify_silently
from lifecert.retirees.models import CertState
from tests.builders import admin_actor, login, make_city, make_community, make_staff
from tests.life_signals.helpers import TODAY, due_person, enable_policy, make_sources, signal


def test_share_and_source_quality_alert(session: Session) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    src = make_sources(session)
    enable_policy(session, city)
    people = [due_person(session, here, f"银行{i}") for i in range(3)]
    for person in people:
        signal(session, person, src["bank"], 2, 4)
    by_hospital = due_person(session, here, "医院")
    signal(session, by_hospital, src["hospital"], 2, 4)
    face = due_person(session, here, "刷脸")
    session.add(Certification(retiree_id=face.id, mode=CertMode.SELF, outcome=Outcome.CERTIFIED,
                              created_at=utcnow()))
    face.cert_state = CertState.CERTIFIED
    assert certify_silently(session, today=TODAY).certified == 4
    # Civil affairs later report two of the bank's people dead before those certifications.
    for person in people[:2]:
        session.add(DeathRecord(retiree_id=person.id, date_of_death=TODAY - timedelta(days=20)))
    session.flush()

    since = utcnow() - timedelta(days=30)
    (share,) = silent_share_by_region(session, actor=admin_actor(), since=since)
    assert (share.certified, share.silent) == (5, 4) and share.share == 0.8
    assert silent_by_source(session, actor=admin_actor(), since=since) == {
        "bank": 3, "hospital": 1
    }
    quality = {q.code: q for q in source_quality(session, actor=admin_actor())}
    assert (quality["bank"].silent, quality["bank"].dead, quality["bank"].flagged) == (3, 2, True)
    assert (quality["hospital"].dead, quality["hospital"].flagged) == (0, False)
    assert quality["bus"].silent == 0 and not quality["bus"].flagged


def test_officer_reverses_on_the_page_and_the_phone_shows_it(
    session: Session, client: TestClient
) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    src = make_sources(session)
    enable_policy(session, city)
    person = due_person(session, here, "钱大爷")
    signal(session, person, src["hospital"], 1, 6)
    certify_silently(session, today=TODAY)
    officer = make_staff(session, role=Role.BUREAU_OFFICER, regions=[city])
    session.commit()

    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=person.id)}")
    records = client.get("/m/records").text
    assert "市医保定点医院" in records and "无需刷脸" in records
    client.cookies.clear()

    csrf = login(client, officer.username)
    page = client.get("/life-signals")
    assert page.status_code == 200 and "钱大爷" in page.text and "市医保定点医院" in page.text
    cert_id = int(page.text.split('/life-signals/', 1)[1].split('/reverse', 1)[0])
    done = client.post(f"/life-signals/{cert_id}/reverse",
                       data={"reason": "家属报告老人已住院多月", "csrf": csrf},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    session.refresh(person)
    assert person.cert_state == CertState.OVERDUE
    client.cookies.clear()
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=person.id)}")
    records = client.get("/m/records").text
    assert "家属报告老人已住院多月" in records and "已被人社局撤销" in records
