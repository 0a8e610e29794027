"""Set-based storage of signals: rows go to a temporary staging table (COPY on PostgreSQL),
then one INSERT … SELECT joins them to the registry by the ID number's keyed hash, inside the
importer's regions; and one grouped query counts each eligible person's recent signals."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    Select,
    String,
    column,
    exists,
    func,
    literal,
    select,
    table,
    text,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lifecert.core.db import UTCDateTime, utcnow
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, scope_filter
from lifecert.life_signals.models import LifeSignal
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree

Staged = tuple[int, str, int, date]  # file line, ID-number hash, source id, date
_STAGE = table(
    "life_signal_stage",
    column("line", Integer),
    column("hash", String),
    column("source_id", BigInteger),
    column("occurred_on", Date),
)
_CREATE = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS life_signal_stage "
    "(line integer, hash varchar(64), source_id bigint, occurred_on date)"
)


def _stage(session: Session, rows: list[Staged]) -> None:
    connection = session.connection()
    connection.execute(text(_CREATE))
    connection.execute(_STAGE.delete())
    if connection.dialect.name != "postgresql":
        keys = ("line", "hash", "source_id", "occurred_on")
        connection.execute(_STAGE.insert(), [dict(zip(keys, r, strict=True)) for r in rows])
        return
    raw = connection.connection.driver_connection
    copy_sql = "COPY life_signal_stage (line, hash, source_id, occurred_on) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)


def store_signals(
    session: Session, *, actor: Actor, rows: list[Staged], job_id: int | None
) -> tuple[int, list[int]]:
    """Insert the rows whose person is in the actor's regions; a signal already known is left
    as it is. Returns (new signals, file lines naming nobody in scope)."""
    if not rows:
        return 0, []
    _stage(session, rows)
    in_scope = scope_filter(actor, Permission.WRITE_RETIREES, Region.path)
    matched = (
        select(
            Retiree.id,
            _STAGE.c.source_id,
            _STAGE.c.occurred_on,
            literal(job_id, BigInteger),
            literal(utcnow(), UTCDateTime()),
        )
        .join(Retiree, Retiree.id_number_hash == _STAGE.c.hash)
        .join(Region, Region.id == Retiree.community_id)
        .where(in_scope)
    )
    dialect = session.connection().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        make(LifeSignal)
        .from_select(
            ["retiree_id", "source_id", "occurred_on", "import_job_id", "created_at"], matched
        )
        .on_conflict_do_nothing()
        .execution_options(preserve_rowcount=True)
    )
    created = session.connection().execute(statement).rowcount
    nobody = list(
        session.scalars(
            select(_STAGE.c.line)
            .where(
                ~exists()
                .where(Retiree.id_number_hash == _STAGE.c.hash)
                .where(Region.id == Retiree.community_id, in_scope)
            )
            .order_by(_STAGE.c.line)
        )
    )
    session.connection().execute(_STAGE.delete())
    return int(created or 0), nobody


def signal_counts(
    session: Session,
    *,
    eligible: Select[Any],
    source_ids: list[int],
    since: date,
    today: date,
) -> dict[int, dict[int, tuple[int, date]]]:
    """retiree id → source id → (signals in [since, today], the latest date), for the
    people ``eligible`` selects (one grouped query)."""
    people = eligible.subquery()
    rows = session.execute(
        select(
            LifeSignal.retiree_id,
            LifeSignal.source_id,
            func.count(),
            type_coerce(func.max(LifeSignal.occurred_on), Date),
        )
        .join(people, people.c.id == LifeSignal.retiree_id)
        .where(
            LifeSignal.source_id.in_(source_ids),
            LifeSignal.occurred_on >= since,
            LifeSignal.occurred_on <= today,
        )
        .group_by(LifeSignal.retiree_id, LifeSignal.source_id)
    )
    counts: dict[int, dict[int, tuple[int, date]]] = {}
    for retiree_id, source_id, n, last in rows:
        counts.setdefault(retiree_id, {})[source_id] = (int(n), last)
    return counts
