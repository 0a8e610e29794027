"""Words for the marketplace pages (English msgids, translated when shown)."""

from __future__ import annotations

from lifecert.core.i18n import N_, gettext
from lifecert.marketplace.models import (
    ComplaintStatus,
    LimitStatus,
    MerchantStatus,
    OrderStatus,
)
from lifecert.marketplace.policy import COMPLAINT_REASONS

ORDER_STATUS = {
    OrderStatus.PAID: N_("Paid; you can still cancel"),
    OrderStatus.PAYMENT_FAILED: N_("Payment did not go through"),
    OrderStatus.CANCELLED: N_("Cancelled, money returned"),
    OrderStatus.PAID_OUT: N_("Done"),
}
MERCHANT_STATUS = {
    MerchantStatus.APPLIED: N_("Waiting for the bureau"),
    MerchantStatus.APPROVED: N_("Approved"),
    MerchantStatus.REFUSED: N_("Refused"),
    MerchantStatus.SUSPENDED: N_("Suspended"),
}
COMPLAINT_STATUS = {
    ComplaintStatus.OPEN: N_("Open"),
    ComplaintStatus.ANSWERED: N_("Answered"),
}
LIMIT_STATUS = {
    LimitStatus.PENDING: N_("Waiting for the elder"),
    LimitStatus.ACTIVE: N_("In force"),
    LimitStatus.REFUSED: N_("Not agreed"),
}
COMPLAINT_ICONS = {"no_show": "🚪", "poor_service": "👎", "overcharged": "💰",
                   "pressure": "⚠️", "other": "✉️"}


def market_label(value: object) -> str:
    for table in (ORDER_STATUS, MERCHANT_STATUS, COMPLAINT_STATUS, LIMIT_STATUS):
        if value in table:
            return gettext(table[value])  # type: ignore[index]
    return str(value)


def complaint_reason(code: str) -> str:
    return gettext(COMPLAINT_REASONS.get(code, code))


GLOBALS = {
    "market_label": market_label,
    "complaint_reason": complaint_reason,
    "complaint_reasons": COMPLAINT_REASONS,
    "complaint_icons": COMPLAINT_ICONS,
}
