"""``/api/docs`` (Swagger UI 5) and ``/api/redoc`` render the OpenAPI 3.1 document of the app
in headless Chromium: every route shown, no console error, no request leaving the app. And every
route and tag of the API is described."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lifecert.core.db import build_engine
from lifecert.openapi import ROUTES, TAGS
from tests.web.browser import BROWSER_ARGS, chromium, migrated_sqlite, serving, wait_until


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    ]


def test_every_route_and_tag_is_described(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    operations = _operations(spec)
    assert len(operations) > 40
    undescribed = [(m, p) for m, p, op in operations if not op.get("description")]
    untagged = [(m, p) for m, p, op in operations if not op.get("tags")]
    assert undescribed == [] and untagged == []
    used = {tag for _, _, op in operations for tag in op["tags"]}
    described = {t["name"] for t in TAGS if t.get("description")}
    assert used <= described, used - described
    # No description left behind for a route that is gone (or renamed).
    assert set(ROUTES) - {(m, p) for m, p, _ in operations} == set()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = migrated_sqlite(tmp_path_factory, "docs-server")
    with serving(url, build_engine(url)) as base:
        yield base


def _shown(page: Any, ready: str) -> list[str]:
    """The texts of ``ready`` elements; in Swagger UI (tags start closed) each tag is opened in
    turn and its operations read, then closed again."""
    read = "s => Array.from(document.querySelectorAll(s)).map(e => e.textContent)"
    if ready != ".opblock-summary-path":
        return list(page.evaluate(read, ready))
    tags = page.locator(".opblock-tag")
    shown: list[str] = []
    for i in range(tags.count()):
        tags.nth(i).click()
        wait_until(page, "document.querySelectorAll('.opblock-summary-path').length > 0")
        shown += page.evaluate(read, ready)
        tags.nth(i).click()
        wait_until(page, "document.querySelectorAll('.opblock-summary-path').length === 0")
    return shown


def _render(base: str, path: str, ready: str, shots: Path) -> tuple[Any, list[str], list[str]]:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=BROWSER_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            inside = (base, "data:", "blob:")
            page.on("request", lambda r: r.url.startswith(inside) or outside.append(r.url))
            page.goto(f"{base}{path}")
            swagger = ready == ".opblock-summary-path"  # its tags start closed
            page.wait_for_selector(".opblock-tag" if swagger else ready, timeout=30_000)
            page.wait_for_load_state("networkidle")
            shown = _shown(page, ready)
            page.screenshot(path=str(shots / f"api{path.replace('/', '-')}.png"))
        finally:
            browser.close()
    return shown, errors, outside


@pytest.mark.browser
def test_swagger_ui_renders_every_route(
    server: str, client: TestClient, screenshots: Path
) -> None:
    spec = client.get("/api/openapi.json").json()
    expected = {p for _, p, _ in _operations(spec)}
    shown, errors, outside = _render(server, "/api/docs", ".opblock-summary-path", screenshots)
    paths = {text.replace("\u200b", "").strip() for text in shown}
    assert expected - paths == set()
    assert len(shown) == len(_operations(spec))
    assert (errors, outside) == ([], [])


@pytest.mark.browser
def test_redoc_renders_every_route(server: str, client: TestClient, screenshots: Path) -> None:
    spec = client.get("/api/openapi.json").json()
    shown, errors, outside = _render(
        server, "/api/redoc", "[data-section-id^='tag/'][data-section-id*='/operation/']",
        screenshots,
    )
    assert len(shown) == len(_operations(spec))
    assert (errors, outside) == ([], [])
