"""The retiree's, the family helper's and the community worker's journeys in headless Chromium,
at a phone's 390x844 and a laptop's 1366x768, with screenshots (CI artefacts, see
``tests/web/browser.py``) and an accessibility check by axe-core (vendored for the tests under
``tests/web/vendor/axe-core``): 0 serious or critical violations on retiree pages, WCAG AAA
text contrast (7:1) included, base font at least 20 px, and the face check's instruction and
Start button on screen at 390x844 without scrolling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from lifecert.certification.access import issue_invitation
from lifecert.certification.models import Certification, Outcome, PaymentAction, PaymentChange
from lifecert.core import db as db_module
from lifecert.core.crypto import get_keyring
from lifecert.core.db import build_engine
from lifecert.demo import DEMO_PASSWORD, DemoSize, build_demo, demo_phone_retiree
from lifecert.retirees.idnumber import build_id_number
from lifecert.retirees.models import Retiree, RetireeStatus
from lifecert.system.clock import local_now
from tests.web.browser import BROWSER_ARGS, chromium, migrated_sqlite, serving

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url = migrated_sqlite(tmp_path_factory, "phone-server")
    engine = build_engine(url)
    with pytest.MonkeyPatch.context() as patch, Session(engine) as session:
        # Jobs the demo queues run inline, in sessions of their own: on this database too.
        patch.setattr(db_module, "get_sessionmaker", lambda: sessionmaker(bind=engine))
        build_demo(session, size=DemoSize(retirees=200, districts=2, streets=6, communities=20))
        person = demo_phone_retiree(session)
        assert person is not None
        results = {
            c.outcome: (c.id, issue_invitation(session, actor=None, retiree_id=c.retiree_id))
            for c in session.scalars(select(Certification).where(Certification.reason != "")
                                     .order_by(Certification.id.desc()).limit(5))
        }
        stopped = session.scalars(
            select(Retiree).where(Retiree.id != person.id).order_by(Retiree.id).limit(1)
        ).one()
        stopped.status = RetireeStatus.SUSPENDED
        session.add(
            PaymentChange(
                retiree_id=stopped.id,
                action=PaymentAction.SUSPEND,
                effective_date=local_now().date() - timedelta(days=12),
                reason="not certified after the grace period",
                idempotency_key=f"demo-suspend:{stopped.id}",
            )
        )
        elder_number = get_keyring().decrypt_text(person.id_number_enc, context="retiree.id_number")
        session.commit()
        data = {
            "phone_link": f"/m/i/{issue_invitation(session, actor=None, retiree_id=person.id)}",
            "stopped_link": f"/m/i/{issue_invitation(session, actor=None, retiree_id=stopped.id)}",
            "results": results,
            "elder_number": elder_number,
        }
        session.commit()  # the invitations above
    with serving(url, engine) as base:
        yield {**data, "base": base}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=[*BROWSER_ARGS, *CAMERA]
        )
        try:
            yield launched
        finally:
            launched.close()


def _context(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="zh-CN", permissions=["camera"])
    context.add_init_script(path=str(AXE))  # an init script: no page CSP can block it
    return context


def _axe(page: Any) -> list[dict[str, Any]]:
    """Serious and critical violations, WCAG A to AAA (AAA: text contrast at least 7:1)."""
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag2aaa', 'wcag21a', 'wcag21aa', 'best-practice']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _retiree_page_ok(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert _axe(page) == [], name
    font = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 20, (name, font)


def _on_screen(page: Any, selector: str) -> bool:
    return bool(
        page.evaluate(
            """s => { const r = document.querySelector(s).getBoundingClientRect();
                      return r.top >= 0 && r.bottom <= innerHeight && r.height > 0; }""",
            selector,
        )
    )


def test_retiree_home_and_face_check_at_390x844(
    server: dict[str, Any], browser: Any, screenshots: Path
) -> None:
    context = _context(browser, PHONE)
    page = context.new_page()
    page.goto(server["base"] + server["phone_link"])
    assert "有效期至" in page.inner_text("main")
    _retiree_page_ok(page, screenshots, "phone-home-390")
    page.click("text=我同意")  # consent first, then the Start button
    page.click("a[href='/m/check']")
    page.wait_for_selector("#go")
    _retiree_page_ok(page, screenshots, "phone-check-390")
    assert _on_screen(page, "#instruction") and _on_screen(page, "#go")
    page.wait_for_function("() => document.getElementById('preview').videoWidth > 0")
    page.wait_for_timeout(500)
    assert _on_screen(page, "#instruction") and _on_screen(page, "#go")  # camera running
    page.screenshot(path=str(screenshots / "phone-check-camera-390.png"))
    context.close()


def test_suspended_retiree_is_told_payment_stopped(
    server: dict[str, Any], browser: Any, screenshots: Path
) -> None:
    context = _context(browser, PHONE)
    page = context.new_page()
    page.goto(server["base"] + server["stopped_link"])
    text = page.inner_text("main")
    assert "养老金已停发" in text and "补发" in text and "照常发放" not in text
    _retiree_page_ok(page, screenshots, "phone-suspended-390")
    context.close()


def test_every_result_page_has_one_next_step(
    server: dict[str, Any], browser: Any, screenshots: Path
) -> None:
    expected = {
        Outcome.CERTIFIED: "完成",
        Outcome.REVIEW: "工作人员",
        Outcome.RETRY: "现在再试一次",
        Outcome.SYSTEM_FAULT: "现在再试一次",
    }
    for outcome, marker in expected.items():
        certification_id, token = server["results"][outcome]
        context = _context(browser, PHONE)
        page = context.new_page()
        page.goto(f"{server['base']}/m/i/{token}")
        page.goto(f"{server['base']}/m/result/{certification_id}")
        assert marker in page.inner_text("main"), outcome
        assert page.locator("a.primary, button.primary").count() >= 1, outcome
        _retiree_page_ok(page, screenshots, f"phone-result-{outcome.value}-390")
        context.close()


def test_helper_stays_in_the_helper_flow_on_a_wrong_code(
    server: dict[str, Any], browser: Any, screenshots: Path
) -> None:
    context = _context(browser, PHONE)
    page = context.new_page()
    base = server["base"]
    page.goto(f"{base}/m/helper")
    page.fill("#phone", "13900001111")
    page.click("button[type=submit]")
    page.fill("#code", "000000")
    page.fill("#name", "王小明")
    page.click("text=继续")
    assert "/m/helper" in page.url and "验证码" in page.inner_text("main")
    assert page.locator("#code").count() == 1  # still the helper's code form, not the retiree's
    _retiree_page_ok(page, screenshots, "phone-helper-wrong-code-390")
    sms = context.new_page()
    sms.goto(f"{base}/m/sms")
    code = re.findall(r"13900001111: .*?(\d{6})", sms.inner_text("main"))[-1]
    page.fill("#code", code)
    page.fill("#hid", build_id_number("430102", date(1980, 5, 1), 123))
    page.click("text=继续")
    page.wait_for_url(f"{base}/m/helper")
    page.fill("#eid", server["elder_number"])
    page.fill("#relation", "儿子")
    page.click("form[action='/m/helper/elders'] button[type=submit]")
    assert "*" in page.inner_text(".elders")
    _retiree_page_ok(page, screenshots, "phone-helper-390")
    context.close()


def test_worker_journey_at_1366x768(
    server: dict[str, Any], browser: Any, screenshots: Path
) -> None:
    context = _context(browser, LAPTOP)
    page = context.new_page()
    base = server["base"]
    page.goto(f"{base}/login")
    page.fill("#username", "worker")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/home")
    page.screenshot(path=str(screenshots / "worker-dashboard-1366.png"))
    page.goto(f"{base}/dashboard/visits")
    page.screenshot(path=str(screenshots / "worker-visits-1366.png"))
    page.click("table a[href^='/retirees/']")
    assert "/retirees/" in page.url
    page.screenshot(path=str(screenshots / "worker-retiree-1366.png"), full_page=True)
    page.goto(f"{base}/reviews")
    page.screenshot(path=str(screenshots / "worker-reviews-1366.png"))
    assert page.locator("main").count() == 1
    context.close()
