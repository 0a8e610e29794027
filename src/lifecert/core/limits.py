"""Atomic counters for limits (login lockout, code attempts, per-address throttles).

Each count is taken in its *own* committed transaction with one ``UPDATE … SET n = n + 1 …
RETURNING``, so parallel requests cannot lose updates and a refusal, which rolls the
request back, still counts. The count is taken *before* the guarded work: of any number of
parallel attempts, at most ``limit`` are evaluated.

Count before the request's session reads anything: on SQLite a transaction that has read
cannot write any more once another connection committed (PostgreSQL does not mind).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Integer, String, and_, case, delete, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from lifecert.core.db import Base, UTCDateTime, session_scope, utcnow
from lifecert.core.errors import TooManyRequests


class RateCounter(Base):
    """One limit's state: attempts in the current window, and a lock with its strike count."""

    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    strikes: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class Hit:
    count: int  # this attempt's number in the window (1 = the first)
    locked_until: datetime | None  # set when the key is locked now

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


def _ensure_row(session: Session, key: str, window_end: datetime) -> None:
    values = {"key": key, "n": 0, "window_end": window_end, "strikes": 0}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(pg_insert(RateCounter).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite_insert(RateCounter).values(values).on_conflict_do_nothing())
    elif session.get(RateCounter, key) is None:  # other databases: best effort
        session.execute(insert(RateCounter).values(values))


def count_attempt(
    key: str, *, limit: int, window_s: int, lock_s: int = 0, max_lock_s: int = 0
) -> Hit:
    """Count one attempt on ``key`` (its own transaction). Past ``limit`` in the window the
    key locks for ``lock_s`` seconds, doubling with each further lock up to ``max_lock_s``
    (``lock_s`` 0: no lock, just refused until the window ends)."""
    now = utcnow()
    with session_scope() as own:
        _ensure_row(own, key, now + timedelta(seconds=window_s))
        expired = RateCounter.window_end < now
        locked = and_(RateCounter.locked_until.is_not(None), RateCounter.locked_until > now)
        fresh_end = now + timedelta(seconds=window_s)
        row = own.execute(
            update(RateCounter)
            .where(RateCounter.key == key)
            .values(  # attempts while locked are refused, not counted
                n=case((locked, RateCounter.n), (expired, 1), else_=RateCounter.n + 1),
                window_end=case(
                    (locked, RateCounter.window_end),
                    (expired, fresh_end),
                    else_=RateCounter.window_end,
                ),
            )
            .returning(RateCounter.n, RateCounter.locked_until, RateCounter.strikes)
        ).one()
        if row.locked_until is not None and row.locked_until > now:
            return Hit(row.n, row.locked_until)
        if row.n <= limit:
            return Hit(row.n, None)
        seconds = min(lock_s * 2**row.strikes, max_lock_s or lock_s) if lock_s else window_s
        until = now + timedelta(seconds=seconds)
        own.execute(
            update(RateCounter)
            .where(RateCounter.key == key)
            .values(
                locked_until=until,
                strikes=RateCounter.strikes + (1 if lock_s else 0),
                n=0 if lock_s else RateCounter.n,
            )
        )
        return Hit(row.n, until)


def hit_limit(key: str, *, limit: int, window_s: int) -> None:
    """A throttle: refuse (429 with ``Retry-After``) past ``limit`` attempts in the window."""
    hit = count_attempt(key, limit=limit, window_s=window_s)
    if hit.locked_until is not None:
        raise TooManyRequests(
            "Too many attempts. Please wait a moment and try again.",
            retry_after=max(1, int((hit.locked_until - utcnow()).total_seconds()) + 1),
        )


def login_keys(username: str, client: str) -> tuple[str, str]:
    """The two login counters: this account from this client address, and this account."""
    name = username.strip().lower()[:64]
    return f"login:{name}@{client[:64]}", f"login:{name}"


def clear_login_locks(session: Session, username: str) -> None:
    """A new password (the admin recovery path) lifts the account's locks from every address,
    in the caller's transaction."""
    account = login_keys(username, "")[1]
    from_anywhere = RateCounter.key.startswith(f"{account}@", autoescape=True)
    session.execute(delete(RateCounter).where((RateCounter.key == account) | from_anywhere))


def clear_attempts(session: Session, *keys: str) -> None:
    """Forget keys' attempts and locks after a success, in the caller's transaction (the
    success commits with it)."""
    session.execute(delete(RateCounter).where(RateCounter.key.in_(keys)))
