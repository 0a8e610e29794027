"""Home-care supervision at city scale on PostgreSQL: V visits (default 1,000,000) in one month
for E elders (default 100,000), generated with set-based SQL; then the anomaly rules over the
month, the monthly settlement, and the KPI page (the API route, logged in as a bureau officer).

    python benchmarks/homecare.py --json benchmarks/out/homecare.json
    python benchmarks/homecare.py --visits 100000 --elders 10000      # a quick run

The generated anomalies are planted at known rates (short visits, far check-ins, faces not
verified, overlapping caregivers, reused photos, elders in hospital or dead, visits outside the
provider's area); the run fails when the rules find a different number of visits than were
planted, or when the settlement differs from the sum of billable visits × prices recomputed
here. Keys: visits, elders, rules_s, settlement_s, kpi_p95_ms, anomalies, planted,
settlement_total_cents, expected_total_cents. Goals: rules <= 120 s, settlement <= 60 s,
KPI p95 <= 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_h19"
MONTH = "2026-11"
PROVIDERS = 40
CAREGIVERS_PER_PROVIDER = 125  # 5,000 caregivers: 200 visits each a month, 90 minutes apart

# Planted faults (by id modulo, see the SQL below): short visits 1/97, far check-ins 1/89,
# elder face mismatched 1/83, caregiver face 1/211, outside the provider's area 1/101,
# reused photos 1/997, overlaps 1/331, elders in hospital 1/331, dead 1/499.

VISITS_SQL = """
INSERT INTO homecare_visit (order_kind, order_id, provider_id, worker_staff_id, retiree_id,
  region_path, service_code, price_cents, min_minutes, status, scheduled_start, visit_date,
  duration_s, challenge_nonce, challenge_actions, worker_checked_at, checkin_at, checkin_lat,
  checkin_lon, checkin_accuracy_m, checkin_distance_m, checkout_at, worker_verdict,
  elder_verdict, elder_route, evidence, needs_confirmation, elder_response, billable,
  created_at, updated_at)
SELECT 'homecare', g, p.provider_id, c.staff_id, e.retiree_id, e.path,
  s.code, s.price, s.minutes, 'completed', t.start, (t.start AT TIME ZONE 'Asia/Shanghai')::date,
  CASE WHEN g % 97 = 0 THEN 300 ELSE s.minutes * 60 + 300 END, '', '[]', t.start, t.start,
  28.2, 112.9, 15, CASE WHEN g % 89 = 0 THEN 2000 ELSE 40 END,
  t.start + make_interval(secs => CASE WHEN g % 97 = 0 THEN 300 ELSE s.minutes * 60 + 300 END),
  CASE WHEN g % 211 = 0 THEN 'mismatch' ELSE 'match' END,
  CASE WHEN g % 83 = 0 THEN 'mismatch' ELSE 'match' END, 'face', '{}', false, '',
  g % 83 <> 0 AND g % 211 <> 0, now(), now()
FROM generate_series(1, :visits) AS g
JOIN bench_elder e ON e.n = g % :elders
JOIN bench_provider p ON p.n = CASE WHEN g % 101 = 0 THEN (e.provider_n + 1) % :providers
                                    ELSE e.provider_n END
JOIN bench_caregiver c ON c.n = g % :caregivers
JOIN bench_service s ON s.n = g % 3
CROSS JOIN LATERAL (SELECT timestamptz '2026-11-01 00:00+08' + make_interval(
  mins => 90 * ((g / :caregivers) % 400)) AS start) t
