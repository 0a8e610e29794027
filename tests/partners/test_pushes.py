"""Pushes: life signals and deaths from a partner, limited to the key's regions; payment
changes read back."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.fraud.deaths import run_death_import
from lifecert.fraud.models import DeathRecord
from lifecert.life_signals.models import LifeSignal, SignalSource, SourceKind
from lifecert.retirees.models import Retiree
from lifecert.retirees.service import reveal_id_number
from tests.builders import admin_actor
from tests.partners.helpers import build_world

API = "/api/v1/partner"


def _number(session: Session, retiree: Retiree) -> str:
    return reveal_id_number(session, actor=admin_actor(), retiree_id=retiree.id)


def test_deaths_in_scope_become_an_import_others_are_refused(
    client: TestClient, session: Session
) -> None:
    world = build_world(session)
    body = {"deaths": [
        {"id_number": _number(session, world.in_a), "name": world.in_a.name,
         "date_of_death": "2026-11-28", "certificate_no": "D-1"},
        {"id_number": _number(session, world.in_b), "name": world.in_b.name,
         "date_of_death": "2026-11-28"},
        {"id_number": "not-a-number", "date_of_death": "2026-11-28"}]}
    answer = client.post(f"{API}/deaths", json=body,
                         headers={**world.auth(), "Idempotency-Key": "d-1"})
    assert answer.status_code == 202, answer.text
    result = answer.json()
    assert result["accepted"] == 1 and result["refused"] == [1, 2] and result["job_id"]
    run_death_import(session, job_id=result["job_id"])  # what the queue does after commit
    records = session.scalars(select(DeathRecord)).all()
    assert [(r.retiree_id, r.date_of_death) for r in records] == [
        (world.in_a.id, date(2026, 11, 28))]


def test_signals_need_a_source_and_stay_in_scope(client: TestClient, session: Session) -> None:
    world = build_world(session)
    events = {"events": [{"id_number": _number(session, world.in_a), "date": "2026-11-30"},
                         {"id_number": _number(session, world.in_b), "date": "2026-11-30"}]}
    headers = {**world.auth(), "Idempotency-Key": "s-1"}
    assert client.post(f"{API}/life-signals", json=events, headers=headers).status_code == 403
    session.add(SignalSource(code="bank", name="银行", kind=SourceKind.BANK, trust_level=3))
    world.partner.signal_source_code = "bank"
    session.flush()
    answer = client.post(f"{API}/life-signals", json=events,
                         headers={**world.auth(), "Idempotency-Key": "s-2"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1 and answer.json()["refused"] == [1]
    signals = session.scalars(select(LifeSignal)).all()
    assert [s.retiree_id for s in signals] == [world.in_a.id]
