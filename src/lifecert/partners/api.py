"""What the partner endpoints do, kept out of the routes: status pages with cursors, pushes
filtered to the key's regions, payment changes, verification links."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from lifecert.certification import payments
from lifecert.core.csv_export import csv_text
from lifecert.core.errors import InvalidInput, LifeCertError, NotFound, PermissionDenied
from lifecert.fraud.deaths import start_death_import
from lifecert.life_signals.imports import ingest_batch
from lifecert.life_signals.models import SignalSource
from lifecert.organisation.models import Region
from lifecert.partners.keys import PartnerCaller
from lifecert.partners.models import Partner
from lifecert.partners.schemas import DeathItem, RetireeStatusRead, SignalItem
from lifecert.retirees.models import Retiree
from lifecert.retirees.service import find_retiree_by_id_number, scoped_retirees

MAX_PAGE = 500
DEATH_HEADER = ["id_number", "name", "date_of_death", "source", "certificate_no"]


def _cursor(retiree: Retiree) -> str:
    text = f"{retiree.updated_at.isoformat()}|{retiree.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, ident = text.partition("|")
        return datetime.fromisoformat(stamp), int(ident)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput("The cursor is not valid; start again without one.",
                           fields={"cursor": "as given in next_cursor"}) from exc


def retiree_page(
    session: Session, *, caller: PartnerCaller, cursor: str, limit: int,
    changed_since: datetime | None, region_id: int | None,
) -> tuple[list[RetireeStatusRead], str | None]:
    """Oldest change first, so a partner polling with changed_since/cursor misses nothing."""
    stmt = scoped_retirees(caller.actor)
    if region_id is not None:
        region = session.get(Region, region_id) if 0 < region_id < 2**63 else None
        if region is None:
            raise NotFound("No such region.")
        if not caller.actor.covers_path(region.path):
            raise PermissionDenied("This API key does not cover this region.")
        stmt = stmt.where(Region.path.startswith(region.path, autoescape=True))
    if changed_since is not None:
        stmt = stmt.where(Retiree.updated_at > changed_since)
    if cursor:
        stamp, ident = _after(cursor)
        stmt = stmt.where(or_(Retiree.updated_at > stamp,
                              and_(Retiree.updated_at == stamp, Retiree.id > ident)))
    rows = list(session.scalars(stmt.order_by(Retiree.updated_at, Retiree.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    items = [RetireeStatusRead.model_validate(r) for r in rows]
    return items, (_cursor(rows[-1]) if more and rows else None)


def retiree_status(session: Session, *, caller: PartnerCaller, retiree_id: int) -> Retiree:
    retiree = session.get(Retiree, retiree_id) if 0 < retiree_id < 2**63 else None
    if retiree is None:
        raise NotFound("No such retiree.")
    if not caller.actor.covers_path(retiree.community.path):
        raise PermissionDenied("This API key does not cover this person's region.")
    return retiree


def _in_scope(session: Session, caller: PartnerCaller, numbers: list[str]) -> list[bool]:
    found = []
    for number in numbers:
        try:
            find_retiree_by_id_number(session, actor=caller.actor, id_number=number)
            found.append(True)
        except LifeCertError:  # unknown, outside the key's regions, or not an ID number
            found.append(False)
    return found


def push_signals(session: Session, *, caller: PartnerCaller, events: list[SignalItem]
                 ) -> dict[str, Any]:
    partner = session.get_one(Partner, caller.partner_id)
    source = session.query(SignalSource).filter_by(code=partner.signal_source_code,
                                                   active=True).one_or_none()
    if source is None:
        raise PermissionDenied("This partner has no life-signal source; ask the bureau.")
    ok = _in_scope(session, caller, [e.id_number for e in events])
    kept = [i for i, good in enumerate(ok) if good]
    result = ingest_batch(session, source=source,
                          items=[(events[i].id_number, events[i].date) for i in kept])
    refused_inner = {kept[i] for i in result["refused"]}  # type: ignore[attr-defined]
    refused = sorted({i for i, good in enumerate(ok) if not good} | refused_inner)
    return {"received": len(events), "accepted": len(events) - len(refused), "refused": refused,
            "job_id": None}


def push_deaths(session: Session, *, caller: PartnerCaller, deaths: list[DeathItem]
                ) -> dict[str, Any]:
    """In-scope rows become a death import (held for a second officer as any other)."""
    ok = _in_scope(session, caller, [d.id_number for d in deaths])
    rows = [[d.id_number, d.name, d.date_of_death.isoformat(), f"partner:{caller.partner_code}",
             d.certificate_no] for d, good in zip(deaths, ok, strict=True) if good]
    refused = [i for i, good in enumerate(ok) if not good]
    job_id = None
    if len(refused) < len(deaths):
        job = start_death_import(session, actor=caller.actor,
                                 filename=f"partner-{caller.partner_code}.csv",
                                 data=csv_text([DEATH_HEADER, *rows]).encode())
        job_id = job.id
    return {"received": len(deaths), "accepted": len(deaths) - len(refused), "refused": refused,
            "job_id": job_id}


def payment_page(session: Session, *, caller: PartnerCaller, since_id: int, limit: int
                 ) -> tuple[list[dict[str, Any]], int]:
    rows = payments.changes_since(session, actor=caller.actor, since_id=since_id, limit=limit)
    items = [payments.as_dict(r) for r in rows]
    return items, (int(items[-1]["id"]) if items else since_id)
