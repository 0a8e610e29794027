"""Counters kept by the database itself, so region dashboards never scan a million retirees.

Each person is counted in their community and in every region above it (street, district,
city, province), so a region's figures are a handful of rows looked up by its id, whatever its
size. The tables are maintained by triggers created in migration 0006 (statement-level with
transition tables on PostgreSQL, row-level on SQLite): they change in the same transaction as
the rows they count, so the figures are exact right after any change, bulk updates included.
``lifecert.dashboards.history.rebuild_counters`` recounts them from scratch.

Cost: every change of a person's state also updates their city's few counter rows, so
concurrent writes in one city queue briefly on those rows until each transaction commits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from lifecert.certification.models import Certification
from lifecert.core.db import Base, BigIntPK
from lifecert.retirees.models import Retiree


def _region_fk() -> Mapped[int]:
    return mapped_column(BigIntPK, ForeignKey("region.id", ondelete="CASCADE"), primary_key=True)


class StatusCount(Base):
    """How many retirees of a region (its whole subtree) have this status and cert state."""

    __tablename__ = "dashboard_status_count"

    region_id: Mapped[int] = _region_fk()
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    cert_state: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class RetireeCount(Base):
    """The same, split by birth year (for the age bands).

    The birth year (not an age) is the key: it never changes, so ages move on without a rewrite;
    the dashboard settles the only ambiguous years (a band boundary's birthday this year) with
    small indexed queries over the retiree table.
    """

    __tablename__ = "dashboard_retiree_count"

    region_id: Mapped[int] = _region_fk()
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    cert_state: Mapped[str] = mapped_column(String(16), primary_key=True)
    birth_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class MonthlyCertified(Base):
    """Successful certifications per region and month (yyyymm, Beijing time), counted where
    the person lived when the decision was made."""

    __tablename__ = "dashboard_monthly_certified"

    region_id: Mapped[int] = _region_fk()
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class MonthlyRate(Base):
    """The certification rate of a region at the end of a month: people on the roll and those
    with a valid certification (certified or due soon), from the counters as they stood at the
    last daily snapshot of that month (``dashboards.snapshot_rates``). The counters only know
    today; validity is overwritten when someone certifies again, so the past must be kept."""

    __tablename__ = "dashboard_monthly_rate"

    region_id: Mapped[int] = _region_fk()
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    elderly: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    taken_on: Mapped[date] = mapped_column(Date)


# The visit list: people whose state calls for a visit. Partial indexes hold only them (about
# one person in seven), one per sort order, so a city's first page reads a few dozen entries.
# The predicate is literal SQL, identical in the queries, so PostgreSQL can use the indexes.
NEEDS_VISIT_SQL = (
    "status = 'suspended' OR (status = 'active' AND "
    "cert_state IN ('overdue', 'under_review', 'never'))"
)


def _visit_index(name: str, *columns: Any) -> Index:
    where = text(NEEDS_VISIT_SQL)
    return Index(name, *columns, postgresql_where=where, sqlite_where=where)


VISIT_INDEXES = (
    _visit_index("ix_retiree_visit_urgency", Retiree.valid_until, Retiree.id),
    _visit_index("ix_retiree_visit_name", Retiree.name, Retiree.id),
    _visit_index("ix_retiree_visit_age", Retiree.birth_date, Retiree.id),
    _visit_index(
        "ix_retiree_visit_community", Retiree.community_id, Retiree.valid_until, Retiree.id
    ),
)
# Age-band boundary years: an index-only range scan on birth_date.
RETIREE_BIRTH_INDEX = Index(
    "ix_retiree_dash_birth",
    Retiree.birth_date,
    Retiree.community_id,
    Retiree.status,
    Retiree.cert_state,
)
# Repeated failures: recent unsuccessful attempts by person.
CERTIFICATION_FAILURE_INDEX = Index(
    "ix_certification_dash_failures",
    Certification.outcome,
    Certification.created_at,
    Certification.retiree_id,
)
