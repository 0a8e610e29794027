"""Provider KPIs of a month: rebuilt set-based into ``homecare_kpi`` by each rules run over the
month (nightly and before settlement), read from there by the KPI page in a few rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, delete, exists, func, insert, literal, select
from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, scope_filter
from lifecert.homecare import access
from lifecert.homecare.models import Anomaly, KpiRollup, Provider, Visit, VisitStatus


def refresh_kpis(session: Session, *, month: str, start: Any, end: Any) -> None:
    """Recount the month (by scheduled start) per provider and community."""
    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    flagged = exists().where(Anomaly.visit_id == Visit.id, Anomaly.is_open.is_(True))
    rows = (select(literal(month), Visit.provider_id, Visit.region_path, func.count(),
                   count(Visit.checkin_at.is_not(None)),
                   count(Visit.status == VisitStatus.COMPLETED), count(Visit.billable.is_(True)),
                   count(flagged), count(Visit.elder_response == "disputed"),
                   func.coalesce(func.sum(Visit.rating), 0), func.count(Visit.rating),
                   literal(utcnow()))
            .where(Visit.scheduled_start >= start, Visit.scheduled_start < end,
                   Visit.provider_id.is_not(None))
            .group_by(Visit.provider_id, Visit.region_path))
    session.execute(delete(KpiRollup).where(KpiRollup.month == month))
    session.execute(insert(KpiRollup).from_select(
        ["month", "provider_id", "region_path", "visits", "checked_in", "completed", "billable",
         "flagged", "disputes", "rating_sum", "rating_n", "refreshed_at"], rows))


def provider_kpis(session: Session, *, actor: Actor, month: str,
                  region_path: str = "") -> list[dict[str, Any]]:
    """Per provider: visits, checked in, completed, billable, visits with an open anomaly,
    disputes, average rating. A provider sees its own row; officers and community workers
    the visits of their regions (``region_path`` drills down)."""
    if access.is_provider(actor):
        scope = access.provider_filter(session, actor, KpiRollup.provider_id)
    else:
        scope = scope_filter(actor, Permission.READ_HOMECARE, KpiRollup.region_path)
    k = KpiRollup
    stmt = (select(Provider.id, Provider.name, func.sum(k.visits), func.sum(k.checked_in),
                   func.sum(k.completed), func.sum(k.billable), func.sum(k.flagged),
                   func.sum(k.disputes), func.sum(k.rating_sum), func.sum(k.rating_n),
                   func.max(k.refreshed_at))
            .join(Provider, Provider.id == k.provider_id)
            .where(k.month == month, scope)
            .group_by(Provider.id, Provider.name).order_by(Provider.name))
    if region_path:
        stmt = stmt.where(k.region_path.startswith(region_path, autoescape=True))
    out = []
    for pid, name, n, checked, done, paid, flags, disputes, r_sum, r_n, at in session.execute(
            stmt):
        out.append({"provider_id": pid, "provider": name, "visits": int(n or 0),
                    "checked_in": int(checked or 0), "completed": int(done or 0),
                    "billable": int(paid or 0), "anomalies": int(flags or 0),
                    "disputes": int(disputes or 0),
                    "rating": round(int(r_sum) / int(r_n), 2) if r_n else None,
                    "as_of": at.isoformat() if at else None})
    return out
