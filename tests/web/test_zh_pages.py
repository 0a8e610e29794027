"""Every zh-CN staff page a role can reach from its landing page (the navigation and the links
on it), with the demo city's data, reads in Chinese: no raw status/outcome/source/role codes,
no timestamps with seconds or their fractions."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifecert.demo import DEMO_PASSWORD, DemoSize, build_demo
from tests.builders import login
from tests.web.zh_pages import enum_codes, page_links, problems, read_page

SMALL = DemoSize(retirees=300, districts=2, streets=6, communities=20)
ROLES = ["admin", "bureau", "district", "worker", "provider", "academy"]
USERNAMES = frozenset([*ROLES, "worker2"])  # shown as "(district)" beside a staff name


def _crawl(
    client: TestClient, start: str, depth: int = 2, limit: int = 120
) -> dict[str, list[str]]:
    """The landing page and the pages linked from it, ``depth`` links deep (at most ``limit``
    pages; up to three pages per kind of path with a number in it), with their problems."""
    codes = enum_codes()
    seen: dict[str, list[str]] = {}
    kinds: dict[str, int] = {}
    level = [start]
    for _ in range(depth + 1):
        following: list[str] = []
        for path in level:
            kind = re.sub(r"\d+", "N", path)
            if path in seen or kinds.get(kind, 0) >= 3 or len(seen) >= limit:
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
            response = client.get(path)
            html = "text/html" in response.headers.get("content-type", "")
            seen[path] = [] if response.status_code in (200, 403, 404) else [
                f"status {response.status_code}"
            ]
            if response.status_code != 200 or not html:
                continue
            text, links = read_page(response.text)
            seen[path] += problems(text, codes, USERNAMES)
            following += page_links(path, links)
        level = following
    return seen


def test_the_checker_finds_raw_codes_and_seconds() -> None:
    codes = enum_codes()
    assert {"overdue", "under_review", "suspended", "community_worker"} <= codes
    page = '<p class="state-overdue">逾期</p><td>overdue</td><i>2026-12-04 13:45:12.5</i>'
    text, _ = read_page(page)
    assert problems(text, codes) == ["timestamp '3:45:12'", "raw code 'overdue'"]
    assert problems(read_page("<p>逾期 · 2026-12-04 13:45</p>")[0], codes) == []


def test_zh_staff_pages_show_no_raw_codes_or_seconds(client: TestClient, session: Session) -> None:
    build_demo(session, size=SMALL, seed=11)
    session.commit()
    found: dict[str, dict[str, list[str]]] = {}
    for username in ROLES:
        client.cookies.clear()
        login(client, username, DEMO_PASSWORD)
        pages = _crawl(client, "/home")
        assert len(pages) >= 2 or username in ("provider", "academy"), (username, pages)
        bad = {path: issues for path, issues in pages.items() if issues}
        if bad:
            found[username] = bad
    assert found == {}
