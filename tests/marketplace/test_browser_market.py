"""The marketplace in a real browser (headless Chromium, a phone-sized screen): an elder buys
a home service on the phone page (total price up front, a confirm screen), the merchant's
caregiver proves the visit with the home-care visit proof (GPS, the caregiver's face, the
elder's live face: fake face engine, as in the home-care tests), the payout job pays the
merchant only after the cooling-off period; a second order cancelled within the period is
refunded in full; an order above the threshold sends the family contact an SMS. Every step
is checked against the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.core.db import build_engine
from lifecert.marketplace import payouts
from lifecert.marketplace.models import (
    Complaint,
    Order,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
)
from lifecert.notifications.models import MessageKind, OutboxMessage
from lifecert.organisation.models import Staff
from tests.builders import make_city, make_community
from tests.certification.helpers import enrolled_retiree
from tests.marketplace.helpers import (
    approved_merchant,
    family_contact,
    offer,
    pin_home,
    prove_visit,
    seed_categories,
)
from tests.web.browser import BROWSER_ARGS, chromium, migrated_sqlite, screenshot_dir, serving
from tests.web.test_browser_phone import AXE, _axe

pytestmark = pytest.mark.browser
FAMILY_PHONE = "13900000077"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    url = migrated_sqlite(tmp_path_factory, "market-server")
    engine = build_engine(url)
    with Session(engine) as session:
        seed_categories(session)
        city = make_city(session)
        community = make_community(session, city=city, name="幸福社区")
        _merchant, staff = approved_merchant(session, city)
        offer(session, staff, city, price=120, title="两小时家庭保洁")
        offer(session, staff, city, price=150, category="repairs", title="水电小修")
        offer(session, staff, city, price=600, category="health_check", title="全面体检")
        elder = enrolled_retiree(session, face_seed=1, name="周桂英", community=community)
        pin_home(session, elder.id)
        family_contact(session, elder.id, phone=FAMILY_PHONE)
        session.commit()
        ids = {"elder": elder.id, "staff": staff.id,
               "token": issue_invitation(session, actor=None, retiree_id=elder.id)}
        session.commit()
    with serving(url, engine) as base:
        yield {**ids, "base": base, "engine": engine}


def _order(server: dict[str, object], title: str) -> Order:
    with Session(server["engine"]) as session:  # type: ignore[arg-type]
        row = session.scalars(select(Order).where(Order.title == title)).one()
        session.expunge(row)
        return row


def _payments(server: dict[str, object], order_id: int) -> list[tuple[str, str, int]]:
    with Session(server["engine"]) as session:  # type: ignore[arg-type]
        return [(p.kind.value, p.status.value, p.amount) for p in session.scalars(
            select(Payment).where(Payment.order_id == order_id).order_by(Payment.id))]


def _buy(phone: object, base: str, category: str, title: str, price: int) -> None:
    phone.goto(f"{base}/m/market")  # type: ignore[attr-defined]
    phone.get_by_role("link", name=category).click()  # type: ignore[attr-defined]
    phone.get_by_role("link", name=f"查看{title}").click()  # type: ignore[attr-defined]
    assert phone.inner_text("#total") == f"共 {price} 元"  # type: ignore[attr-defined]
    phone.get_by_role("link", name=f"购买，共 {price} 元").click()  # type: ignore[attr-defined]
    assert "全部退回" in phone.inner_text("main")  # type: ignore[attr-defined]
    pay = phone.get_by_role("button", name=f"付款 {price} 元")  # type: ignore[attr-defined]
    assert pay.bounding_box()["height"] >= 56
    pay.click()
    phone.wait_for_url("**?done=bought")  # type: ignore[attr-defined]


def test_buy_prove_visit_payout_cancel_refund_family_told(server: dict[str, object]) -> None:
    from playwright.sync_api import sync_playwright

    base = str(server["base"])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=BROWSER_ARGS
        )
        try:
            context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
            context.add_init_script(path=str(AXE))  # an init script: the CSP cannot block it
            phone = context.new_page()
            phone.goto(f"{base}/m/i/{server['token']}")
            phone.get_by_role("link", name="放心购物").click()
            phone.wait_for_url("**/m/market")

            # 1. A home service, bought at the price shown.
            _buy(phone, base, "家政保洁", "两小时家庭保洁", 120)
            assert phone.inner_text("#order-status") == "已付款，仍可取消"
            assert phone.inner_text("#visit-state") == "等待上门服务"
            cleaning = _order(server, "两小时家庭保洁")
            assert cleaning.status == OrderStatus.PAID and cleaning.price == 120
            assert _payments(server, cleaning.id) == [("charge", "succeeded", 120)]

            # 2. A second order, cancelled with one tap within the period: all money back.
            _buy(phone, base, "上门维修", "水电小修", 150)
            phone.get_by_role("button", name="取消订单，退回 150 元").click()
            phone.wait_for_url("**?done=cancelled")
            assert "150 元全部退回" in phone.inner_text("[role=status]")
            repair = _order(server, "水电小修")
            assert repair.status == OrderStatus.CANCELLED
            assert _payments(server, repair.id) == [("charge", "succeeded", 150),
                                                    ("refund", "succeeded", 150)]

            # 3. Above the threshold (and the third order from one merchant in 30 days):
            # the family contact gets SMS messages, sent through the outbox.
            with Session(server["engine"]) as session:  # type: ignore[arg-type]
                assert session.scalars(select(OutboxMessage)).all() == []  # 120, 150: quiet
            _buy(phone, base, "健康体检", "全面体检", 600)
            with Session(server["engine"]) as session:  # type: ignore[arg-type]
                told = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
                assert {(m.kind, m.to_phone, m.status.value) for m in told} == {
                    (MessageKind.FAMILY, FAMILY_PHONE, "sent")}
                texts = [m.text for m in told]
                assert len(texts) == 2 and "全面体检" in texts[0] and "600 元" in texts[0]
                assert "下单 3 次" in texts[1]

            # 4. The caregiver proves the visit at the elder's home (home-care visit proof).
            with Session(server["engine"]) as session:  # type: ignore[arg-type]
                order = session.get_one(Order, cleaning.id)
                staff = session.get_one(Staff, server["staff"])
                visit = prove_visit(session, order, staff, elder_seed=1)
                assert visit.billable, visit.evidence
                session.commit()
            phone.goto(f"{base}/m/market/orders/{cleaning.id}")
            assert phone.inner_text("#visit-state") == "上门服务已确认"

            # 5. The payout job: nothing on the last cancel day, paid the day after.
            with Session(server["engine"]) as session:  # type: ignore[arg-type]
                last_day = cleaning.cooling_off_until
                assert payouts.pay_out_due(session, today=last_day)["paid"] == 0
                counts = payouts.pay_out_due(session, today=last_day + timedelta(days=1))
                session.commit()
            assert counts["paid"] == 1 and counts["unproven"] == 1  # the check-up: no receipt
            assert _payments(server, cleaning.id)[-1] == ("payout", "succeeded", 120)
            assert _order(server, "两小时家庭保洁").status == OrderStatus.PAID_OUT
            assert _order(server, "全面体检").status == OrderStatus.PAID
            phone.goto(f"{base}/m/market/orders/{cleaning.id}")
            assert phone.inner_text("#order-status") == "已完成"
            assert phone.get_by_role("button", name="取消订单，退回 120 元").count() == 0

            # 6. Every marketplace phone page: no serious accessibility problem, large type.
            for path in ("/m/market", "/m/market/c/cleaning", f"/m/market/orders/{cleaning.id}",
                         f"/m/market/orders/{cleaning.id}/complain", "/m/market/orders"):
                phone.goto(f"{base}{path}")
                name = "market" + path.replace("/", "_")
                phone.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=True)
                assert _axe(phone) == [], path
                font = phone.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
                assert font >= 20, (path, font)

            # 7. Stars in large buttons; a complaint in large icons goes to the community.
            phone.goto(f"{base}/m/market/orders/{cleaning.id}")
            phone.get_by_role("button", name="5 颗星").click()
            phone.wait_for_url("**?done=rated")
            assert _order(server, "两小时家庭保洁").rating == 5
            phone.get_by_role("link", name="向社区投诉").click()
            phone.get_by_role("button", name="被要求加钱").click()
            phone.wait_for_url("**?done=complained")
            with Session(server["engine"]) as session:  # type: ignore[arg-type]
                complaint = session.scalars(select(Complaint)).one()
                assert (complaint.reason, complaint.order_id) == ("overcharged", cleaning.id)
            refunds = [p for p in _payments(server, repair.id) if p[0] == PaymentKind.REFUND]
            assert refunds == [("refund", PaymentStatus.SUCCEEDED.value, 150)]
        finally:
            browser.close()
