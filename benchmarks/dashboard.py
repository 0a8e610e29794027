"""Dashboard pages at scale: the demo city with N retirees (default 1,000,000) on PostgreSQL,
then every dashboard page rendered through the real app (FastAPI TestClient: routing, session
cookie, scoping, queries, templates) as a community worker, a district officer and a city
officer, including drill-down pages, the visit list and the exports.

    python benchmarks/dashboard.py --json benchmarks/out/dashboard.json            # build + run
    python benchmarks/dashboard.py --reuse --repeat 50                             # run again

The database (default ``lifecert_dash_bench``, not the test database) is dropped and rebuilt
unless ``--reuse`` finds a demo in it. Prints one table: p50 / p95 / max milliseconds per page.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/lifecert_dash_bench"
TARGET_P95_MS = 200.0


def _fresh_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def _has_demo(url: str) -> bool:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"))
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        )
    admin.dispose()
    if not exists:
        return False
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.scalar(
            text(
                "SELECT to_regclass('dashboard_retiree_count') IS NOT NULL "
                "AND EXISTS (SELECT 1 FROM region WHERE code = '430100')"
            )
        )
    engine.dispose()
    return bool(found)


def _progress(done: int) -> None:
    if done % 100_000 == 0:
        print(f"  {done:,} retirees", file=sys.stderr)


def build(url: str, retirees: int) -> float:
    from lifecert.core import migrate
    from lifecert.core.db import session_scope
    from lifecert.demo import DemoSize, build_demo

    _fresh_database(url)
    migrate.upgrade(url=url)
    started = time.perf_counter()
    with session_scope() as session:
        build_demo(
            session,
            size=DemoSize.for_retirees(retirees),
            seed=2026,
            progress=_progress,
        )
    seconds = time.perf_counter() - started
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))  # visibility map for index-only scans, statistics
    engine.dispose()
    return seconds


def _login(client: Any, username: str) -> None:
    from lifecert.demo import DEMO_PASSWORD

    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, f"login {username}: {response.status_code}"


def pages(url: str) -> dict[str, list[str]]:
    """Per account, the pages to time (drill-down targets looked up in the demo city)."""
    engine = create_engine(url)
    with engine.connect() as conn:

        def first(sql: str) -> int:
            return int(conn.scalar(text(sql)) or 0)

        district = first("SELECT id FROM region WHERE code = '430102'")
        street = first(f"SELECT id FROM region WHERE parent_id = {district} ORDER BY code LIMIT 1")
        community = first(f"SELECT id FROM region WHERE parent_id = {street} ORDER BY code LIMIT 1")
        other_district = first("SELECT id FROM region WHERE code = '430103'")
    engine.dispose()
    visits = "/dashboard/visits"
    return {
        "worker": [
            "/home",
            visits,
            f"{visits}?sort=name",
            f"{visits}?page=3",
            "/dashboard/export.csv",
        ],
        "district": [
            "/home",
            f"/dashboard?region={street}",
            f"/dashboard?region={community}",
            visits,
            f"{visits}?sort=age&desc=true",
            "/dashboard/export.xlsx",
        ],
        "bureau": [
            "/home",
            f"/dashboard?region={other_district}",
            visits,
            f"{visits}?sort=community",
            f"{visits}?page=20",
            "/dashboard/export.csv",
            "/dashboard/export.xlsx",
            "/api/v1/dashboard",
        ],
    }


def _time_pages(client: Any, username: str, paths: list[str], repeat: int) -> list[dict[str, Any]]:
    rows = []
    for path in paths:
        for _ in range(2):  # warm-up: connection pool, template compilation, caches
            assert client.get(path).status_code == 200, f"{username} {path}"
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, f"{username} {path}"
        times.sort()
        rows.append(
            {
                "account": username,
                "page": path,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[math.ceil(0.95 * len(times)) - 1], 1),  # nearest rank
                "max_ms": round(times[-1], 1),
                "bytes": len(response.content),
            }
        )
    return rows


def measure(url: str, repeat: int) -> list[dict[str, Any]]:
    from fastapi.testclient import TestClient

    from lifecert.app import create_app
    from lifecert.core.logging import configure_logging

    app = create_app()
    configure_logging(json=False, level=logging.WARNING)  # no line per request in the timings
    results = []
    for username, paths in pages(url).items():
        # "with" runs the app's start-up (lifespan) as a server would, then one login.
        with TestClient(app) as client:
            _login(client, username)
            results.extend(_time_pages(client, username, paths, repeat))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--retirees", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default=os.environ.get("LIFECERT_BENCH_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--reuse", action="store_true", help="keep the demo already built")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if make_url(args.database_url).get_backend_name() != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: pass --database-url postgresql://…")

    os.environ["LIFECERT_DATABASE_URL"] = args.database_url
    os.environ.setdefault("LIFECERT_DATA_DIR", tempfile.mkdtemp(prefix="lifecert-bench-"))
    os.environ["LIFECERT_LOG_JSON"] = "false"
    os.environ.setdefault("LIFECERT_ENV", "dev")  # "test" is for test databases only
    for kind in ("DETECTOR", "LANDMARKER", "ALIGNER", "EMBEDDER", "LIVENESS"):
        os.environ[f"LIFECERT_FACE__{kind}"] = "fake"  # no face model is needed for these pages

    from rich.console import Console
    from rich.table import Table

    build_seconds = None
    if not (args.reuse and _has_demo(args.database_url)):
        print(f"building the demo city with {args.retirees:,} retirees…", file=sys.stderr)
        build_seconds = round(build(args.database_url, args.retirees), 1)
    engine = create_engine(args.database_url)
    with engine.connect() as conn:
        retirees = int(conn.scalar(text("SELECT count(*) FROM retiree")) or 0)
        decisions = int(conn.scalar(text("SELECT count(*) FROM certification")) or 0)
    engine.dispose()
    results = measure(args.database_url, args.repeat)

    table = Table(
        title=f"Dashboard pages, PostgreSQL, {retirees:,} retirees, "
        f"{decisions:,} decisions, {args.repeat} requests each"
    )
    for column in ("account", "page", "p50 ms", "p95 ms", "max ms", "KB"):
        table.add_column(column, justify="left" if column in ("account", "page") else "right")
    for row in results:
        mark = "" if float(row["p95_ms"]) <= TARGET_P95_MS else " ✗"
        table.add_row(
            str(row["account"]),
            str(row["page"]),
            f"{row['p50_ms']}",
            f"{row['p95_ms']}{mark}",
            f"{row['max_ms']}",
            f"{int(row['bytes']) / 1024:.0f}",
        )
    Console(width=140).print(table)
    worst = max(float(r["p95_ms"]) for r in results)
    print(
        f"worst p95: {worst:.1f} ms (target ≤ {TARGET_P95_MS:.0f} ms)"
        + (f"; demo built in {build_seconds} s" if build_seconds else "")
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "database": "postgresql",
                    "retirees": retirees,
                    "decisions": decisions,
                    "repeat": args.repeat,
                    "build_seconds": build_seconds,
                    "worst_p95_ms": worst,
                    "pages": results,
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0 if worst <= TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
