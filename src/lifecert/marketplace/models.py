"""The marketplace: vetted merchants, categories with the bureau's price caps and rules,
offers, orders with their payments, the cooling-off period and payouts, spending limits,
complaints, and the calls elders report."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifecert.core.db import Base, BigIntPK, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow


class MerchantStatus(StrEnum):
    APPLIED = "applied"  # waiting for the bureau
    APPROVED = "approved"
    REFUSED = "refused"
    SUSPENDED = "suspended"  # offers hidden, no new orders, payouts stop


class OrderStatus(StrEnum):
    PAID = "paid"  # charged; the cooling-off period runs
    PAYMENT_FAILED = "payment_failed"
    CANCELLED = "cancelled"  # cancelled in the cooling-off period and refunded in full
    PAID_OUT = "paid_out"  # the merchant was paid after the period, the service proven


class PaymentKind(StrEnum):
    CHARGE = "charge"
    REFUND = "refund"
    PAYOUT = "payout"


class PaymentStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ComplaintStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"  # the community (or the bureau) wrote what was done


class LimitStatus(StrEnum):
    PENDING = "pending"  # set by family or a worker; not in force until the elder agrees
    ACTIVE = "active"
    REFUSED = "refused"


class MarketCategory(IdMixin, TimestampMixin, Base):
    """A category as data, set by the bureau: its price cap and what it demands of an offer."""

    __tablename__ = "market_category"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    price_cap: Mapped[int] = mapped_column(Integer)  # yuan, total price of one offer
    # Finance, investment, "elderly apartment" schemes: nobody may list here.
    forbidden: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_registration: Mapped[bool] = mapped_column(Boolean, default=False)  # health products
    home_service: Mapped[bool] = mapped_column(Boolean, default=False)  # paid per proven visit
    rule_text: Mapped[str] = mapped_column(Text, default="")  # shown to merchants


class Merchant(IdMixin, TimestampMixin, Base):
    __tablename__ = "market_merchant"

    name: Mapped[str] = mapped_column(String(100))
    licence_no: Mapped[str] = mapped_column(String(40))  # business licence (统一社会信用代码)
    phone: Mapped[str] = mapped_column(String(20), default="")
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    region_path: Mapped[str] = mapped_column(String(255), index=True)  # the bureau's scope
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)  # codes it may list in
    # Home services are delivered by a licensed home-care provider's caregivers, whose visits
    # are proven like the bureau's own (homecare.visits).
    homecare_provider_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("homecare_provider.id", ondelete="SET NULL"))
    status: Mapped[MerchantStatus] = mapped_column(
        str_enum(MerchantStatus, 16), default=MerchantStatus.APPLIED, index=True
    )
    decided_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_reason: Mapped[str] = mapped_column(Text, default="")


class MerchantStaff(IdMixin, Base):
    """Which merchant a merchant-staff account works for (one each): the tenancy boundary."""

    __tablename__ = "market_merchant_staff"

    merchant_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("market_merchant.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("staff.id", ondelete="CASCADE"), unique=True
    )


class Offer(IdMixin, TimestampMixin, Base):
    __tablename__ = "market_offer"

    merchant_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("market_merchant.id", ondelete="CASCADE"), index=True
    )
    category_code: Mapped[str] = mapped_column(String(32), index=True)
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"))
    region_path: Mapped[str] = mapped_column(String(255), index=True)  # elders below see it
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)  # plain words: what, how long, who comes
    price: Mapped[int] = mapped_column(Integer)  # yuan, everything included
    registration_no: Mapped[str] = mapped_column(String(60), default="")
    photo_key: Mapped[str] = mapped_column(String(100), default="")  # encrypted blob
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Order(IdMixin, TimestampMixin, Base):
    __tablename__ = "market_order"

    offer_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("market_offer.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("market_merchant.id"), index=True
    )
    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    region_path: Mapped[str] = mapped_column(String(255), index=True)  # the elder's community
    title: Mapped[str] = mapped_column(String(100))  # as bought (the offer may change later)
    category_code: Mapped[str] = mapped_column(String(32))
    price: Mapped[int] = mapped_column(Integer)
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, 16), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="phone")  # phone / helper
    placed_on: Mapped[date] = mapped_column(Date, index=True)  # the scheduler's local day
    cooling_off_until: Mapped[date] = mapped_column(Date)  # last day of one-tap cancel
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The home-care visit proof (or, for goods, the elder's "received"): "homecare:visit:12".
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fulfilment_ref: Mapped[str] = mapped_column(String(64), default="")
    paid_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1..5, the elder's
    alert_rules: Mapped[list[str]] = mapped_column(JSON, default=list)  # anti-scam rules hit


class Payment(IdMixin, Base):
    """Every movement of money through the gateway, successful or not."""

    __tablename__ = "market_payment"

    order_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("market_order.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PaymentKind] = mapped_column(str_enum(PaymentKind, 16))
    status: Mapped[PaymentStatus] = mapped_column(str_enum(PaymentStatus, 16))
    amount: Mapped[int] = mapped_column(Integer)
    gateway_ref: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(String(255), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SpendingLimit(IdMixin, TimestampMixin, Base):
    __tablename__ = "market_spending_limit"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    monthly_limit: Mapped[int] = mapped_column(Integer)  # yuan per calendar month
    status: Mapped[LimitStatus] = mapped_column(str_enum(LimitStatus, 16), index=True)
    set_by_staff: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))
    set_by_helper: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("family_helper.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the elder's own tap


class Complaint(IdMixin, TimestampMixin, Base):
    """Goes to the community and the bureau (never to the merchant), each with a deadline."""

    __tablename__ = "market_complaint"

    order_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("market_order.id", ondelete="CASCADE"), index=True
    )
    merchant_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("market_merchant.id"), index=True
    )
    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    region_path: Mapped[str] = mapped_column(String(255), index=True)
    reason: Mapped[str] = mapped_column(String(32))  # codes of policy.COMPLAINT_REASONS
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ComplaintStatus] = mapped_column(
        str_enum(ComplaintStatus, 16), default=ComplaintStatus.OPEN, index=True
    )
    community_due: Mapped[date] = mapped_column(Date)
    bureau_due: Mapped[date] = mapped_column(Date)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))


class CallReport(IdMixin, Base):
    """"The merchant phoned me": reported by the elder, family or a worker."""

    __tablename__ = "market_call_report"

    retiree_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("retiree.id", ondelete="CASCADE"), index=True
    )
    merchant_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("market_merchant.id", ondelete="CASCADE"), index=True
    )
    called_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_by: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("staff.id"))


class MarketAlert(IdMixin, Base):
    """A fraud alert raised by an anti-scam rule: the merchant's payouts wait while it is open."""

    __tablename__ = "market_alert"

    alert_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("fraud_alert.id", ondelete="CASCADE"), index=True
    )
    merchant_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("market_merchant.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("market_order.id", ondelete="SET NULL")
    )
    rule: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
