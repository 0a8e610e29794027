"""Server errors schemathesis found outside the partner API, each fixed minimally."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.certification.models import PaymentAction, PaymentChange
from lifecert.core.roles import Role
from tests.builders import login, make_city, make_community, make_retiree, make_staff


def test_payment_changes_csv_filtered_by_day(client: TestClient, session: Session) -> None:
    """``?day=`` compared a date with text: PostgreSQL has no such operator (500)."""
    retiree = make_retiree(session, community=make_community(session, city=make_city(session)))
    session.add(PaymentChange(retiree_id=retiree.id, action=PaymentAction.SUSPEND,
                              effective_date=date(2026, 12, 4), reason="test",
                              idempotency_key="t-1"))
    admin = make_staff(session, role=Role.PLATFORM_ADMIN)
    session.flush()
    login(client, admin.username)
    empty = client.get("/api/v1/payments/changes.csv", params={"day": "0030-08-19"})
    assert empty.status_code == 200 and "test" not in empty.text
    changes = client.get("/api/v1/payments/changes", params={"day": date.today().isoformat()})
    assert changes.status_code == 200
