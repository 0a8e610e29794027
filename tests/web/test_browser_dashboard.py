"""Dashboards in a real browser (headless Chromium): a community worker and a bureau officer
log in, the figures on their landing pages are read from the page and compared with counts
made here straight from the tables; the officer drills down a level and the charts are drawn
by the app's own Chart.js."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lifecert.certification.models import Outcome
from lifecert.core.db import build_engine
from lifecert.core.roles import Role
from lifecert.dashboards.service import beijing_today
from lifecert.organisation.service import create_staff
from tests.builders import PASSWORD
from tests.dashboards.helpers import (
    add_decision,
    add_history,
    build_world,
    expected_certified_in_month,
    expected_figures,
)
from tests.web.browser import BROWSER_ARGS, chromium, migrated_sqlite, serving, wait_until

pytestmark = pytest.mark.browser

FIGURES = ["elderly", "certified", "due_soon", "overdue", "suspended", "under_review", "never"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    url = migrated_sqlite(tmp_path_factory, "dashboard-server")
    engine = build_engine(url)
    with Session(engine) as session:
        world = build_world(session, beijing_today())
        add_history(session, world, datetime.now(UTC))
        create_staff(
            session,
            username="dw",
            password=PASSWORD,
            full_name="社区工作者 孙丽",
            role=Role.COMMUNITY_WORKER,
            regions=[world.a1],
        )
        create_staff(
            session,
            username="do",
            password=PASSWORD,
            full_name="市社保 周科长",
            role=Role.BUREAU_OFFICER,
            regions=[world.city],
        )
        session.commit()
        ids = {
            "city": world.city.path,
            "a1": world.a1.path,
            "district_a": world.district_a.id,
            "district_a_path": world.district_a.path,
            "mover": world.people[0].id,
        }
    with serving(url, engine) as base:
        yield {**ids, "base": base, "engine": engine}


def _expected(server: dict[str, object], path: str) -> dict[str, int]:
    today = beijing_today()
    with Session(server["engine"]) as session:  # type: ignore[arg-type]
        out = expected_figures(session, path)
        out["certified_this_month"] = expected_certified_in_month(
            session, path, today.year, today.month
        )
    return out


def _read_tiles(page: Any) -> dict[str, int]:
    return {
        name: int(page.inner_text(f'ul.figures [data-figure="{name}"]'))
        for name in [*FIGURES, "certified_this_month"]
    }


def _login(browser: Any, base: str, username: str) -> Any:
    page = browser.new_page(locale="zh-CN", viewport={"width": 1024, "height": 1366})  # tablet
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/home")
    return page


def test_worker_and_officer_see_the_database_figures(server: dict[str, object]) -> None:
    from playwright.sync_api import sync_playwright

    base = str(server["base"])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=BROWSER_ARGS
        )
        try:
            worker = _login(browser, base, "dw")
            assert _read_tiles(worker) == _expected(server, str(server["a1"]))
            # Chart.js (served by the app) drew on the canvases.
            wait_until(worker, "!!(window.Chart && Chart.getChart('chart-status'))")
            bars = worker.evaluate("Chart.getChart('chart-trend').data.datasets[0].data.length")
            assert bars == 12
            line = worker.evaluate("Chart.getChart('chart-trend').data.datasets[1].data")
            assert len(line) == 12 and line[-1] is not None  # this month's rate, read live
            worker.get_by_role("link", name="需要上门的老人", exact=False).first.click()
            worker.wait_for_url("**/dashboard/visits**")
            assert worker.locator("#visit-table tbody tr").count() >= 1

            officer = _login(browser, base, "do")
            before = _read_tiles(officer)
            assert before == _expected(server, str(server["city"]))
            # Change the data under the page: the next view shows it (no stale rollup).
            engine = server["engine"]
            with Session(engine) as session:  # type: ignore[arg-type]
                from lifecert.retirees.models import Retiree

                person = session.get_one(Retiree, server["mover"])
                add_decision(
                    session, person, Outcome.CERTIFIED, datetime.now(UTC) - timedelta(minutes=1)
                )
                session.commit()
            officer.click(f'#region-table a.drill[href="/dashboard?region={server["district_a"]}"]')
            officer.wait_for_url(f"**/dashboard?region={server['district_a']}")
            assert _read_tiles(officer) == _expected(server, str(server["district_a_path"]))
            assert "测试市" in officer.inner_text("nav.crumbs")
            assert officer.locator("#region-table tbody tr").count() == 1  # one street
            officer.click("nav.crumbs a >> text=测试市")
            officer.wait_for_url("**/dashboard?region=*")
            after = _read_tiles(officer)
            assert after["certified_this_month"] == before["certified_this_month"] + 1
            assert after == _expected(server, str(server["city"]))
        finally:
            browser.close()
