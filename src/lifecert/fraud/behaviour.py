"""Certification-behaviour rules: the controls on the people who help.

Each rule reads the decisions of a recent window, and every hit is an alert whose evidence
says what was counted, over which window, against which threshold (all in settings):
- one family helper, device or network address certifying more distinct retirees than a
  family or a household would;
- a community worker whose assisted certifications are far above their peers';
- many certifications by one helper in a short burst;
- assisted certifications at night.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.models import Certification, Outcome
from lifecert.core.db import utcnow
from lifecert.core.settings import FraudSettings, get_settings
from lifecert.fraud.alerts import LinkSpec, raise_alert
from lifecert.fraud.models import AlertKind, LinkKind, Severity

LOCAL = ZoneInfo("Asia/Shanghai")
_COUNTED = (Outcome.CERTIFIED, Outcome.REVIEW, Outcome.RETRY)


def _recent(session: Session, since: datetime) -> Sequence[Certification]:
    return session.scalars(
        select(Certification).where(
            Certification.created_at >= since, Certification.outcome.in_(_COUNTED)
        )
    ).all()


def _who(c: Certification) -> list[tuple[AlertKind, LinkKind, str]]:
    keys = []
    if c.helper_family_id is not None:
        keys.append((AlertKind.HELPER_MANY, LinkKind.HELPER, str(c.helper_family_id)))
    if c.device:
        keys.append((AlertKind.DEVICE_MANY, LinkKind.DEVICE, c.device))
    if c.ip:
        keys.append((AlertKind.IP_MANY, LinkKind.IP, c.ip))
    return keys


def _limits(config: FraudSettings) -> dict[AlertKind, int]:
    return {
        AlertKind.HELPER_MANY: config.helper_max_retirees,
        AlertKind.DEVICE_MANY: config.device_max_retirees,
        AlertKind.IP_MANY: config.ip_max_retirees,
    }


def many_retirees(
    session: Session, rows: Sequence[Certification], config: FraudSettings, window: str
) -> int:
    groups: dict[tuple[AlertKind, LinkKind, str], set[int]] = defaultdict(set)
    for c in rows:
        for key in _who(c):
            groups[key].add(c.retiree_id)
    raised = 0
    for (kind, link, ref), retirees in groups.items():
        limit = _limits(config)[kind]
        if len(retirees) <= limit:
            continue
        raise_alert(
            session,
            kind=kind,
            severity=Severity.HIGH if kind == AlertKind.HELPER_MANY else Severity.MEDIUM,
            evidence={
                "rule": kind.value,
                "distinct_retirees": len(retirees),
                "threshold": limit,
                "window": window,
                "who": ref[:80],
            },
            retiree_ids=sorted(retirees),
            links=[LinkSpec(link, ref[:120], kind.value)],
            dedup_key=f"{kind.value}:{ref[:80]}:{window}",
        )
        raised += 1
    return raised


def worker_outliers(
    session: Session, rows: Sequence[Certification], config: FraudSettings, window: str
) -> int:
    per_worker: dict[int, set[int]] = defaultdict(set)
    for c in rows:
        if c.helper_staff_id is not None:
            per_worker[c.helper_staff_id].add(c.retiree_id)
    if len(per_worker) < 3:
        return 0  # too few peers to compare with
    median = statistics.median(len(v) for v in per_worker.values())
    limit = max(config.worker_outlier_min, config.worker_outlier_factor * median)
    raised = 0
    for staff_id, retirees in per_worker.items():
        if len(retirees) > limit:
            raise_alert(
                session,
                kind=AlertKind.WORKER_OUTLIER,
                severity=Severity.MEDIUM,
                evidence={
                    "rule": "worker_outlier",
                    "assisted_retirees": len(retirees),
                    "peer_median": median,
                    "threshold": round(limit, 1),
                    "window": window,
                },
                retiree_ids=sorted(retirees),
                links=[LinkSpec(LinkKind.STAFF, str(staff_id), "community worker")],
                dedup_key=f"worker_outlier:{staff_id}:{window}",
            )
            raised += 1
    return raised


def bursts(session: Session, rows: Sequence[Certification], config: FraudSettings) -> int:
    by_helper: dict[tuple[LinkKind, str], list[Certification]] = defaultdict(list)
    for c in rows:
        if c.helper_family_id is not None:
            by_helper[(LinkKind.HELPER, str(c.helper_family_id))].append(c)
        if c.helper_staff_id is not None:
            by_helper[(LinkKind.STAFF, str(c.helper_staff_id))].append(c)
    span = timedelta(minutes=config.burst_minutes)
    raised = 0
    for (link, ref), items in by_helper.items():
        items.sort(key=lambda c: c.created_at)
        start = 0
        for end, c in enumerate(items):
            while c.created_at - items[start].created_at > span:
                start += 1
            if end - start + 1 >= config.burst_count:
                window = items[start : end + 1]
                raise_alert(
                    session,
                    kind=AlertKind.BURST,
                    severity=Severity.MEDIUM,
                    evidence={
                        "rule": "burst",
                        "count": len(window),
                        "minutes": config.burst_minutes,
                        "threshold": config.burst_count,
                        "first": window[0].created_at.isoformat(),
                        "last": window[-1].created_at.isoformat(),
                    },
                    retiree_ids=sorted({w.retiree_id for w in window}),
                    links=[LinkSpec(link, ref, "helper")],
                    dedup_key=f"burst:{link.value}:{ref}:{window[0].created_at:%Y%m%d%H}",
                )
                raised += 1
                break
    return raised


def night_time(session: Session, rows: Sequence[Certification], config: FraudSettings) -> int:
    raised = 0
    for c in rows:
        if c.helper_family_id is None and c.helper_staff_id is None:
            continue  # an elder awake at night is not suspicious; a helper doing it for them is
        hour = c.created_at.astimezone(LOCAL).hour
        if not config.night_start_hour <= hour < config.night_end_hour:
            continue
        link = (
            LinkSpec(LinkKind.STAFF, str(c.helper_staff_id), "staff helper")
            if c.helper_staff_id is not None
            else LinkSpec(LinkKind.HELPER, str(c.helper_family_id), "family helper")
        )
        raise_alert(
            session,
            kind=AlertKind.NIGHT_TIME,
            severity=Severity.LOW,
            evidence={
                "rule": "night_time",
                "local_time": c.created_at.astimezone(LOCAL).isoformat(timespec="minutes"),
                "certification_id": c.id,
                "night": f"{config.night_start_hour:02d}-{config.night_end_hour:02d}",
            },
            retiree_ids=[c.retiree_id],
            links=[link],
            dedup_key=f"night_time:{c.id}",
        )
        raised += 1
    return raised


def run_behaviour_rules(session: Session, *, now: datetime | None = None) -> dict[str, int]:
    """Nightly (and on demand): every rule over the recent window. Alerts are deduplicated."""
    config = get_settings().fraud
    now = now or utcnow()
    since = now - timedelta(days=config.behaviour_window_days)
    window = f"{since.date().isoformat()}..{now.date().isoformat()}"
    rows = _recent(session, since)
    return {
        "many_retirees": many_retirees(session, rows, config, window),
        "worker_outliers": worker_outliers(session, rows, config, window),
        "bursts": bursts(session, rows, config),
        "night_time": night_time(session, rows, config),
    }
