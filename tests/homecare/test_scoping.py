"""Tenants never see each other: every home-care route (API and pages, read from the app's
route table so a new route cannot be missed) is called by provider A's manager and by the
worker of A's community with provider B's / community Y's rows, and must refuse or leave
them out. A positive control shows each actor does see their own."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.core.roles import Role
from lifecert.homecare import settlement
from lifecert.organisation.models import Staff
from tests.builders import actor_of, login, make_city, make_community, make_staff
from tests.homecare.helpers import order_for, setup

MARK_B = "乙老人"


def _world(session: Session) -> dict[str, object]:
    city = make_city(session)
    a = setup(session, community=make_community(session, city=city))
    b = setup(session, community=make_community(session, city=city), elder_seed=2)
    b.elder.name = MARK_B
    order_a, visit_a = order_for(session, a)
    order_b, visit_b = order_for(session, b, start=utcnow() + timedelta(hours=3))
    worker_a = make_staff(session, role=Role.COMMUNITY_WORKER, regions=[a.community])
    other = make_staff(session, role=Role.BUREAU_OFFICER, regions=[a.community])
    month = settlement.prepare_settlement(session, actor=actor_of(other),
                                          month=utcnow().strftime("%Y-%m"))
    session.flush()
    return {"a": a, "b": b, "order_a": order_a, "order_b": order_b, "visit_a": visit_a,
            "visit_b": visit_b, "worker_a": worker_a, "settlement": month}


def _calls(w: dict[str, object]) -> dict[tuple[str, str], dict[str, object]]:
    """How to call each route with the OTHER tenant's rows."""
    b = w["b"]
    vb, ob = w["visit_b"].id, w["order_b"].id  # type: ignore[attr-defined]
    jpeg = {"frames": ("f.jpg", b"\xff\xd8\xff", "image/jpeg")}
    gps = {"latitude": "28.2", "longitude": "112.9", "times": "[0]"}
    base = "/api/v1/homecare"
    return {
        ("GET", f"{base}/providers"): {"list": True},
        ("POST", f"{base}/providers"): {"json": {"name": "x", "licence_no": "y",
                                                 "region_ids": [b.community.id]}},  # type: ignore[attr-defined]
        ("POST", f"{base}/providers/{{provider_id}}/decision"): {
            "path": {"provider_id": b.provider.id}, "json": {"status": "suspended"}},  # type: ignore[attr-defined]
        ("GET", f"{base}/orders"): {"list": True},
        ("POST", f"{base}/orders"): {"json": {"plan_id": w["order_b"].plan_id,  # type: ignore[attr-defined]
                                              "start": "2026-12-04T10:00:00+08:00",
                                              "end": "2026-12-04T11:00:00+08:00"}},
        ("GET", f"{base}/orders/{{order_id}}"): {"path": {"order_id": ob}},
        ("GET", f"{base}/elders"): {"list": True},
        ("GET", f"{base}/visits/{{visit_id}}"): {"path": {"visit_id": vb}},
        ("POST", f"{base}/visits/{{visit_id}}/challenge"): {"path": {"visit_id": vb}},
        ("POST", f"{base}/visits/{{visit_id}}/worker-face"): {
            "path": {"visit_id": vb}, "data": {"times": "[0]"}, "files": jpeg},
        ("POST", f"{base}/visits/{{visit_id}}/check-in"): {"path": {"visit_id": vb}, "data": gps},
        ("POST", f"{base}/visits/{{visit_id}}/check-out"): {"path": {"visit_id": vb},
                                                            "data": gps},
        ("POST", f"{base}/visits/{{visit_id}}/confirm"): {"path": {"visit_id": vb}},
        ("GET", f"{base}/kpis"): {"list": True, "params": {"month": utcnow().strftime("%Y-%m")}},
        ("POST", f"{base}/settlements"): {"data": {"month": "2026-11"}},
        ("POST", f"{base}/settlements/{{settlement_id}}/sign"): {
            "path": {"settlement_id": w["settlement"].id}},  # type: ignore[attr-defined]
        ("GET", f"{base}/settlements/{{settlement_id}}.csv"): {
            "path": {"settlement_id": w["settlement"].id}},  # type: ignore[attr-defined]
        ("GET", "/homecare"): {"list": True},
        ("GET", "/homecare/m/visits/{visit_id}"): {"path": {"visit_id": vb}},
    }


def _flat(routes: list[object]) -> list[object]:
    """Every route, also those of included routers (FastAPI keeps them nested)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out += _flat(list(inner.routes)) if inner is not None else [route]
    return out


def _homecare_routes(client: TestClient) -> set[tuple[str, str]]:
    found = set()
    for route in _flat(client.app.routes):  # type: ignore[attr-defined]
        path = getattr(route, "path", "")
        if path.startswith(("/api/v1/homecare", "/homecare")):
            found |= {(m, path) for m in getattr(route, "methods", set()) if m != "HEAD"}
    assert len(found) > 10
    return found


def _refused(client: TestClient, csrf: str, method: str, path: str,
             spec: dict[str, object], names: list[str]) -> None:
    url = path.format(**spec.get("path", {}))  # type: ignore[arg-type]
    response = client.request(method, url, headers={"X-CSRF-Token": csrf},
                              json=spec.get("json"), data=spec.get("data"),  # type: ignore[arg-type]
                              files=spec.get("files"), params=spec.get("params"))  # type: ignore[arg-type]
    if spec.get("list"):
        assert response.status_code in (200, 403, 404), (method, path, response.text[:300])
        for name in names:
            assert name not in response.text, (method, path, name)
    else:
        assert response.status_code in (403, 404), (method, path, response.status_code,
                                                    response.text[:300])


def test_every_route_refuses_the_other_tenant(client: TestClient, session: Session) -> None:
    w = _world(session)
    calls = _calls(w)
    assert _homecare_routes(client) == set(calls), "describe the new route's cross-tenant call"
    a, b = w["a"], w["b"]
    manager = session.get_one(Staff, a.manager.staff_id)  # type: ignore[attr-defined]
    # The provider registry is public to supervisors; to another provider it is not.
    for username, secrets in ((manager.username, [MARK_B, b.provider.name]),  # type: ignore[attr-defined]
                              (w["worker_a"].username, [MARK_B])):  # type: ignore[attr-defined]
        client.cookies.clear()
        csrf = login(client, username)
        for (method, path), spec in calls.items():
            _refused(client, csrf, method, path, spec, secrets)
        # Positive control: each sees its own.
        own = client.get(f"/api/v1/homecare/visits/{w['visit_a'].id}")  # type: ignore[attr-defined]
        assert own.status_code == 200, own.text
        assert a.elder.name in client.get("/api/v1/homecare/elders").text  # type: ignore[attr-defined]
