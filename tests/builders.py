"""Plain builder functions for test data (no fixture chains)."""

from __future__ import annotations

import itertools
import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.organisation.models import Region, RegionLevel, Staff
from lifecert.organisation.service import actor_for, create_region, create_staff
from lifecert.retirees.idnumber import build_id_number
from lifecert.retirees.models import Retiree
from lifecert.retirees.service import NewRetiree, create_retiree

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def make_city(session: Session, *, code: str = "430100", name: str = "长沙市") -> Region:
    province = create_region(
        session, name=f"{name}所在省", code=f"P{code}", level=RegionLevel.PROVINCE
    )
    return create_region(session, name=name, code=code, level=RegionLevel.CITY, parent=province)


def make_community(session: Session, *, city: Region, name: str | None = None) -> Region:
    n = next(_counter)
    district = create_region(
        session, name=f"区{n}", code=f"{city.code}D{n}", level=RegionLevel.DISTRICT, parent=city
    )
    street = create_region(
        session, name=f"街道{n}", code=f"{city.code}S{n}", level=RegionLevel.STREET, parent=district
    )
    return create_region(
        session,
        name=name or f"社区{n}",
        code=f"{city.code}C{n}",
        level=RegionLevel.COMMUNITY,
        parent=street,
    )


def make_staff(
    session: Session,
    *,
    role: Role,
    regions: list[Region] | None = None,
    username: str | None = None,
) -> Staff:
    return create_staff(
        session,
        username=username or f"user{next(_counter)}",
        password=PASSWORD,
        full_name="测试员",
        role=role,
        regions=regions or [],
    )


def admin_actor() -> Actor:
    return Actor(staff_id=0, username="root", role=Role.PLATFORM_ADMIN, region_paths=())


def make_retiree(
    session: Session, *, community: Region, name: str = "张三", birth: date = date(1950, 3, 7)
) -> Retiree:
    number = build_id_number("430102", birth, next(_counter))
    return create_retiree(
        session,
        actor=admin_actor(),
        data=NewRetiree(
            id_number=number,
            name=name,
            community_id=community.id,
            phone="13800000000",
            address="测试地址",
        ),
    )


def actor_of(staff: Staff) -> Actor:
    return actor_for(staff)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Logs in through the real form; returns the CSRF token for later writes."""
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    home = client.get("/home").text  # the token rotates on login; read the new one
    return home.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def noise_photo(seed: int = 1, size: int = 240, fmt: str = "PNG") -> bytes:
    """An image the fake face engine accepts (one 'face', sharp, well exposed)."""
    import io

    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(seed).integers(40, 215, (size, size, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt)
    return buffer.getvalue()


def write_roster(path: object, rows: list[list[str]]) -> None:
    import csv
    from pathlib import Path

    header = ["身份证号", "姓名", "社区代码", "联系电话", "地址", "养老金账号", "发放机构"]
    with Path(str(path)).open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])


def csrf_of(html: str) -> str:
    """The CSRF token a page carries (a form field, or ``data-csrf`` on the phone pages)."""
    match = re.search(r'(?:name="csrf" value|data-csrf)="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)
