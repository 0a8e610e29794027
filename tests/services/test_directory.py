"""The directory is inherited from the city and overridable by a community; search finds
services by Chinese words, pinyin initials and full pinyin; rules are checked on the registry."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from lifecert.core.errors import NotFound
from lifecert.core.roles import Role
from lifecert.retirees.models import CertState
from lifecert.services.service import (
    check_eligibility,
    directory_for,
    initials_of,
    save_service,
    search_services,
)
from tests.builders import actor_of, make_city, make_community, make_retiree, make_staff
from tests.services.helpers import city_directory


def test_inherited_overridden_and_hidden(session: Session) -> None:
    city = make_city(session)
    here, there = make_community(session, city=city), make_community(session, city=city)
    rows = city_directory(session, city)
    worker = actor_of(make_staff(session, role=Role.COMMUNITY_WORKER, regions=[here]))
    # The community's own address and hours for the allowance; household hidden here.
    save_service(session, actor=worker, region_id=here.id, code="elderly_allowance",
                 data={"address": "幸福社区服务站", "monthly_amount": 300})
    save_service(session, actor=worker, region_id=here.id, code="hukou", data={"active": False})
    with pytest.raises(NotFound):  # not the worker's region
        save_service(session, actor=worker, region_id=there.id, code="hukou",
                     data={"active": False})

    mine = {s.code: s for s in directory_for(session, community=here)}
    theirs = {s.code: s for s in directory_for(session, community=there)}
    assert set(mine) == {"elderly_allowance", "medical_card"}
    assert set(theirs) == {"elderly_allowance", "medical_card", "hukou"}
    assert mine["elderly_allowance"].address == "幸福社区服务站"
    assert mine["elderly_allowance"].monthly_amount == 300
    assert mine["elderly_allowance"].name == "高龄津贴"  # the rest inherited
    assert theirs["elderly_allowance"].id == rows["allowance"].id


def test_search_in_chinese_and_pinyin(session: Session) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    city_directory(session, city)
    assert initials_of("高龄津贴") == "gljt"

    def names(q: str) -> set[str]:
        return {s.name for s in search_services(session, community=here, query=q)}

    assert names("高龄") == {"高龄津贴"}
    assert names("gljt") == {"高龄津贴"}
    assert names("GL") == {"高龄津贴"}
    assert names("yibao") == {"医保卡补办"}
    assert names("丢失") == {"医保卡补办"}
    assert names("xyz") == set()
    assert len(names("")) == 3


def test_rules_checked_on_the_registry(session: Session) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    allowance = city_directory(session, city)["allowance"]
    old = make_retiree(session, community=here, name="老人", birth=date(1940, 1, 1))
    young = make_retiree(session, community=here, name="年轻", birth=date(1960, 1, 1))
    today = date(2026, 12, 4)
    assert all(c.ok for c in check_eligibility(allowance, old, here, today))
    failed = [c.rule for c in check_eligibility(allowance, young, here, today) if not c.ok]
    assert failed == ["min_age"]
    allowance.rules = {**allowance.rules, "certified": True}
    old.cert_state = CertState.OVERDUE
    assert [c.rule for c in check_eligibility(allowance, old, here, today) if not c.ok] == [
        "certified"
    ]
