"""The embedded demo lives: a platform admin moves the demo clock 400 days forward, the nightly
cycle runs (same task code) for every day passed, the bureau dashboard shows suspensions, and a
suspended retiree's phone page says payment has stopped, since when, and how to restore it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.certification.access import issue_invitation
from lifecert.certification.models import PaymentAction, PaymentChange
from lifecert.core.settings import get_settings
from lifecert.demo import DEMO_PASSWORD, DemoSize, build_demo, demo_phone_retiree
from lifecert.retirees.models import Retiree, RetireeStatus
from lifecert.system.clock import local_now, scheduler_today
from lifecert.system.models import JobRun
from lifecert.system.scheduler import CATCH_UP, wait_catch_up
from tests.builders import csrf_of, login

SMALL = DemoSize(retirees=120, districts=2, streets=6, communities=20)


@pytest.fixture
def demo_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(get_settings().demo, "clock", True)
    yield




def _figure(page: str, name: str) -> int:
    found = re.search(rf'data-figure="{name}">(\d+)<', page)
    assert found, name
    return int(found.group(1))


def test_advancing_400_days_suspends_and_the_phone_page_says_so(
    client: TestClient, session: Session, demo_clock: None
) -> None:
    build_demo(session, size=SMALL, seed=7)
    session.commit()
    phone_retiree = demo_phone_retiree(session)  # the one `lifecert serve --demo` prints
    assert phone_retiree is not None
    login(client, "bureau", DEMO_PASSWORD)
    assert _figure(client.get("/home").text, "suspended") == 0

    client.cookies.clear()
    login(client, "admin", DEMO_PASSWORD)
    page = client.get("/admin/demo-clock")
    assert page.status_code == 200
    moved = client.post(
        "/admin/demo-clock", data={"days": 400, "csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert moved.status_code == 303, moved.text  # the days run in the background ...
    wait_catch_up(timeout=600)
    moved = client.get("/admin/demo-clock")  # ... and the page shows what they did
    assert CATCH_UP.done == 400 and not CATCH_UP.failed
    start = local_now().date()
    assert scheduler_today(session) == start + timedelta(days=400)
    # The cycle ran once for each day passed, through the task (its idempotency keys).
    runs = session.scalar(
        select(func.count()).where(JobRun.task_name == "certification.run_cycle")
    )
    assert runs == 400
    suspended = session.scalar(
        select(func.count()).where(Retiree.status == RetireeStatus.SUSPENDED)
    )
    assert suspended and suspended > 100  # everyone valid < 340 days ahead, or never certified
    assert f"暂停发放：{suspended} 人" in moved.text

    client.cookies.clear()
    login(client, "bureau", DEMO_PASSWORD)
    assert _figure(client.get("/home").text, "suspended") == suspended

    session.expire_all()  # the cycle's jobs changed the rows in their own sessions
    retiree = session.get_one(Retiree, phone_retiree.id)
    assert retiree.status == RetireeStatus.SUSPENDED
    stopped = session.scalar(
        select(PaymentChange.effective_date).where(
            PaymentChange.retiree_id == retiree.id, PaymentChange.action == PaymentAction.SUSPEND
        )
    )
    client.cookies.clear()
    phone = client.get(f"/m/i/{issue_invitation(session, actor=None, retiree_id=retiree.id)}")
    assert phone.status_code == 200
    text = phone.text
    assert "养老金已停发" in text  # "Your pension payment has stopped"
    assert f"{stopped.year}年{stopped.month}月{stopped.day}日" in text
    assert "刷脸认证" in text and "补发" in text  # how to restore it: certify; arrears paid
    assert "0731-84561234" in text  # the community worker's number
    assert "仍在发放" not in text  # never "still paid" to someone whose payment stopped


def test_the_demo_clock_is_for_admins_and_only_in_the_demo(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_demo(session, size=SMALL, seed=7)
    session.commit()
    login(client, "admin", DEMO_PASSWORD)
    assert client.get("/admin/demo-clock").status_code == 404  # clock off (not the demo)
    monkeypatch.setattr(get_settings().demo, "clock", True)
    page = client.get("/admin/demo-clock")
    assert page.status_code == 200
    client.cookies.clear()
    login(client, "bureau", DEMO_PASSWORD)
    page = client.get("/home")
    refused = client.post("/admin/demo-clock", data={"days": 5, "csrf": csrf_of(page.text)})
    assert refused.status_code == 403
    assert scheduler_today(session) == local_now().date()
