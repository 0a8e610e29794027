"""The elderly allowance in a real browser (headless Chromium): an elder finds it on a
phone-sized screen by pinyin initials, applies with the registry's data prefilled, the
community worker approves it on the staff page, the bureau's payment export contains it, and
the elder's phone shows the approval; every step checked against the database."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.core.db import build_engine
from lifecert.core.roles import Role
from lifecert.organisation.service import create_staff
from lifecert.services.models import AllowancePayment, ApplicationStatus, ServiceApplication
from tests.builders import PASSWORD, make_city, make_community, make_retiree
from tests.services.helpers import city_directory
from tests.web.browser import BROWSER_ARGS, chromium, migrated_sqlite, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    url = migrated_sqlite(tmp_path_factory, "services-server")
    engine = build_engine(url)
    with Session(engine) as session:
        city = make_city(session)
        community = make_community(session, city=city, name="幸福社区")
        city_directory(session, city)
        create_staff(session, username="sw", password=PASSWORD, full_name="社区工作者 孙丽",
                     role=Role.COMMUNITY_WORKER, regions=[community])
        create_staff(session, username="bo", password=PASSWORD, full_name="人社局 王强",
                     role=Role.BUREAU_OFFICER, regions=[city])
        elder = make_retiree(session, community=community, name="周桂英", birth=date(1936, 4, 9))
        session.commit()
        ids = {"elder": elder.id,
               "token": issue_invitation(session, actor=None, retiree_id=elder.id)}
        session.commit()
    with serving(url, engine) as base:
        yield {**ids, "base": base, "engine": engine}


def _application(server: dict[str, object]) -> ServiceApplication | None:
    with Session(server["engine"]) as session:  # type: ignore[arg-type]
        return session.scalar(
            select(ServiceApplication).where(ServiceApplication.retiree_id == server["elder"])
        )


def _login(page: object, base: str, username: str) -> None:
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.fill("#username", username)  # type: ignore[attr-defined]
    page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/home")  # type: ignore[attr-defined]


def test_elder_applies_worker_approves_export_has_it(server: dict[str, object]) -> None:
    from playwright.sync_api import sync_playwright

    base = str(server["base"])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=BROWSER_ARGS
        )
        try:
            phone = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
            phone.goto(f"{base}/m/i/{server['token']}")
            phone.get_by_role("link", name="办事服务").click()
            phone.wait_for_url("**/m/services")
            phone.fill("#q", "gljt")
            phone.get_by_role("button", name="查找").click()
            assert phone.locator(".m-service h3").all_inner_texts() == ["高龄津贴"]
            phone.get_by_role("link", name="查看高龄津贴").click()
            assert "八十周岁以上" in phone.inner_text("main")
            assert "✓ 年满80周岁" in phone.inner_text(".checks")
            apply = phone.get_by_role("link", name="在线申请")
            assert apply.bounding_box()["height"] >= 56  # type: ignore[index]
            apply.click()
            assert "周桂英" in phone.inner_text(".m-form")  # prefilled from the registry
            phone.get_by_role("button", name="提交申请").click()
            phone.wait_for_url("**?done=submitted")
            assert "申请已提交" in phone.inner_text("[role=status]")
            assert phone.inner_text("#app-status") == "已提交，等待社区审核"
            app = _application(server)
            assert app is not None and app.status == ApplicationStatus.SUBMITTED
            assert app.form["name"] == "周桂英"

            tablet = browser.new_page(locale="zh-CN", viewport={"width": 1024, "height": 768})
            _login(tablet, base, "sw")
            tablet.get_by_role("link", name="办事服务").first.click()
            assert "高龄津贴" in tablet.inner_text("#directory")
            tablet.get_by_role("link", name="服务申请").first.click()
            tablet.get_by_role("link", name="周桂英").click()
            tablet.locator("button[value=approve]").click()
            tablet.wait_for_url("**?done=approve")
            assert tablet.inner_text("#app-status") == "已通过"
            app = _application(server)
            assert app is not None and app.status == ApplicationStatus.APPROVED

            bureau = browser.new_page(locale="zh-CN")
            _login(bureau, base, "bo")
            export = bureau.request.get(f"{base}/api/v1/services/allowance-payments.csv")
            assert export.status == 200, export.text()
            rows = list(csv.DictReader(io.StringIO(export.text().lstrip("\ufeff"))))
            assert [(r["name"], r["service"], r["monthly_amount"]) for r in rows] == [
                ("周桂英", "高龄津贴", "200")
            ]
            with Session(server["engine"]) as session:  # type: ignore[arg-type]
                payment = session.scalars(select(AllowancePayment)).one()
                assert payment.application_id == app.id

            phone.goto(f"{base}/m/applications")
            assert "已通过" in phone.inner_text("main")
        finally:
            browser.close()
