"""Roster import at scale: N rows (default 1,000,000) from a bureau-style CSV into a fresh
database (PostgreSQL by default), then the same file again (the idempotent pass).

    python benchmarks/import_roster.py --rows 1000000 --json out/import.json

Prints one table: rows, seconds, rows/s and peak memory for the first and the second pass.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/lifecert_bench"


def _fresh_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database or "").unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("LIFECERT_BENCH_DATABASE_URL",
                                                                 DEFAULT_URL))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    os.environ["LIFECERT_DATABASE_URL"] = args.database_url
    os.environ.setdefault("LIFECERT_DATA_DIR", tempfile.mkdtemp(prefix="lifecert-bench-"))
    os.environ["LIFECERT_LOG_JSON"] = "false"
    _fresh_database(args.database_url)

    from rich.console import Console
    from rich.table import Table
    from sqlalchemy import select

    from lifecert.core import migrate
    from lifecert.core.db import session_scope
    from lifecert.core.roles import Role
    from lifecert.core.scoping import Actor
    from lifecert.demo import DemoSize, build_regions, roster_csv_lines
    from lifecert.organisation.models import Region, RegionLevel
    from lifecert.retirees.imports import run_roster_import, start_roster_import

    console = Console(width=120)
    migrate.upgrade(url=args.database_url)
    with session_scope() as session:
        build_regions(session, DemoSize.for_retirees(args.rows))
    with session_scope() as session:
        communities = list(session.scalars(select(Region).where(
            Region.level == RegionLevel.COMMUNITY).order_by(Region.id)))
    csv_path = Path(os.environ["LIFECERT_DATA_DIR"]) / "roster.csv"
    started = time.perf_counter()
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(roster_csv_lines(communities, args.rows, seed=5))
    console.print(f"wrote {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in "
                  f"{time.perf_counter() - started:.1f} s")

    admin = Actor(staff_id=0, username="bench", role=Role.PLATFORM_ADMIN, region_paths=())
    results = []
    for label in ("first import", "same file again"):
        with session_scope() as session:
            job = start_roster_import(session, actor=admin, filename="roster.csv",
                                      data=csv_path.read_bytes(), run_now=False)
            session.commit()
            t0 = time.perf_counter()
            job = run_roster_import(session, job_id=job.id)
            seconds = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results.append({"pass": label, "rows": job.processed, "created": job.created,
                        "unchanged": job.unchanged, "rejected": job.rejected,
                        "seconds": round(seconds, 1), "rows_per_s": round(job.processed / seconds),
                        "peak_rss_mb": round(peak_mb)})

    table = Table(title=f"Roster import, {make_url(args.database_url).get_backend_name()}")
    for column in results[0]:
        table.add_column(column)
    for row in results:
        table.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row.values()))
    console.print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"database": make_url(args.database_url)
                                         .get_backend_name(), "passes": results}, indent=2))


if __name__ == "__main__":
    sys.exit(main())
