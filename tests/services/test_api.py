"""The services API: a worker overrides the city's service for their community and searches
the directory; only the bureau sees full ID numbers in the allowance export."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.services.applications import apply_for
from tests.builders import login, make_city, make_community, make_retiree, make_staff
from tests.services.helpers import city_directory


def test_override_search_and_export_rights(session: Session, client: TestClient) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    allowance = city_directory(session, city)["allowance"]
    elder = make_retiree(session, community=here, name="吴奶奶", birth=date(1931, 3, 3))
    worker = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[here])
    app = apply_for(session, retiree=elder, service_id=allowance.id)
    session.commit()

    csrf = login(client, worker.username)
    saved = client.put(f"/api/v1/services/regions/{here.id}/elderly_allowance",
                       json={"hours": "每周二上午"}, headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200, saved.text
    assert saved.json()["region_id"] == here.id and saved.json()["name"] == "高龄津贴"
    city_edit = client.put(f"/api/v1/services/regions/{city.id}/elderly_allowance",
                           json={"hours": "x"}, headers={"X-CSRF-Token": csrf})
    assert city_edit.status_code == 404  # outside the worker's regions
    found = client.get(f"/api/v1/services?community_id={here.id}&q=gljt").json()
    assert [(s["name"], s["hours"]) for s in found] == [("高龄津贴", "每周二上午")]
    queue = client.get("/api/v1/services/applications").json()
    assert [a["id"] for a in queue] == [app.id]
    decided = client.post(f"/api/v1/services/applications/{app.id}/decision",
                          json={"decision": "approve"}, headers={"X-CSRF-Token": csrf})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert client.get("/api/v1/services/allowance-payments").status_code == 403


def test_directory_page_override_and_hide(session: Session, client: TestClient) -> None:
    city = make_city(session)
    here = make_community(session, city=city)
    city_directory(session, city)
    worker = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[here])
    session.commit()
    csrf = login(client, worker.username)
    page = client.get("/services")
    assert page.status_code == 200 and "医保卡补办" in page.text and "长沙市" in page.text
    saved = client.post(f"/services/{here.id}/medical_card",
                        data={"address": "社区服务站二楼", "hours": "周三", "phone": "",
                              "active": "on", "csrf": csrf}, follow_redirects=True)
    assert "社区服务站二楼" in saved.text
    hidden = client.post(f"/services/{here.id}/hukou", data={"csrf": csrf},
                         follow_redirects=True)
    assert "户口迁移 (本社区不提供)" in hidden.text
