from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.roles import Permission, Role
from lifecert.organisation.models import RegionLevel
from lifecert.organisation.service import actor_for, create_region, get_region, list_regions
from tests.builders import make_city, make_community, make_staff


def test_region_tree_paths_and_level_rules(session: Session) -> None:
    city = make_city(session)
    community = make_community(session, city=city)
    assert community.path.startswith(city.path) and community.path.count("/") == 6
    with pytest.raises(InvalidInput):
        create_region(session, name="x", code="bad1", level=RegionLevel.COMMUNITY, parent=city)
    with pytest.raises(InvalidInput):
        create_region(session, name="x", code="bad2", level=RegionLevel.CITY)
    with pytest.raises(Conflict):
        create_region(session, name="x", code=city.code, level=RegionLevel.PROVINCE)


def test_staff_regions_define_what_they_see(session: Session) -> None:
    city = make_city(session)
    a, b = make_community(session, city=city), make_community(session, city=city)
    worker = actor_for(make_staff(session, role=Role.COMMUNITY_WORKER, regions=[a]))
    assert [r.id for r in list_regions(session, actor=worker)] == [a.id]
    with pytest.raises(NotFound):
        get_region(session, actor=worker, region_id=b.id)
    officer = actor_for(make_staff(session, role=Role.BUREAU_OFFICER, regions=[city]))
    assert {a.id, b.id} <= {r.id for r in list_regions(session, actor=officer)}
    assert officer.can(Permission.READ_FULL_ID_NUMBER) and not worker.can(
        Permission.READ_FULL_ID_NUMBER
    )


def test_staff_creation_rules(session: Session) -> None:
    city = make_city(session)
    with pytest.raises(InvalidInput, match="at least one region"):
        make_staff(session, role=Role.COMMUNITY_WORKER, regions=[])
    with pytest.raises(InvalidInput, match="communities only"):
        make_staff(session, role=Role.COMMUNITY_WORKER, regions=[city])
    make_staff(session, role=Role.PLATFORM_ADMIN, username="dup")
    with pytest.raises(Conflict):
        make_staff(session, role=Role.PLATFORM_ADMIN, username="dup")


def test_passwords_are_hashed_with_argon2(session: Session) -> None:
    staff = make_staff(session, role=Role.PLATFORM_ADMIN)
    assert staff.password_hash.startswith("$argon2id$")