"""


REUSE_SQL = """
DELETE FROM homecare_anomaly; DELETE FROM fraud_alert_link; DELETE FROM fraud_alert;
DELETE FROM homecare_settlement; DELETE FROM homecare_kpi; DELETE FROM staff
WHERE username = 'bench_officer';
UPDATE homecare_visit SET billable = (elder_verdict = 'match' AND worker_verdict = 'match')
WHERE billable <> (elder_verdict = 'match' AND worker_verdict = 'match')"""


def _reset(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def _generate(session: object, elders: int, visits: int) -> None:
    from sqlalchemy import select

    from lifecert.homecare.models import AnomalyRule

    run = session.execute  # type: ignore[attr-defined]
    n_care = PROVIDERS * CAREGIVERS_PER_PROVIDER
    run(text("CREATE TEMP TABLE bench_service AS SELECT n, 'svc' || n AS code, "
             "3000 + 2500 * n AS price, 30 + 15 * n AS minutes FROM generate_series(0, 2) n"))
    run(text("INSERT INTO homecare_service_item (code, name, unit_price_cents, min_minutes, "
             "active, created_at, updated_at) SELECT code, code, price, minutes, true, now(), "
             "now() FROM bench_service"))
    run(text("INSERT INTO homecare_provider (name, licence_no, phone, status, created_at, "
             "updated_at) SELECT 'provider ' || n, 'L' || n, '', 'approved', now(), now() "
             "FROM generate_series(0, :p - 1) n"), {"p": PROVIDERS})
    run(text("CREATE TEMP TABLE bench_provider AS SELECT (row_number() OVER (ORDER BY id)) - 1 "
             "AS n, id AS provider_id FROM homecare_provider"))
    # Each provider serves the streets whose rank modulo PROVIDERS is its number.
    run(text("CREATE TEMP TABLE bench_street AS SELECT id, path, (row_number() OVER "
             "(ORDER BY id) - 1) % :p AS provider_n FROM region WHERE level = 'street'"),
        {"p": PROVIDERS})
    run(text("INSERT INTO homecare_provider_region SELECT p.provider_id, s.id, s.path "
             "FROM bench_street s JOIN bench_provider p ON p.n = s.provider_n"))
    run(text("INSERT INTO staff (username, full_name, password_hash, role, organisation_name, "
             "phone, is_active, session_version, failed_logins, created_at, updated_at) "
             "SELECT 'carer' || g, 'carer', '!', 'provider_staff', '', '', true, 1, 0, now(), "
             "now() FROM generate_series(0, :c - 1) g"), {"c": n_care})
    # Caregiver g % C works slot g / C (90 minutes apart): no overlap unless planted.
    run(text("CREATE TEMP TABLE bench_caregiver AS SELECT id AS staff_id, "
             "(row_number() OVER (ORDER BY id) - 1) % :p AS provider_n, "
             "row_number() OVER (ORDER BY id) - 1 AS n FROM staff "
             "WHERE username LIKE 'carer%'"), {"p": PROVIDERS})
    run(text("CREATE UNIQUE INDEX ON bench_caregiver (n)"))
    run(text("INSERT INTO homecare_caregiver (staff_id, provider_id, is_manager, certificate, "
             "active, template_model, created_at, updated_at) SELECT c.staff_id, p.provider_id,"
             " false, '', true, '', now(), now() FROM bench_caregiver c "
             "JOIN bench_provider p ON p.n = c.provider_n"))
    run(text("CREATE TEMP TABLE bench_elder AS SELECT (row_number() OVER (ORDER BY r.id) - 1)"
             " AS n, r.id AS retiree_id, c.path, s.provider_n FROM retiree r "
             "JOIN region c ON c.id = r.community_id JOIN bench_street s ON s.id = c.parent_id"))
    run(text("CREATE UNIQUE INDEX ON bench_elder (n)"))
    run(text("ANALYZE bench_elder"))
    run(text(VISITS_SQL), {"visits": visits, "elders": elders, "providers": PROVIDERS,
                           "caregivers": n_care})
    # Photos: one in ten visits; one in 997 reuses the photo of the visit before it.
    run(text("INSERT INTO homecare_visit_photo (visit_id, sha256, blob_key) SELECT id, "
             "md5(CASE WHEN order_id % 997 = 0 THEN (order_id - 1)::text ELSE order_id::text "
             "END), '' FROM homecare_visit WHERE order_id % 10 = 0 OR order_id % 997 = 0 "
             "OR (order_id + 1) % 997 = 0"))
    # Overlaps: every 331st caregiver slot is moved 30 minutes earlier into the previous one.
    run(text("UPDATE homecare_visit SET checkin_at = checkin_at - interval '60 minutes', "
             "checkout_at = checkout_at - interval '60 minutes' WHERE order_id % 331 = 0 "
             "AND order_id > :step"), {"step": n_care})
    # Elders: 0.3% in hospital all month, 0.2% registered dead (status).
    run(text("INSERT INTO homecare_absence (retiree_id, kind, starts_on, ends_on) "
             "SELECT retiree_id, 'hospital', date '2026-10-25', date '2026-12-05' "
             "FROM bench_elder WHERE n % 331 = 7"))
    run(text("UPDATE retiree SET status = 'deceased' WHERE id IN "
             "(SELECT retiree_id FROM bench_elder WHERE n % 499 = 3)"))
    run(text("ANALYZE"))
    assert session.scalars(select(AnomalyRule.code)).all()  # type: ignore[attr-defined]


def _expected(session: object) -> tuple[int, int]:
    """Flagged visits and the billable total, recomputed from the planted data in another way
    than the rules (set unions, a window over each caregiver's visits for overlaps)."""
    row = session.execute(text("""
        WITH bad AS (
          SELECT id FROM homecare_visit WHERE duration_s < min_minutes * 60
            OR checkin_distance_m - 15 > 300 OR elder_verdict <> 'match'
            OR worker_verdict <> 'match'
          UNION SELECT v.id FROM homecare_visit v LEFT JOIN homecare_provider_region pr
            ON pr.provider_id = v.provider_id AND left(v.region_path, length(pr.region_path))
               = pr.region_path WHERE pr.provider_id IS NULL
          UNION SELECT v.id FROM homecare_visit v JOIN retiree r ON r.id = v.retiree_id
            WHERE r.status <> 'active'
          UNION SELECT v.id FROM homecare_visit v JOIN homecare_absence a
            ON a.retiree_id = v.retiree_id AND v.visit_date BETWEEN a.starts_on AND a.ends_on
          UNION SELECT id FROM (SELECT id, checkin_at, checkout_at,
              lag(checkout_at) OVER w AS prev_out, lead(checkin_at) OVER w AS next_in
              FROM homecare_visit WINDOW w AS (PARTITION BY worker_staff_id
                                              ORDER BY checkin_at, id)) o
            WHERE prev_out > checkin_at OR next_in < checkout_at
          UNION SELECT p.visit_id FROM homecare_visit_photo p JOIN homecare_visit_photo q
            ON q.sha256 = p.sha256 AND q.visit_id <> p.visit_id)
        SELECT (SELECT count(*) FROM bad),
               (SELECT coalesce(sum(price_cents), 0) FROM homecare_visit
                WHERE id NOT IN (SELECT id FROM bad))""")).one()  # type: ignore[attr-defined]
    return int(row[0]), int(row[1])


def _kpi_p95(url: str, runs: int) -> float:
    from fastapi.testclient import TestClient

    from lifecert.app import create_app
    from lifecert.core.db import session_scope
    from lifecert.core.roles import Role
    from lifecert.organisation.models import Region, RegionLevel
    from lifecert.organisation.service import create_staff

    with session_scope() as session:
        from sqlalchemy import select

        city = session.scalars(select(Region).where(Region.level == RegionLevel.CITY)).first()
        create_staff(session, username="bench_officer", password="bench-password-1",
                     full_name="officer", role=Role.BUREAU_OFFICER, regions=[city])
    times = []
    with TestClient(create_app()) as client:
        page = client.get("/login")
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        client.post("/login", data={"username": "bench_officer",
                                    "password": "bench-password-1", "csrf": csrf})
        client.get(f"/api/v1/homecare/kpis?month={MONTH}")  # warm: first-request set-up
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(f"/api/v1/homecare/kpis?month={MONTH}")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and response.json(), response.text
    return statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--elders", type=int, default=100_000)
    parser.add_argument("--kpi-runs", type=int, default=40)
    parser.add_argument("--database-url", default=os.environ.get(
        "LIFECERT_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the generated visits of a previous run (clear its results)")
    args = parser.parse_args()
    os.environ["LIFECERT_DATABASE_URL"] = args.database_url
    os.environ.setdefault("LIFECERT_DATA_DIR", tempfile.mkdtemp(prefix="lifecert-bench-"))
    os.environ["LIFECERT_LOG_JSON"] = "false"
    if not args.reuse:
        _reset(args.database_url)

    from lifecert.core import migrate
    from lifecert.core.db import session_scope
    from lifecert.core.roles import Role
    from lifecert.core.scoping import Actor
    from lifecert.demo import DemoSize, build_regions, insert_retirees, retiree_rows
    from lifecert.homecare import rules, settlement

    migrate.upgrade(url=args.database_url)
    t0 = time.perf_counter()
    if args.reuse:
        with session_scope() as session:
            session.execute(text(REUSE_SQL))
    else:
        with session_scope() as session:
            demo = build_regions(session, DemoSize.for_retirees(args.elders))
            insert_retirees(session, retiree_rows(demo.communities, args.elders, 19,
                                                  date(2026, 12, 4)))
        with session_scope() as session:
            _generate(session, args.elders, args.visits)
    setup_s = time.perf_counter() - t0
    print(f"setup: {args.elders:,} elders, {args.visits:,} visits in {setup_s:.0f} s", flush=True)

    with session_scope() as session:
        planted, expected_total = _expected(session)
    officer = Actor(staff_id=0, username="bench", role=Role.PLATFORM_ADMIN, region_paths=())
    with session_scope() as session:
        started = time.perf_counter()
        hits = rules.run_rules(session, month=MONTH)
        session.commit()
        rules_s = time.perf_counter() - started
    with session_scope() as session:
        started = time.perf_counter()
        month = settlement.prepare_settlement(session, actor=officer, month=MONTH,
                                              run_rules=False)
        session.commit()
        settlement_s = time.perf_counter() - started
        total, settled = month.total_cents, month.visits
        flagged = session.scalar(text("SELECT count(DISTINCT visit_id) FROM homecare_anomaly"))
        alerts = session.scalar(text("SELECT count(*) FROM fraud_alert"))
    kpi_p95 = _kpi_p95(args.database_url, args.kpi_runs)
    result = {"visits": args.visits, "elders": args.elders, "rules_s": round(rules_s, 1),
              "settlement_s": round(settlement_s, 2), "kpi_p95_ms": round(kpi_p95, 1),
              "anomalies": hits, "flagged_visits": flagged, "planted": planted,
              "alerts": alerts, "settled_visits": settled, "settlement_total_cents": total,
              "expected_total_cents": expected_total, "setup_s": round(setup_s)}
    print(f"{'visits':<24}{args.visits:>14,}\n{'rules_s (<=120)':<24}{rules_s:>14.1f}\n"
          f"{'settlement_s (<=60)':<24}{settlement_s:>14.2f}\n"
          f"{'kpi_p95_ms (<=300)':<24}{kpi_p95:>14.1f}\n"
          f"{'flagged / planted':<24}{flagged:>7,} /{planted:>6,}\n"
          f"{'total / expected':<24}{total:>7,} /{expected_total:>6,}")
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if flagged == planted and total == expected_total else 1


if __name__ == "__main__":
    sys.exit(main())
