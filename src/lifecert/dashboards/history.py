"""Certification history for demo data, and a full recount of the dashboard counters.

The demo generator gives people a state and a validity but no decisions; the dashboards'
"certified this month" and 12-month trend need them. One set-based INSERT … SELECT per kind of
row, so a million retirees take seconds, not a Python loop.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from lifecert.certification.cycle import default_policy
from lifecert.dashboards.models import MonthlyCertified, RetireeCount, StatusCount

_COLUMNS = (
    "retiree_id, mode, outcome, reason, created_at, valid_until, evidence, frame_keys, "
    "device, ip, counts_as_attempt"
)


def add_certification_history(session: Session, *, today: date) -> None:
    """Two successful decisions per person with a validity (the one that gave it, made one
    cycle before it ends at 10:00 Beijing time, and the cycle before that one) and three failed
    tries in the last weeks for a few people who are not certified: what the dashboards would
    show after two years of use (a steady rate, not one that starts at zero a year ago)."""
    is_pg = session.get_bind().dialect.name == "postgresql"
    cycle = default_policy().cycle_days
    for cycles_back in (1, 0):  # oldest first, so ids follow time
        session.execute(
            text(
                f"INSERT INTO certification ({_COLUMNS}) SELECT id, 'self', 'certified', "
                f"'demo', {_made(is_pg, cycles_back)}, {_until(is_pg, cycles_back)}, '{{}}', "
                "'[]', '', '', :yes FROM retiree WHERE valid_until IS NOT NULL ORDER BY id"
            ),
            {"cycle": cycle, "yes": True},
        )
    morning = datetime.combine(today, time(2, 0), tzinfo=UTC)
    for days in (3, 9, 15):
        session.execute(
            text(
                f"INSERT INTO certification ({_COLUMNS}) SELECT id, 'self', 'retry', "
                "'face_mismatch', :at, NULL, '{}', '[]', '', '', :yes FROM retiree "
                "WHERE cert_state IN ('overdue', 'never', 'due_soon') AND id % 41 = 0 ORDER BY id"
            ),
            {"at": _stored(morning - timedelta(days=days), is_pg), "yes": True},
        )


def _until(is_pg: bool, cycles_back: int) -> str:
    """SQL for the validity a decision gave, ``cycles_back`` cycles before today's."""
    if not cycles_back:
        return "valid_until"
    if is_pg:
        return f"(valid_until - {cycles_back} * CAST(:cycle AS integer))"
    return f"date(valid_until, '-' || ({cycles_back} * :cycle) || ' days')"


def _made(is_pg: bool, cycles_back: int) -> str:
    """SQL for when that decision was made: one cycle before its validity ended, 10:00 Beijing."""
    until = _until(is_pg, cycles_back)
    if is_pg:
        return (
            f"(({until} - CAST(:cycle AS integer))::timestamp + interval '2 hours') "
            "AT TIME ZONE 'UTC'"
        )
    return f"datetime({until}, '-' || :cycle || ' days', '+2 hours') || '.000000'"


def _stored(moment: datetime, is_pg: bool) -> datetime | str:
    # Raw SQL skips the UTCDateTime type: SQLite stores naive UTC text, as that type does.
    return moment if is_pg else moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def rebuild_counters(session: Session) -> None:
    """Recount the counter tables from the rows (after a restore, or to check the triggers).

    The recount puts past decisions in the community where each person lives now: the one
    thing it cannot restore is where people who moved since lived when they certified."""
    session.execute(delete(StatusCount))
    session.execute(delete(RetireeCount))
    session.execute(delete(MonthlyCertified))
    for statement in recount_sql(session.get_bind().dialect.name):
        session.execute(text(statement))


def fan_out_sql(dialect: str) -> tuple[str, str]:
    """(region id column, join) that repeat a row ``x`` with a ``community_id`` for its
    community and every region above it."""
    if dialect == "postgresql":
        # A community's path "/1/2/3/4/5/" lists the ids of every region it belongs to.
        fan = (
            "JOIN region g ON g.id = x.community_id CROSS JOIN LATERAL "
            "unnest(string_to_array(trim(both '/' from g.path), '/')::bigint[]) AS a(region_id)"
        )
        return "a.region_id", fan
    fan = (
        "JOIN region g ON g.id = x.community_id "
        "JOIN json_each('[' || replace(trim(g.path, '/'), '/', ',') || ']') a"
    )
    return "a.value", fan


def recount_sql(dialect: str) -> list[str]:
    """The same statements as migration 0006 uses to count existing rows."""
    if dialect == "postgresql":
        year = "extract(year FROM birth_date)::int"
        month = "to_char(c.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMM')::int"
    else:
        year = "CAST(strftime('%Y', birth_date) AS INTEGER)"
        month = "CAST(strftime('%Y%m', c.created_at, '+8 hours') AS INTEGER)"
    rid, fan = fan_out_sql(dialect)
    return [
        "INSERT INTO dashboard_status_count (region_id, status, cert_state, n) "
        f"SELECT {rid}, x.status, x.cert_state, sum(x.n) FROM (SELECT community_id, status, "
        f"cert_state, count(*) AS n FROM retiree GROUP BY 1, 2, 3) x {fan} GROUP BY 1, 2, 3",
        "INSERT INTO dashboard_retiree_count (region_id, status, cert_state, birth_year, n) "
        f"SELECT {rid}, x.status, x.cert_state, x.birth_year, sum(x.n) FROM (SELECT "
        f"community_id, status, cert_state, {year} AS birth_year, count(*) AS n FROM retiree "
        f"GROUP BY 1, 2, 3, 4) x {fan} GROUP BY 1, 2, 3, 4",
        "INSERT INTO dashboard_monthly_certified (region_id, month, n) "
        f"SELECT {rid}, x.month, sum(x.n) FROM (SELECT r.community_id, "
        f"{month} AS month, count(*) AS n FROM certification c JOIN retiree r "
        "ON r.id = c.retiree_id WHERE c.outcome = 'certified' GROUP BY 1, 2) x "
        f"{fan} GROUP BY 1, 2",
    ]
