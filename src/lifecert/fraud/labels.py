"""Display of an alert's evidence (msgids, translated at render time): a label for each
evidence key and link kind, and values a person reads: rule codes as the alert kind's label,
times in the region's time zone to the minute, lists joined."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lifecert.core.i18n import N_, gettext
from lifecert.fraud.alerts import KIND_LABELS
from lifecert.fraud.models import AlertKind, LinkKind
from lifecert.system.clock import local_zone

EVIDENCE_LABELS = {
    "rule": N_("Rule"),
    "value": N_("Shared value (masked)"),
    "count": N_("Number"),
    "threshold": N_("Threshold"),
    "communities": N_("Communities"),
    "distinct_retirees": N_("Different retirees"),
    "window": N_("Period"),
    "who": N_("Who"),
    "assisted_retirees": N_("Retirees helped"),
    "peer_median": N_("Median of other workers"),
    "minutes": N_("Within minutes"),
    "first": N_("First check"),
    "last": N_("Last check"),
    "local_time": N_("Local time"),
    "certification_id": N_("Certification no."),
    "night": N_("Night hours"),
    "context": N_("Found during"),
    "distance": N_("Face distance"),
    "retiree_id": N_("Retiree no."),
    "other_retiree_id": N_("Other retiree no."),
    "template_id": N_("Face template no."),
    "other_template_id": N_("Other face template no."),
    "date_of_death": N_("Date of death"),
    "certified_at": N_("Certified at"),
    "reference": N_("Reference"),
    # marketplace rules
    "buyers": N_("Different elders"),
    "hours": N_("Within hours"),
    "orders": N_("Orders"),
    "complaints": N_("Complaints"),
    "cancelled": N_("Cancelled"),
    "days": N_("Days"),
    "price": N_("Price (yuan)"),
    "cap": N_("Price cap (yuan)"),
    "median_elsewhere": N_("Usual price elsewhere (yuan)"),
    "hours_since_call": N_("Hours since the call"),
    "month_spend": N_("Spent this month (yuan)"),
    "usual_month": N_("Usual month (yuan)"),
    "floor": N_("Floor (yuan)"),
    "merchant": N_("Merchant"),
    "order_id": N_("Order no."),
    "check": N_("Home-care rule"),
    "provider": N_("Provider"),
    "month": N_("Month"),
    "visits": N_("Visits"),
}
CONTEXTS = {
    "enrollment": N_("Enrollment"),
    "certification": N_("Certification"),
    "sweep": N_("Nightly sweep"),
}
LINK_LABELS = {
    LinkKind.RETIREE: N_("Retiree"),
    LinkKind.HELPER: N_("Family helper"),
    LinkKind.DEVICE: N_("Device"),
    LinkKind.IP: N_("Network address"),
    LinkKind.STAFF: N_("Staff member"),
    LinkKind.MERCHANT: N_("Merchant"),
}


def _value(key: str, value: Any) -> str:
    if key == "rule" and value in set(AlertKind):
        return gettext(KIND_LABELS[AlertKind(value)])
    if key == "context":
        return gettext(CONTEXTS.get(value, str(value)))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, str) and len(value) > 10 and value[:4].isdigit() and "T" in value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(local_zone())
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for each evidence entry, in the page's language; an unknown key keeps its
    name (the zh-CN page check then names it)."""
    return [
        (gettext(EVIDENCE_LABELS.get(key, key)), _value(key, value))
        for key, value in sorted(evidence.items())
    ]


def link_label(kind: LinkKind | str) -> str:
    return gettext(LINK_LABELS.get(LinkKind(kind), str(kind)))
