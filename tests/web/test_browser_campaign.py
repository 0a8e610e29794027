"""A campaign end to end in a real browser (headless Chromium): a community worker targets
the people of their community whose certification ends within 30 days, checks the previewed
count against the database, sends; the retiree logs in on the phone pages with an SMS code
(read from the dev gateway's page) and finds the message in the inbox."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.core.db import build_engine
from lifecert.core.roles import Role
from lifecert.organisation.models import Region
from lifecert.organisation.service import create_staff
from lifecert.retirees.idnumber import build_id_number
from lifecert.retirees.models import CertState, Retiree, RetireeStatus
from lifecert.retirees.service import NewRetiree, create_retiree
from lifecert.system.clock import local_now
from tests.builders import PASSWORD, admin_actor, make_city, make_community
from tests.web.browser import BROWSER_ARGS, chromium, migrated_sqlite, serving

pytestmark = pytest.mark.browser

# (name, state, days until validity ends or None, lives in the worker's community)
PEOPLE = [
    ("王秀英", CertState.DUE_SOON, 12, True),
    ("李国华", CertState.DUE_SOON, 29, True),
    ("张建军", CertState.CERTIFIED, 200, True),
    ("刘桂兰", CertState.OVERDUE, -3, True),
    ("陈德成", CertState.DUE_SOON, 5, False),  # another community: never targeted
]


def _seed(session: Session) -> dict[str, object]:
    city = make_city(session)
    mine, other = make_community(session, city=city), make_community(session, city=city)
    create_staff(
        session,
        username="bw",
        password=PASSWORD,
        full_name="社区工作者 赵敏",
        role=Role.COMMUNITY_WORKER,
        regions=[mine],
    )
    numbers = {}
    for serial, (name, state, days, in_mine) in enumerate(PEOPLE, start=1):
        number = build_id_number("430102", date(1945, 5, serial), serial)
        retiree = create_retiree(
            session,
            actor=admin_actor(),
            data=NewRetiree(
                id_number=number,
                name=name,
                community_id=(mine if in_mine else other).id,
                phone=f"1380000{serial:04d}",
            ),
        )
        retiree.cert_state = state
        today = local_now().date()
        retiree.valid_until = today + timedelta(days=days) if days is not None else None
        numbers[name] = (number, retiree.phone)
    session.flush()
    return {"community_id": mine.id, "numbers": numbers}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    url = migrated_sqlite(tmp_path_factory, "campaign-server")
    engine = build_engine(url)
    with Session(engine) as session:
        seeded = _seed(session)
        session.commit()
    with serving(url, engine) as base:
        yield {**seeded, "base": base, "engine": engine}


def _due_within_30_from_db(server: dict[str, object]) -> int:
    """The group counted straight from the tables, independently of the service's query."""
    today = local_now().date()
    with Session(server["engine"]) as session:  # type: ignore[arg-type]
        return (
            session.scalar(
                select(func.count())
                .select_from(Retiree)
                .join(Region)
                .where(
                    Retiree.community_id == server["community_id"],
                    Retiree.status == RetireeStatus.ACTIVE,
                    Retiree.cert_state.in_([CertState.CERTIFIED, CertState.DUE_SOON]),
                    Retiree.valid_until.between(today, today + timedelta(days=30)),
                )
            )
            or 0
        )


def test_worker_sends_a_campaign_and_the_retiree_reads_it(server: dict[str, object]) -> None:
    from playwright.sync_api import sync_playwright

    base = str(server["base"])
    number, phone = server["numbers"]["王秀英"]  # type: ignore[index]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=BROWSER_ARGS
        )
        try:
            staff = browser.new_page(locale="zh-CN")
            staff.goto(f"{base}/login")
            staff.fill("#username", "bw")
            staff.fill("#password", PASSWORD)
            staff.click("button[type=submit]")
            staff.wait_for_url("**/home")
            staff.get_by_role("link", name="通知", exact=True).click()
            staff.wait_for_url("**/campaigns")
            staff.get_by_role("link", name="新建通知活动").click()
            staff.fill("#name", "认证到期提醒")
            staff.select_option("#group", "due_within")
            staff.fill("#due_within_days", "30")
            staff.fill("#template_zh", "{name}您好，您的认证有效期至{valid_until}，请尽快认证。")
            staff.click("#preview-button")
            staff.wait_for_selector("#preview-count")
            previewed = int(staff.get_attribute("#preview-count", "data-count") or -1)
            assert previewed == _due_within_30_from_db(server) == 2
            assert "王秀英您好" in staff.inner_text("#preview")
            staff.click("#send-button")
            staff.wait_for_url(re.compile(r".*/campaigns/\d+$"))
            recipients = staff.inner_text("#recipients")
            assert "王秀英" in recipients and "李国华" in recipients
            assert "陈德成" not in recipients and "张建军" not in recipients
            assert staff.inner_text("#recipient-count") == "2"

            phone_page = browser.new_context(locale="zh-CN").new_page()
            phone_page.goto(f"{base}/m")
            phone_page.fill("#id_number", number)
            phone_page.get_by_role("button", name="发短信验证码给我").click()
            sms = phone_page.context.new_page()
            sms.goto(f"{base}/m/sms")
            line = next(li for li in sms.locator("li").all_inner_texts() if phone in li)
            code = re.search(r"(\d{6})", line.split(f"{phone}:", 1)[1]).group(1)  # type: ignore[union-attr]
            phone_page.fill("input[name=code]", code)
            phone_page.locator("form button[type=submit]").first.click()
            phone_page.wait_for_url("**/m/home")
            assert "1 条新消息" in phone_page.inner_text("main")
            phone_page.get_by_role("link", name=re.compile("我的消息")).click()
            phone_page.wait_for_url("**/m/inbox")
            phone_page.locator(".inbox a").first.click()
            text = phone_page.inner_text("#message-text")
            valid_until = (local_now().date() + timedelta(days=12)).isoformat()
            assert text == f"王秀英您好，您的认证有效期至{valid_until}，请尽快认证。"
        finally:
            browser.close()
