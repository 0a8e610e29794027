"""Demo home care: the provider account lands on its orders and KPIs (not a placeholder), the
demo month's planted faults are in the fraud triage, and the phone page of a visit opens for
its caregiver only."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.fraud.models import Alert, AlertKind
from lifecert.homecare.demo import seed_demo_homecare
from lifecert.homecare.models import Anomaly, Visit, VisitStatus
from lifecert.organisation.demo import DEMO_PASSWORD, DemoSize, build_regions, build_staff
from lifecert.organisation.models import Staff
from lifecert.retirees.demo import insert_retirees, retiree_rows
from tests.builders import login

TODAY = date(2026, 12, 4)


def _demo(session: Session) -> None:
    demo = build_regions(session, DemoSize(retirees=300))
    build_staff(session, demo)
    insert_retirees(session, retiree_rows(demo.communities, 300, 7, TODAY))
    seed_demo_homecare(session, demo, today=TODAY)
    session.flush()


def test_provider_lands_on_home_care(client: TestClient, session: Session) -> None:
    _demo(session)
    login(client, "provider", DEMO_PASSWORD)
    home = client.get("/home").text
    assert "康乐居家养老服务中心" in home and 'id="orders"' in home
    assert "福寿居家服务社" not in home  # another provider's visits never show
    done = session.scalar(select(func.count()).select_from(Visit).where(
        Visit.status == VisitStatus.COMPLETED)) or 0
    flagged = session.scalar(select(func.count(func.distinct(Anomaly.visit_id)))) or 0
    assert done > 100 and 0 < flagged < done / 5
    alerts = session.scalar(select(func.count()).select_from(Alert).where(
        Alert.kind == AlertKind.HOMECARE_VISIT)) or 0
    assert alerts > 0


def test_caregiver_opens_the_phone_page(client: TestClient, session: Session) -> None:
    _demo(session)
    carer = session.scalars(select(Staff).where(Staff.username == "carer11")).one()
    visit = session.scalars(select(Visit).where(Visit.worker_staff_id == carer.id,
                                                Visit.status == VisitStatus.OPEN)).first()
    assert visit is not None
    login(client, "carer11", DEMO_PASSWORD)
    page = client.get(f"/homecare/m/visits/{visit.id}")
    assert page.status_code == 200 and 'id="worker"' in page.text
    assert "camera=(self)" in page.headers["permissions-policy"]
    client.cookies.clear()
    login(client, "carer21", DEMO_PASSWORD)  # another provider's caregiver
    assert client.get(f"/homecare/m/visits/{visit.id}").status_code == 404
