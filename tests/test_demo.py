"""The demo city is realistic, deterministic, and every demo role lands on its own page."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.core.crypto import get_keyring
from lifecert.demo import DEMO_PASSWORD, DemoSize, build_demo, retiree_rows
from lifecert.identity.service import DEMO_USERNAMES
from lifecert.organisation.models import Region, RegionLevel, Staff
from lifecert.retirees.idnumber import parse_id_number
from lifecert.retirees.models import Retiree
from tests.builders import login

SMALL = DemoSize(retirees=400, districts=2, streets=6, communities=20)


def test_demo_city_has_the_promised_shape(session: Session) -> None:
    build_demo(session, size=SMALL, seed=7)
    levels = dict(session.execute(select(Region.level, func.count()).group_by(Region.level)).all())
    assert levels == {
        RegionLevel.PROVINCE: 1,
        RegionLevel.CITY: 1,
        RegionLevel.DISTRICT: 2,
        RegionLevel.STREET: 6,
        RegionLevel.COMMUNITY: 20,
    }
    retirees = session.scalars(select(Retiree)).all()
    assert len(retirees) == 400
    cipher = get_keyring()
    for retiree in retirees[:50]:
        number = cipher.decrypt_text(retiree.id_number_enc, context="retiree.id_number")
        parsed = parse_id_number(number)  # valid GB 11643 check digit
        assert parsed.birth_date == retiree.birth_date
        assert 1925 <= retiree.birth_date.year <= 1965
        assert retiree.phone.startswith("1") and len(retiree.phone) == 11
        assert 2 <= len(retiree.name) <= 3


def test_same_seed_same_people() -> None:
    communities = [Region(id=i, code=f"43010{i}0010001", name=f"社区{i}") for i in range(1, 4)]
    today = date(2026, 1, 1)

    def people(seed: int) -> list[tuple[object, ...]]:
        return [
            (r["name"], r["birth_date"], r["id_number_masked"])
            for r in retiree_rows(communities, 50, seed, today)
        ]

    assert people(1) == people(1)
    assert people(1) != people(2)


def test_every_demo_role_logs_in_and_sees_its_landing_page(
    client: TestClient, session: Session
) -> None:
    build_demo(session, size=SMALL, seed=7)
    expected = {
        "merchant": "康乐家政",  # the marketplace merchant: its offers and orders
        "admin": "平台管理",
        "bureau": "辖区老人：400 人",
        "district": "辖区老人",
        "worker": "辖区老人",
        "worker2": "辖区老人",
        "provider": "居家养老服务商",
        "academy": "老年大学",
    }
    for username, marker in expected.items():
        client.cookies.clear()
        login(client, username, DEMO_PASSWORD)
        page = client.get("/home")
        assert page.status_code == 200, username
        assert marker in page.text, username


def test_production_knows_every_demo_account(session: Session) -> None:
    """Production refuses to start while a demo account opens with the published password:
    that check only looks at DEMO_USERNAMES, so every account the demo creates must be there."""
    build_demo(session, size=SMALL, seed=7)
    created = set(session.scalars(select(Staff.username)))
    assert created <= set(DEMO_USERNAMES), created - set(DEMO_USERNAMES)
