"""Health, readiness, metrics, docs, request ids, and errors that never leak a stack trace."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.testclient import TestClient

from lifecert.core.roles import Role
from tests.builders import login, make_staff


def test_health_ready_docs_and_metrics(client: TestClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}
    ready = client.get("/api/ready")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "database": True,
        "migrations": True,
    }
    docs = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert "/static/vendor/redoc/redoc.standalone.js" in client.get("/api/redoc").text
    assert "/api/v1/retirees" in client.get("/api/openapi.json").json()["paths"]
    metrics = client.get("/metrics/").text
    assert "lifecert_http_requests_total" in metrics
    assert 'route="/api/health"' in metrics


def test_request_id_is_echoed_and_generated(client: TestClient) -> None:
    assert (
        client.get("/api/health", headers={"X-Request-ID": "abc123"}).headers["x-request-id"]
        == "abc123"
    )
    assert len(client.get("/api/health").headers["x-request-id"]) == 32


def test_unknown_api_path_is_a_problem_document(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    body = response.json()
    assert body["status"] == 404 and body["detail"] == "页面不存在。" and body["request_id"]


def test_validation_errors_name_the_fields(client: TestClient, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    csrf = login(client, "boss")
    response = client.post("/api/v1/retirees", json={"name": ""}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422
    assert {"id_number", "name", "community_id"} <= set(response.json()["fields"])


def test_domain_errors_are_translated_4xx(client: TestClient, session) -> None:  # type: ignore[no-untyped-def]
    make_staff(session, role=Role.PLATFORM_ADMIN, username="boss")
    csrf = login(client, "boss")
    response = client.post(
        "/api/v1/retirees",
        json={"id_number": "430102195003070021", "name": "张三", "community_id": 1},
        headers={"X-CSRF-Token": csrf, "Accept-Language": "zh-CN"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "身份证号校验位不符，请检查是否输错。"


def test_unexpected_errors_hide_the_trace(client: TestClient) -> None:
    boom = APIRouter()

    @boom.get("/api/boom")
    def _boom() -> None:
        raise RuntimeError("secret internals")

    @boom.get("/boom-page")
    def _boom_page() -> None:
        raise RuntimeError("secret internals")

    client.app.include_router(boom)  # type: ignore[attr-defined]
    api = client.get("/api/boom")
    assert api.status_code == 500
    assert "secret internals" not in api.text and "Traceback" not in api.text
    assert api.json()["request_id"]
    page = client.get("/boom-page", headers={"accept": "text/html"})
    assert page.status_code == 500 and "系统出了点问题" in page.text
    assert "secret internals" not in page.text


def test_pages_use_only_local_assets(client: TestClient) -> None:
    page = client.get("/login").text
    assert "http://" not in page.replace('xmlns="http://', "") and "https://" not in page
    assert client.get("/static/app.css").status_code == 200
