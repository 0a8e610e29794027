"""Web hygiene: security headers, no caching of logged-in pages, logout ends the session on
the server, integers in addresses bounded (never a 500), /metrics not open in production."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.audit.models import AuditEntry
from lifecert.core.roles import Role
from lifecert.web.templating import TEMPLATE_DIR
from tests.builders import login, make_city, make_community, make_retiree, make_staff

HUGE = str(10**20)


def _api_routes(app: FastAPI) -> Iterator[APIRoute]:
    for route in app.routes:
        included = getattr(route, "original_router", None)
        for inner in included.routes if included is not None else [route]:
            if isinstance(inner, APIRoute):
                yield inner


def _fill(path: str, ints: set[str]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: HUGE if m.group(1) in ints else "x", path)


def _admin(client: TestClient, session: Session) -> dict[str, str]:
    make_staff(session, role=Role.PLATFORM_ADMIN, username="sec-admin")
    return {"X-CSRF-Token": login(client, "sec-admin")}


def test_every_integer_path_parameter_in_the_openapi_is_bounded(
    client: TestClient, session: Session
) -> None:
    headers = _admin(client, session)
    spec = client.get("/api/openapi.json").json()
    calls: list[tuple[str, str, int]] = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            params = operation.get("parameters", [])
            ints = {
                p["name"] for p in params
                if p["in"] == "path" and p["schema"].get("type") == "integer"
            }
            if not ints:
                continue
            url = _fill(path, ints)
            for who in ("admin", "stranger"):
                response = client.request(
                    method.upper(), url, json={}, headers=headers if who == "admin" else {},
                    cookies=None if who == "admin" else {"lifecert_session": ""},
                )
                calls.append((f"{method.upper()} {url} ({who})", "", response.status_code))
    assert len(calls) >= 40  # 29 operations with integer ids in the API today, twice
    failures = [c for c in calls if c[2] >= 500]
    assert failures == []
    assert {c[2] for c in calls} <= {401, 403, 404, 405, 422}


def test_every_integer_path_parameter_of_the_pages_is_bounded(
    client: TestClient, session: Session
) -> None:
    _admin(client, session)
    app: FastAPI = client.app  # type: ignore[assignment]
    statuses: dict[str, int] = {}
    for route in _api_routes(app):
        params = inspect.signature(route.endpoint).parameters
        ints = {
            name for name in route.param_convertors
            if name in params and params[name].annotation in (int, "int")
        }
        if not ints or route.include_in_schema:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            url = _fill(route.path, ints)
            response = client.request(method, url, data={"csrf": "x"})
            statuses[f"{method} {url}"] = response.status_code
    assert len(statuses) >= 30
    assert "GET /m/result/" + HUGE in statuses and "POST /m/appeal/" + HUGE in statuses
    assert [k for k, v in statuses.items() if v >= 500] == []


def test_huge_integer_in_a_query_string_is_a_422(client: TestClient, session: Session) -> None:
    headers = _admin(client, session)
    response = client.get(f"/api/v1/retirees?offset={HUGE}", headers=headers)
    assert response.status_code == 422
    assert response.json()["title"] == "invalid_input"


def test_pages_carry_security_headers_and_are_not_cached(
    client: TestClient, session: Session
) -> None:
    community = make_community(session, city=make_city(session))
    retiree = make_retiree(session, community=community)
    _admin(client, session)
    for url in ("/home", "/retirees", f"/retirees/{retiree.id}", "/api/v1/me", "/login"):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response.headers["content-security-policy"]
        script_src = next(p for p in csp.split("; ") if p.startswith("script-src"))
        assert script_src == "script-src 'self'", url
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "camera=()" in response.headers["permissions-policy"]
        assert response.headers["cache-control"] == "no-store", url
    static = client.get("/static/app.css")
    assert static.headers.get("cache-control") != "no-store"
    assert static.headers["x-content-type-options"] == "nosniff"


def test_only_camera_pages_may_use_the_camera(client: TestClient, session: Session) -> None:
    community = make_community(session, city=make_city(session))
    retiree = make_retiree(session, community=community)
    _admin(client, session)
    enroll = client.get(f"/retirees/{retiree.id}/enroll")
    assert enroll.status_code == 200
    assert "camera=(self)" in enroll.headers["permissions-policy"]
    assert "camera=()" in client.get(f"/retirees/{retiree.id}").headers["permissions-policy"]


def test_no_template_holds_inline_script_or_event_handlers() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    found = []
    for path in TEMPLATE_DIR.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if inline_script.search(text) or handler.search(text) or "javascript:" in text:
            found.append(path.name)
    assert found == []


def test_a_cookie_replayed_after_logout_is_refused(client: TestClient, session: Session) -> None:
    headers = _admin(client, session)
    stolen = client.cookies.get("lifecert_session")
    assert stolen and client.get("/api/v1/me", headers=headers).status_code == 200
    out = client.post("/logout", data={"csrf": headers["X-CSRF-Token"]}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.clear()
    client.cookies.set("lifecert_session", stolen)
    assert client.get("/api/v1/me").status_code == 401
    page = client.get("/home", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    actions = [e.action for e in session.query(AuditEntry).order_by(AuditEntry.seq)]
    assert "staff.sessions_ended" in actions


def test_logging_in_again_after_logout_works(client: TestClient, session: Session) -> None:
    headers = _admin(client, session)
    client.post("/logout", data={"csrf": headers["X-CSRF-Token"]})
    login(client, "sec-admin")
    assert client.get("/api/v1/me").status_code == 200


def test_metrics_need_the_token_outside_dev(client: TestClient) -> None:
    from pydantic import SecretStr
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from lifecert.core.metrics_access import metrics_app
    from lifecert.core.settings import Environment, get_settings

    assert client.get("/metrics/").status_code == 200  # tests run as dev: open
    for token in ("", "metrics-secret"):
        settings = get_settings().model_copy(
            update={"env": Environment.PRODUCTION, "metrics_token": SecretStr(token)}
        )
        bare = TestClient(Starlette(routes=[Mount("/metrics", metrics_app(settings))]))
        assert bare.get("/metrics/").status_code == 404
        assert bare.get("/metrics/", headers={"Authorization": "Bearer guess"}).status_code == 404
        if token:
            good = bare.get("/metrics/", headers={"Authorization": f"Bearer {token}"})
            assert good.status_code == 200 and "lifecert_http_requests_total" in good.text


def test_huge_integer_in_a_json_body_is_a_422(client: TestClient, session: Session) -> None:
    community = make_community(session, city=make_city(session))
    retiree = make_retiree(session, community=community)
    headers = _admin(client, session)
    response = client.post(f"/api/v1/retirees/{retiree.id}/transfer", headers=headers,
                           json={"to_community_id": 10**20, "reason": "x"})
    assert response.status_code == 422


def test_out_of_range_check_reads_paths_and_queries() -> None:
    from lifecert.core.web_security import MAX_DB_INT, out_of_range

    def scope(path: str, query: str = "") -> dict[str, object]:
        return {"path": path, "query_string": query.encode()}

    assert out_of_range(scope(f"/api/v1/retirees/{MAX_DB_INT + 1}"))
    assert not out_of_range(scope(f"/api/v1/retirees/{MAX_DB_INT}"))
    assert out_of_range(scope("/retirees", f"page={HUGE}"))
    assert not out_of_range(scope("/m/i/123456789012345678"))  # an 18-digit ID-like value


def test_production_answers_ask_for_https_only() -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from lifecert.core.web_security import SecurityHeadersMiddleware

    async def hello(_request: object) -> PlainTextResponse:
        return PlainTextResponse("hi")

    async def refuse(_request: object, status: int, detail: str) -> PlainTextResponse:
        return PlainTextResponse(detail, status_code=status)

    for hsts in (True, False):
        app = Starlette(routes=[Route("/", hello)])
        app.add_middleware(SecurityHeadersMiddleware, respond_error=refuse, hsts=hsts)
        response = TestClient(app).get("/")
        assert ("strict-transport-security" in response.headers) is hsts
        assert response.headers["cache-control"] == "no-store"


def test_the_api_docs_pages_run_without_inline_script(client: TestClient) -> None:
    # Swagger UI and ReDoc start from static files; ReDoc renders in a blob: worker.
    for path in ("/api/docs", "/api/redoc"):
        response = client.get(path)
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
        assert "worker-src 'self' blob:" in policy
