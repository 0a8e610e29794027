from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from tests.builders import login, make_city, make_community, make_retiree, make_staff


def test_officer_moves_a_retiree_between_cities_and_history_is_kept(
    client: TestClient, session: Session
) -> None:
    changsha, zhuzhou = make_city(session), make_city(session, code="430200", name="株洲市")
    here, there = make_community(session, city=changsha), make_community(session, city=zhuzhou)
    retiree = make_retiree(session, community=here)
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[changsha], username="officer")
    csrf = login(client, "officer")
    refused = client.post(f"/api/v1/retirees/{retiree.id}/transfer",
                          json={"to_community_id": there.id, "reason": "随子女迁居"},
                          headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 404  # the target city is outside this officer's area
    csrf = login(client, "boss")
    moved = client.post(f"/api/v1/retirees/{retiree.id}/transfer",
                        json={"to_community_id": there.id, "reason": "随子女迁居"},
                        headers={"X-CSRF-Token": csrf})
    assert moved.status_code == 201
    history = client.get(f"/api/v1/retirees/{retiree.id}/transfers").json()
    assert [(h["from_community_id"], h["to_community_id"]) for h in history] == [
        (here.id, there.id)]
    page = client.get(f"/retirees/{retiree.id}")
    assert "随子女迁居" in page.text
