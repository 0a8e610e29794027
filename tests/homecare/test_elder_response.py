"""The elder confirms or disputes a visit on their own phone, with a one-tap rating; a dispute
is an anomaly in the fraud triage and the visit stops being billable."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.fraud.models import Alert, AlertKind
from lifecert.homecare.models import Anomaly, Visit
from tests.builders import csrf_of, make_city, make_community
from tests.homecare.helpers import order_for, prove, setup


def test_elder_disputes_on_the_phone(client: TestClient, session: Session) -> None:
    s = setup(session)
    _, first = order_for(session, s)
    first = prove(session, s, first)
    assert first.billable
    session.flush()
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=s.elder.id)}")
    page = client.get("/m/care")
    assert page.status_code == 200 and "护理员" in page.text
    answer = client.post(f"/m/care/{first.id}", data={"response": "disputed", "rating": "1",
                                                      "csrf": csrf_of(page.text)},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    visit = session.get_one(Visit, first.id)
    session.refresh(visit)
    assert visit.elder_response == "disputed" and visit.rating == 1 and not visit.billable
    anomaly = session.scalars(select(Anomaly).where(Anomaly.visit_id == visit.id)).one()
    assert anomaly.rule == "elder_dispute"
    assert session.get_one(Alert, anomaly.alert_id).kind == AlertKind.HOMECARE_VISIT


def test_confirm_keeps_it_billable_and_others_cannot_answer(client: TestClient,
                                                            session: Session) -> None:
    s = setup(session)
    _, visit = order_for(session, s)
    visit = prove(session, s, visit)
    other = setup(session, elder_seed=5,
                  community=make_community(session, city=make_city(session, code="430300")))
    session.flush()
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=other.elder.id)}")
    page = client.get("/m/care")  # no visits of their own
    refused = client.post(f"/m/care/{visit.id}", data={"response": "disputed",
                                                       "csrf": csrf_of(page.text)})
    assert refused.status_code == 404
    client.cookies.clear()
    client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=s.elder.id)}")
    page = client.get("/m/care")
    client.post(f"/m/care/{visit.id}", data={"response": "confirmed", "rating": "5",
                                             "csrf": csrf_of(page.text)})
    session.refresh(visit)
    assert visit.elder_response == "confirmed" and visit.rating == 5 and visit.billable
