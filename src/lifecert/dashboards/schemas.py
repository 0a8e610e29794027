"""API shapes of the dashboards (figures only: never identity numbers or biometrics)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class FiguresRead(BaseModel):
    elderly: int
    certified: int
    due_soon: int
    overdue: int
    suspended: int
    under_review: int
    never: int
    certified_this_month: int
    overdue_rate: float


class RegionFiguresRead(BaseModel):
    region_id: int
    name: str
    level: str
    figures: FiguresRead


class MonthRead(BaseModel):
    month: str  # "2026-11"
    certified: int
    certified_rate: float | None = None  # share valid at the month's end (current month: now)


class DashboardRead(BaseModel):
    region_id: int | None  # None: all of the caller's regions
    name: str
    as_of: date
    totals: FiguresRead
    age_bands: dict[str, dict[str, int]]
    children: list[RegionFiguresRead]
    ranking: list[RegionFiguresRead]
    trend: list[MonthRead]
    visits_total: int
