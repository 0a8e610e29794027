"""Vetted merchants: an application with a licence and the categories it wants, the bureau's
decision, suspension, and the merchant-staff accounts (the tenancy boundary: a merchant's
staff reach only their own merchant's rows). Categories are the bureau's data."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from lifecert.core.roles import Permission, Role
from lifecert.core.scoping import Actor, ensure_in_scope, scope_filter
from lifecert.homecare import service as homecare
from lifecert.marketplace.models import (
    Complaint,
    MarketCategory,
    Merchant,
    MerchantStaff,
    MerchantStatus,
)
from lifecert.organisation.models import Region, Staff

# 统一社会信用代码: 18 characters, digits and capitals without I, O, S, V, Z.
_LICENCE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


def categories(session: Session) -> Sequence[MarketCategory]:
    return session.scalars(select(MarketCategory).order_by(MarketCategory.code)).all()


def category(session: Session, code: str) -> MarketCategory:
    row = session.scalar(select(MarketCategory).where(MarketCategory.code == code))
    if row is None:
        raise InvalidInput("Unknown category {code}.", params={"code": code[:32]})
    return row


def save_category(
    session: Session, *, actor: Actor, code: str, name: str, price_cap: int,
    forbidden: bool = False, needs_registration: bool = False, home_service: bool = False,
    rule_text: str = "",
) -> MarketCategory:
    """The bureau sets a category's cap and rules (platform-wide: one market, one rulebook)."""
    if actor.role not in (Role.PLATFORM_ADMIN, Role.BUREAU_OFFICER):
        raise PermissionDenied("Only the bureau sets marketplace categories.")
    if price_cap < 1:
        raise InvalidInput("The price cap must be at least 1 yuan.")
    row = session.scalar(select(MarketCategory).where(MarketCategory.code == code))
    if row is None:
        row = MarketCategory(code=code[:32])
        session.add(row)
    row.name, row.price_cap, row.forbidden = name[:100], price_cap, forbidden
    row.needs_registration, row.home_service, row.rule_text = (
        needs_registration, home_service, rule_text)
    session.flush()
    audit.record(session, actor=actor, action="market.category_saved",
                 target_type="market_category", target_id=row.id,
                 details={"code": code, "price_cap": price_cap, "forbidden": forbidden})
    return row


def apply_merchant(
    session: Session, *, name: str, licence_no: str, phone: str, region: Region,
    category_codes: Sequence[str], homecare_provider_id: int | None = None,
) -> Merchant:
    """A merchant's application; forbidden categories are refused outright, not left for the
    bureau to notice."""
    licence = licence_no.strip().upper()
    if not _LICENCE.match(licence):
        raise InvalidInput("The licence number must be the 18-character unified social credit "
                           "code.")
    wanted = [category(session, code) for code in dict.fromkeys(category_codes)]
    if not wanted:
        raise InvalidInput("Choose at least one category.")
    banned = [c.name for c in wanted if c.forbidden]
    if banned:
        raise InvalidInput("The marketplace does not sell {names}.",
                           params={"names": "、".join(banned)})
    if any(c.home_service for c in wanted) and not (
            homecare_provider_id and homecare.approved_provider(
                session, provider_id=homecare_provider_id)):
        raise InvalidInput("Home services are sold only by an approved home-care provider.")
    merchant = Merchant(name=name.strip()[:100], licence_no=licence, phone=phone[:20],
                        region_id=region.id, region_path=region.path,
                        categories=[c.code for c in wanted],
                        homecare_provider_id=homecare_provider_id)
    session.add(merchant)
    session.flush()
    audit.record(session, actor=None, action="market.merchant_applied",
                 target_type="market_merchant", target_id=merchant.id,
                 details={"categories": merchant.categories})
    return merchant


def _bureau_merchant(session: Session, actor: Actor, merchant_id: int) -> Merchant:
    merchant = session.get(Merchant, merchant_id)
    if merchant is None:
        raise NotFound("No such merchant.")
    if actor.role not in (Role.PLATFORM_ADMIN, Role.BUREAU_OFFICER):
        raise PermissionDenied("Only the bureau approves or suspends merchants.")
    ensure_in_scope(actor, Permission.READ_REGIONS, merchant.region_path)
    return merchant


def decide_merchant(
    session: Session, *, actor: Actor, merchant_id: int, status: MerchantStatus, reason: str = ""
) -> Merchant:
    """Approve, refuse, suspend or reinstate (approve again) a merchant."""
    merchant = _bureau_merchant(session, actor, merchant_id)
    if status == MerchantStatus.APPLIED:
        raise InvalidInput("Choose approve, refuse or suspend.")
    if status != MerchantStatus.APPROVED and not reason.strip():
        raise InvalidInput("Say why, for the merchant and the record.")
    merchant.status, merchant.status_reason = status, reason.strip()[:1000]
    merchant.decided_by, merchant.decided_at = actor.staff_id or None, utcnow()
    audit.record(session, actor=actor, action=f"market.merchant_{status.value}",
                 target_type="market_merchant", target_id=merchant.id,
                 details={"reason": merchant.status_reason})
    return merchant


def list_merchants(session: Session, *, actor: Actor) -> Sequence[Merchant]:
    if actor.role == Role.MERCHANT_STAFF:
        return [merchant_of(session, actor=actor)]
    return session.scalars(
        select(Merchant).where(scope_filter(actor, Permission.READ_REGIONS, Merchant.region_path))
        .order_by(Merchant.status, Merchant.name)
    ).all()


def complaint_count(session: Session, merchant_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Complaint).where(Complaint.merchant_id == merchant_id)
    ) or 0


def add_merchant_staff(session: Session, *, merchant: Merchant, staff: Staff) -> MerchantStaff:
    if staff.role != Role.MERCHANT_STAFF:
        raise InvalidInput("Only a merchant-staff account can work for a merchant.")
    if session.scalar(select(MerchantStaff).where(MerchantStaff.staff_id == staff.id)):
        raise Conflict("This account already works for a merchant.")
    link = MerchantStaff(merchant_id=merchant.id, staff_id=staff.id)
    session.add(link)
    session.flush()
    return link


def merchant_of(session: Session, *, actor: Actor) -> Merchant:
    """The caller's own merchant (merchant staff only): every merchant query starts here."""
    if actor.role != Role.MERCHANT_STAFF:
        raise PermissionDenied("Only merchant staff act for a merchant.")
    merchant = session.scalar(
        select(Merchant).join(MerchantStaff, MerchantStaff.merchant_id == Merchant.id)
        .where(MerchantStaff.staff_id == actor.staff_id)
    )
    if merchant is None:
        raise PermissionDenied("This account is not linked to a merchant.")
    return merchant


def list_merchants_by_id(session: Session, ids: Sequence[int]) -> Sequence[Merchant]:
    """Merchants by id, for display next to their offers (names are public)."""
    return session.scalars(select(Merchant).where(Merchant.id.in_(list(ids)))).all()
