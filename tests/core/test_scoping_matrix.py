"""A community worker of community A can neither read nor change anything of community B,
through pages or API; the same holds between cities (tenants) and for roles without access.

The matrix is a function so that a second test can prove it detects leaks: with the scoping
helper replaced by a pass-through, the very same matrix must report violations.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import true
from sqlalchemy.orm import Session

from lifecert.core import scoping
from lifecert.core.roles import Role
from tests.builders import login, make_city, make_community, make_retiree, make_staff


@dataclass
class World:
    a_id: int
    b_id: int
    other_city_id: int


def build_world(session: Session) -> World:
    city = make_city(session)
    other_city = make_city(session, code="430200", name="株洲市")
    community_a = make_community(session, city=city, name="社区A")
    community_b = make_community(session, city=city, name="社区B")
    community_z = make_community(session, city=other_city, name="社区Z")
    make_staff(session, role=Role.COMMUNITY_WORKER, regions=[community_a], username="worker_a")
    make_staff(session, role=Role.BUREAU_OFFICER, regions=[city], username="bureau_city1")
    make_staff(session, role=Role.PROVIDER_STAFF, regions=[city], username="provider")
    a = make_retiree(session, community=community_a, name="甲")
    b = make_retiree(session, community=community_b, name="乙")
    z = make_retiree(session, community=community_z, name="丙")
    return World(a_id=a.id, b_id=b.id, other_city_id=z.id)


def _forbidden_reads(client: TestClient, retiree_id: int) -> list[str]:
    leaks = []
    for path in (
        f"/api/v1/retirees/{retiree_id}",
        f"/api/v1/retirees/{retiree_id}/id-number",
        f"/retirees/{retiree_id}",
    ):
        if client.get(path).status_code not in (403, 404):
            leaks.append(f"GET {path}")
    return leaks


def _forbidden_writes(client: TestClient, csrf: str, retiree_id: int) -> list[str]:
    leaks = []
    api = client.patch(
        f"/api/v1/retirees/{retiree_id}", json={"notes": "hacked"}, headers={"X-CSRF-Token": csrf}
    )
    if api.status_code not in (403, 404):
        leaks.append("PATCH api")
    page = client.post(
        f"/retirees/{retiree_id}/notes",
        data={"notes": "hacked", "csrf": csrf},
        follow_redirects=False,
    )
    if page.status_code not in (403, 404):
        leaks.append("POST page notes")
    return leaks


def _listed_names(client: TestClient) -> set[str]:
    api = client.get("/api/v1/retirees").json()
    names = {item["name"] for item in api.get("items", [])}
    page = client.get("/retirees").text
    return names | {n for n in ("甲", "乙", "丙") if f">{n}</a>" in page}


def scoping_violations(client: TestClient, world: World) -> list[str]:
    violations: list[str] = []
    csrf = login(client, "worker_a")
    if not client.get(f"/api/v1/retirees/{world.a_id}").is_success:
        violations.append("worker_a cannot read own community")
    violations += [f"worker_a {v}" for v in _forbidden_reads(client, world.b_id)]
    violations += [f"worker_a {v}" for v in _forbidden_writes(client, csrf, world.b_id)]
    if _listed_names(client) != {"甲"}:
        violations.append(f"worker_a lists {_listed_names(client)}")
    csrf = login(client, "bureau_city1")
    violations += [f"bureau {v}" for v in _forbidden_reads(client, world.other_city_id)]
    violations += [f"bureau {v}" for v in _forbidden_writes(client, csrf, world.other_city_id)]
    if _listed_names(client) != {"甲", "乙"}:
        violations.append(f"bureau lists {_listed_names(client)}")
    csrf = login(client, "provider")
    violations += [f"provider {v}" for v in _forbidden_reads(client, world.a_id)]
    violations += [f"provider {v}" for v in _forbidden_writes(client, csrf, world.a_id)]
    return violations


def test_no_caller_reaches_outside_their_scope(client: TestClient, session: Session) -> None:
    world = build_world(session)
    assert scoping_violations(client, world) == []


def test_matrix_catches_leaks_when_the_helper_is_removed(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(session)
    monkeypatch.setattr(scoping.Actor, "require", lambda self, permission: None)
    monkeypatch.setattr(scoping.Actor, "covers_path", lambda self, path: True)
    monkeypatch.setattr(scoping, "scope_filter", lambda actor, permission, column: true())
    import lifecert.retirees.service as retirees_service

    monkeypatch.setattr(retirees_service, "scope_filter", scoping.scope_filter)
    violations = scoping_violations(client, world)
    assert any(v.startswith("worker_a GET /api/v1/retirees/") for v in violations)
    assert any("lists" in v for v in violations)
    assert any(v.startswith("bureau") for v in violations)
