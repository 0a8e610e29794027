"""The demo shows the marketplace for every role: the merchant login lands on its offers and
orders; the worker sees the spending-spike alert and the complaint of their community; the
bureau sees the application waiting for it; forbidden categories have no offers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.demo import DEMO_PASSWORD, DemoSize, build_demo
from lifecert.marketplace.models import Offer, Order, OrderStatus
from tests.builders import login

SMALL = DemoSize(retirees=400, districts=2, streets=6, communities=20)


def test_demo_marketplace_for_each_role(client: TestClient, session: Session) -> None:
    build_demo(session, size=SMALL, seed=7)
    statuses = sorted(o.status for o in session.scalars(select(Order)))
    assert OrderStatus.CANCELLED in statuses and OrderStatus.PAID in statuses
    assert not session.scalars(select(Offer).where(Offer.category_code == "investment")).all()
    session.commit()

    login(client, "merchant", DEMO_PASSWORD)
    page = client.get("/home")  # redirected to the merchant's page
    assert page.status_code == 200 and "两小时家庭保洁" in page.text and "投资理财" not in page.text

    client.cookies.clear()
    login(client, "worker", DEMO_PASSWORD)
    page = client.get("/market")
    assert page.status_code == 200
    assert "老人消费远超平时" in page.text and "体检时推销保健品" in page.text

    client.cookies.clear()
    login(client, "bureau", DEMO_PASSWORD)
    page = client.get("/market")
    assert "福寿保健品商行" in page.text and "等待主管部门审核" in page.text
