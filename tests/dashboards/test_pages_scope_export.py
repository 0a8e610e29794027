"""Dashboard pages over HTTP: scope (a worker sees only their communities, an officer cannot
drill outside their region), the landing page, the visit list, and the exports."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from lifecert.core.errors import NotFound
from lifecert.core.roles import Role
from lifecert.dashboards import service
from tests.builders import actor_of, login, make_staff
from tests.dashboards.helpers import build_world, expected_figures

TODAY = service.beijing_today()


def _figure(page: str, name: str) -> int:
    found = re.search(rf'<span class="num" data-figure="{name}">(\d+)</span>', page)
    assert found, name
    return int(found.group(1))


def test_worker_lands_on_the_dashboard_of_their_community_only(
    client: TestClient, session: Session
) -> None:
    world = build_world(session, TODAY)
    worker = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[world.a1], username="w")
    login(client, "w")
    page = client.get("/home")
    assert page.status_code == 200 and "幸福社区" in page.text
    expected = expected_figures(session, world.a1.path)
    for name, n in expected.items():
        assert _figure(page.text, name) == n, name
    assert "东风社区" not in page.text and "/static/vendor/chartjs/chart.umd.min.js" in page.text
    assert client.get(f"/dashboard?region={world.b1.id}").status_code == 404
    assert client.get(f"/dashboard?region={world.street_a.id}").status_code == 404
    assert client.get(f"/dashboard/visits?region={world.b1.id}").status_code == 404
    assert client.get(f"/dashboard/export.csv?region={world.b1.id}").status_code == 404
    try:
        service.build_dashboard(session, actor=actor_of(worker), region_id=world.a2.id)
        raise AssertionError("a community outside the worker's scope was shown")
    except NotFound:
        pass


def test_worker_with_two_communities_sees_both_as_rows(
    client: TestClient, session: Session
) -> None:
    world = build_world(session, TODAY)
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[world.a1, world.b1], username="w2")
    login(client, "w2")
    page = client.get("/home").text
    assert _figure(page, "elderly") == (
        expected_figures(session, world.a1.path)["elderly"]
        + expected_figures(session, world.b1.path)["elderly"]
    )
    assert f'data-region-id="{world.a1.id}"' in page and f'data-region-id="{world.b1.id}"' in page
    assert "和平社区" not in page


def test_officer_drills_down_within_their_district_only(
    client: TestClient, session: Session
) -> None:
    world = build_world(session, TODAY)
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[world.district_a], username="o")
    login(client, "o")
    home = client.get("/home").text
    assert _figure(home, "elderly") == expected_figures(session, world.district_a.path)["elderly"]
    assert f'href="/dashboard?region={world.street_a.id}"' in home
    street = client.get(f"/dashboard?region={world.street_a.id}")
    assert street.status_code == 200
    assert f'<a href="/dashboard?region={world.district_a.id}">甲区</a>' in street.text  # crumb
    assert "测试市" not in street.text  # the city is above their scope: no crumb for it
    for child in (world.a1, world.a2):
        assert f'data-region-id="{child.id}"' in street.text
    community = client.get(f"/dashboard?region={world.a2.id}").text
    assert _figure(community, "overdue") == expected_figures(session, world.a2.path)["overdue"]
    for outside in (world.city, world.district_b, world.b1):
        assert client.get(f"/dashboard?region={outside.id}").status_code == 404
    assert client.get("/dashboard?region=999999").status_code == 404
    api = client.get(f"/api/v1/dashboard?region_id={world.district_b.id}")
    assert api.status_code == 404


def test_city_officer_exports_csv_and_xlsx_with_chinese_intact(
    client: TestClient, session: Session
) -> None:
    world = build_world(session, TODAY)
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[world.city], username="city")
    login(client, "city")
    response = client.get(f"/dashboard/export.csv?region={world.city.id}")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["区域", "老人数", "已认证"]
    by_name = {row[0]: row for row in rows[1:]}
    assert int(by_name["甲区"][1]) == expected_figures(session, world.district_a.path)["elderly"]
    assert int(by_name["乙区"][4]) == expected_figures(session, world.district_b.path)["overdue"]
    assert rows[-1][0].endswith("测试市")
    xlsx = client.get(f"/dashboard/export.xlsx?region={world.city.id}")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [str(v) for v in values[0]] == rows[0]
    assert values[1][0] == "甲区" and values[1][1] == int(by_name["甲区"][1])
    assert client.get(f"/dashboard/export.pdf?region={world.city.id}").status_code == 404


def test_visit_page_sorts_and_rejects_a_bad_sort(client: TestClient, session: Session) -> None:
    world = build_world(session, TODAY)
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[world.city], username="city")
    login(client, "city")
    page = client.get(f"/dashboard/visits?region={world.city.id}&sort=name&desc=true")
    assert page.status_code == 200 and 'aria-sort="descending"' in page.text
    assert "测试地址" in page.text and "13800000000" in page.text
    total = int(re.search(r'data-figure="visits_total">\((\d+)\)', page.text).group(1))  # type: ignore[union-attr]
    assert total == sum(
        expected_figures(session, world.city.path)[k]
        for k in ("overdue", "suspended", "under_review", "never")
    )
    bad = client.get(f"/dashboard/visits?region={world.city.id}&sort=salary")
    assert bad.status_code == 422
    assert client.get("/dashboard/visits?page=0").status_code == 422


def test_api_gives_the_same_figures(client: TestClient, session: Session) -> None:
    world = build_world(session, TODAY)
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[world.city], username="city")
    login(client, "city")
    body = client.get(f"/api/v1/dashboard?region_id={world.city.id}").json()
    expected = expected_figures(session, world.city.path)
    assert {k: body["totals"][k] for k in expected} == expected
    assert len(body["trend"]) == 12 and {c["name"] for c in body["children"]} == {"甲区", "乙区"}
    assert "id_number" not in str(body)


def test_worker_dashboard_shows_upcoming_events_of_their_community(
    client: TestClient, session: Session
) -> None:
    from datetime import timedelta

    from tests.builders import admin_actor
    from tests.community.helpers import make_event

    world = build_world(session, TODAY)
    for community, title in ((world.a1, "健康讲座"), (world.b1, "别的社区的活动")):
        make_event(
            session,
            actor=admin_actor(),
            community=community,
            capacity=30,
            starts_in=timedelta(days=3),
            title=title,
        )
    session.flush()
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[world.a1], username="w")
    login(client, "w")
    page = client.get("/home").text
    assert "近期活动" in page and "健康讲座" in page and "社区活动室" in page
    assert "别的社区的活动" not in page


def test_admin_reaches_the_dashboard_and_partners_do_not(
    client: TestClient, session: Session
) -> None:
    world = build_world(session, TODAY)
    make_staff(session, role=Role.PLATFORM_ADMIN, username="root2")
    make_staff(session, role=Role.PROVIDER_STAFF, regions=[world.city], username="care")
    login(client, "root2")
    assert 'href="/dashboard"' in client.get("/home").text
    page = client.get(f"/dashboard?region={world.city.id}")
    assert _figure(page.text, "elderly") == expected_figures(session, world.city.path)["elderly"]
    client.cookies.clear()
    login(client, "care")
    assert client.get(f"/dashboard?region={world.city.id}").status_code == 403
    assert client.get("/dashboard/export.csv").status_code == 403
