"""Community events in a real browser (headless Chromium): a retiree signs up on a phone-sized
screen, a worker marks attendance on a tablet with large buttons, and the retiree page shows
the attendance; every step is checked against the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.community.models import (
    Attendance,
    CommunityEvent,
    EventKind,
    EventSignup,
    SignupChannel,
)
from lifecert.core.db import build_engine, utcnow
from lifecert.core.roles import Role
from lifecert.organisation.service import create_staff
from tests.builders import PASSWORD, make_city, make_community, make_retiree
from tests.web.browser import BROWSER_ARGS, chromium, migrated_sqlite, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    url = migrated_sqlite(tmp_path_factory, "events-server")
    engine = build_engine(url)
    with Session(engine) as session:
        community = make_community(session, city=make_city(session), name="幸福社区")
        create_staff(
            session,
            username="ew",
            password=PASSWORD,
            full_name="社区工作者 孙丽",
            role=Role.COMMUNITY_WORKER,
            regions=[community],
        )
        person = make_retiree(session, community=community, name="李桂兰")
        neighbour = make_retiree(session, community=community, name="李建国")
        start = utcnow() + timedelta(minutes=30)  # soon: sign-up still open, attendance too
        event = CommunityEvent(
            community_id=community.id,
            title="冬季防跌倒讲座",
            kind=EventKind.HEALTH_TALK,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="社区活动室",
            capacity=5,
        )
        session.add(event)
        token = issue_invitation(session, actor=None, retiree_id=person.id)
        session.commit()
        ids = {
            "person": person.id,
            "neighbour": neighbour.id,
            "event": event.id,
            "token": token,
        }
    with serving(url, engine) as base:
        yield {**ids, "base": base, "engine": engine}


def _signup(server: dict[str, object], retiree: str = "person") -> EventSignup | None:
    with Session(server["engine"]) as session:  # type: ignore[arg-type]
        return session.scalar(
            select(EventSignup).where(
                EventSignup.event_id == server["event"],
                EventSignup.retiree_id == server[retiree],
            )
        )


def test_phone_sign_up_then_tablet_attendance(server: dict[str, object]) -> None:
    from playwright.sync_api import sync_playwright

    base, event_id, person_id = str(server["base"]), server["event"], server["person"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=BROWSER_ARGS
        )
        try:
            phone = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
            phone.goto(f"{base}/m/i/{server['token']}")
            phone.get_by_role("link", name="社区活动").click()
            phone.get_by_role("link", name="查看活动").click()
            phone.wait_for_url(f"**/m/events/{event_id}")
            button = phone.get_by_role("button", name="我要报名")
            assert button.bounding_box()["height"] >= 64  # type: ignore[index]
            button.click()
            phone.wait_for_url("**?done=signed_up")
            assert "报名成功" in phone.inner_text("[role=status]")
            signup = _signup(server)
            assert signup is not None and signup.channel == SignupChannel.MOBILE

            tablet = browser.new_page(locale="zh-CN", viewport={"width": 1024, "height": 768})
            tablet.goto(f"{base}/login")
            tablet.fill("#username", "ew")
            tablet.fill("#password", PASSWORD)
            tablet.click("button[type=submit]")
            tablet.wait_for_url("**/home")
            tablet.get_by_role("link", name="社区活动").first.click()
            tablet.get_by_role("link", name="冬季防跌倒讲座").click()
            # The worker finds the neighbour by name and signs them up.
            tablet.fill("#q", "李")
            tablet.get_by_role("button", name="查找").click()
            row = tablet.locator(".found li", has_text="李建国")
            assert tablet.locator(".found li", has_text="李桂兰").count() == 0  # already in
            row.get_by_role("button", name="报名").click()
            tablet.wait_for_url(f"**/events/{event_id}")
            by_worker = _signup(server, "neighbour")
            assert by_worker is not None and by_worker.channel == SignupChannel.STAFF
            assert by_worker.signed_up_by is not None
            assert "已报名 2 / 5 人" in tablet.inner_text("#taken")
            tablet.get_by_role("link", name="登记签到").click()
            came = tablet.locator(f"#r{person_id} button.mark-attended")
            box = came.bounding_box()
            assert box is not None and box["height"] >= 64 and box["width"] >= 120
            came.click()
            tablet.wait_for_url(f"**/events/{event_id}/attendance*")
            assert came.get_attribute("aria-pressed") == "true"
            signup = _signup(server)
            assert signup is not None and signup.attendance == Attendance.ATTENDED

            tablet.goto(f"{base}/retirees/{person_id}")
            assert "冬季防跌倒讲座" in tablet.inner_text("main")
            assert "已到" in tablet.inner_text("main")
        finally:
            browser.close()
