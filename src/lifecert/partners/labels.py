"""Words for partner scopes, event types and delivery states (zh-CN first, via gettext)."""

from __future__ import annotations

from lifecert.core.i18n import N_
from lifecert.partners.models import DeliveryStatus, EventType, PartnerScope

SCOPE_LABELS: dict[PartnerScope, str] = {
    PartnerScope.READ_STATUS: N_("Read certification status"),
    PartnerScope.PUSH_SIGNALS: N_("Push life signals"),
    PartnerScope.PUSH_DEATHS: N_("Push deaths"),
    PartnerScope.EXPORT_PAYMENTS: N_("Export payment changes"),
    PartnerScope.START_CERTIFICATION: N_("Start a certification"),
}

EVENT_LABELS: dict[EventType, str] = {
    EventType.CERTIFIED: N_("Certified"),
    EventType.SUSPENDED: N_("Suspended"),
    EventType.RESUMED: N_("Resumed"),
    EventType.DEATH_RECORDED: N_("Death recorded"),
    EventType.REVIEW_DECIDED: N_("Review decided"),
}

DELIVERY_LABELS: dict[DeliveryStatus, str] = {
    DeliveryStatus.PENDING: N_("Waiting to be sent"),
    DeliveryStatus.DELIVERED: N_("Delivered"),
    DeliveryStatus.DEAD: N_("Failed for 24 hours"),
}
