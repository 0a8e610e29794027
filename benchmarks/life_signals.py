"""Life-signal import at scale on PostgreSQL: a city of P people (default 250,000: 4 signals
each), a file of N rows (default 1,000,000) from hospital, bank and bus-card sources, run as
an import job with progress, then the silent-certification policy over everyone.

    python benchmarks/life_signals.py --json out/life_signals.json

The people certified are checked against the same policy recomputed here in Python from the
generated data (dates, sources, deaths, fraud cases, last face check): the benchmark fails
when they differ. Keys: rows, import_s (the whole job, silent run included), certified,
expected, progress_updates, rows_per_s.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_life_signals_bench"
SOURCES = (("hospital", 3), ("bank", 2), ("bus", 1))  # code, trust level
MAX_AGE, MIN_SIGNALS, MIN_TRUST, FACE_YEARS = 90, 2, 2, 3


def _fresh_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=0, help="default: rows / 4")
    parser.add_argument("--database-url", default=os.environ.get("LIFECERT_BENCH_DATABASE_URL",
                                                                 DEFAULT_URL))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    people = args.people or max(1, args.rows // 4)

    os.environ["LIFECERT_DATABASE_URL"] = args.database_url
    os.environ.setdefault("LIFECERT_DATA_DIR", tempfile.mkdtemp(prefix="lifecert-bench-"))
    os.environ["LIFECERT_LOG_JSON"] = "false"
    _fresh_database(args.database_url)

    from sqlalchemy import func, select

    from lifecert.certification.models import Certification, CertMode, Outcome
    from lifecert.core import migrate
    from lifecert.core.crypto import get_keyring
    from lifecert.core.db import bulk_insert, session_scope, utcnow
    from lifecert.core.roles import Role
    from lifecert.core.scoping import Actor
    from lifecert.demo import DemoSize, build_regions
    from lifecert.fraud.alerts import raise_alert
    from lifecert.fraud.models import AlertKind, DeathRecord, Severity
    from lifecert.life_signals.imports import run_signal_import, start_signal_import
    from lifecert.life_signals.models import SignalSource, SourceKind
    from lifecert.life_signals.service import set_policy
    from lifecert.organisation.models import Region, RegionLevel
    from lifecert.retirees.idnumber import build_id_number
    from lifecert.retirees.models import Retiree

    rng = random.Random(22)
    today = date.today()
    now = utcnow()
    admin = Actor(staff_id=0, username="bench", role=Role.PLATFORM_ADMIN, region_paths=())
    migrate.upgrade(url=args.database_url)
    t0 = time.perf_counter()
    with session_scope() as session:
        demo = build_regions(session, DemoSize.for_retirees(people))
        city_id = demo.city.id
        communities = list(session.scalars(select(Region.id).where(
            Region.level == RegionLevel.COMMUNITY).order_by(Region.id)))
        kinds = {"hospital": SourceKind.HOSPITAL, "bank": SourceKind.BANK,
                 "bus": SourceKind.TRANSPORT}
        for code, trust in SOURCES:
            session.add(SignalSource(code=code, name=code, kind=kinds[code], trust_level=trust))
        set_policy(session, actor=admin, region_id=city_id, enabled=True, min_trust=MIN_TRUST,
                   max_age_days=MAX_AGE, min_signals=MIN_SIGNALS, min_sources=1,
                   face_every_years=FACE_YEARS)
    ring = get_keyring()
    numbers, persons, rows = [], [], []
    for i in range(people):
        birth = date(1935 + i % 30, 1 + i % 12, 1 + i % 28)
        number = build_id_number(f"43{i // 1000 % 10000:04d}", birth, i % 1000)
        numbers.append(number)
        state = rng.choice(("overdue", "due_soon", "certified", "never"))
        face_days = rng.choice((200, 400, 800, 1500)) if state != "never" else None
        persons.append({"state": state, "face_days": face_days})
        rows.append({
            "id_number_hash": ring.lookup_hash(number),
            "id_number_enc": ring.encrypt_text(number, context="retiree.id_number"),
            "id_number_masked": f"{number[:6]}********{number[-4:]}",
            "key_id": ring.current.key_id, "name": f"居民{i}",
            "gender": "male" if int(number[16]) % 2 else "female", "birth_date": birth,
            "community_id": communities[i % len(communities)], "cert_state": state,
            "valid_until": None if state == "never" else today + timedelta(
                days={"overdue": -10, "due_soon": 10, "certified": 200}[state]),
            "created_at": now, "updated_at": now,
        })
    with session_scope() as session:
        bulk_insert(session, Retiree, rows)
        ids = list(session.scalars(select(Retiree.id).order_by(Retiree.id)))
        certs = [{"retiree_id": rid, "mode": CertMode.SELF, "outcome": Outcome.CERTIFIED,
                  "reason": "match", "created_at": now - timedelta(days=p["face_days"]),
                  "evidence": "{}", "frame_keys": "[]"}  # JSON text for COPY
                 for rid, p in zip(ids, persons, strict=True) if p["face_days"] is not None]
        bulk_insert(session, Certification, certs)
        for rid, p in zip(ids, persons, strict=True):
            roll = rng.random()
            if roll < 0.01:
                p["dead"] = True
                session.add(DeathRecord(retiree_id=rid, date_of_death=today - timedelta(days=40)))
            elif roll < 0.015:
                p["case"] = True
                raise_alert(session, kind=AlertKind.SHARED_PHONE, severity=Severity.LOW,
                            evidence={"rule": "bench"}, retiree_ids=[rid])
    csv_path = Path(os.environ["LIFECERT_DATA_DIR"]) / "signals.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["身份证号", "日期", "来源"])
        for n in range(args.rows):
            i = rng.randrange(people) if n >= people else n
            code = rng.choice(SOURCES)[0]
            day = today - timedelta(days=rng.randrange(0, 200))
            persons[i].setdefault("signals", set()).add((code, day))
            out.writerow([numbers[i], day.isoformat(), code])
    setup_s = time.perf_counter() - t0
    print(f"setup: {people:,} people, {args.rows:,} rows in {setup_s:.0f} s", flush=True)

    expected = 0
    trusted = {code for code, trust in SOURCES if trust >= MIN_TRUST}
    for p in persons:
        recent = [s for s in p.get("signals", ()) if s[0] in trusted
                  and (today - s[1]).days <= MAX_AGE]
        expected += (p["state"] in ("overdue", "due_soon") and not p.get("dead")
                     and not p.get("case") and p["face_days"] is not None
                     and p["face_days"] <= 365 * FACE_YEARS and len(recent) >= MIN_SIGNALS)

    updates: list[int] = []
    with session_scope() as session:
        job = start_signal_import(session, actor=admin, filename="signals.csv",
                                  data=csv_path.read_bytes(), run_now=False)
        session.commit()
        started = time.perf_counter()
        job = run_signal_import(session, job_id=job.id,
                                progress=lambda j: updates.append(j.processed))
        import_s = time.perf_counter() - started
        certified = session.scalar(select(func.count()).select_from(Certification).where(
            Certification.mode == CertMode.SILENT))
        result = {
            "rows": job.processed, "import_s": round(import_s, 1),
            "rows_per_s": round(job.processed / import_s), "signals_created": job.created,
            "duplicates": job.unchanged, "rejected": job.rejected, "people": people,
            "certified": certified, "expected": expected, "progress_updates": len(updates),
            "status": job.status.value,
            "file_sha256": hashlib.sha256(csv_path.read_bytes()).hexdigest()[:16],
        }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if certified == expected and job.status.value == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
