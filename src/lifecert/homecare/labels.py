"""Display labels of the home-care domain (msgids, translated at render time)."""

from __future__ import annotations

from lifecert.core.i18n import N_, gettext
from lifecert.homecare.models import (
    OrderStatus,
    ProviderStatus,
    SettlementStatus,
    Visit,
    VisitStatus,
)

PROVIDER_STATUS = {
    ProviderStatus.PENDING: N_("Awaiting approval"),
    ProviderStatus.APPROVED: N_("Approved"),
    ProviderStatus.SUSPENDED: N_("Suspended"),
}
ORDER_STATUS = {
    OrderStatus.SCHEDULED: N_("Scheduled"),
    OrderStatus.IN_PROGRESS: N_("In progress"),
    OrderStatus.DONE: N_("Done"),
    OrderStatus.CANCELLED: N_("Cancelled"),
}
VISIT_STATUS = {
    VisitStatus.OPEN: N_("Not started"),
    VisitStatus.CHECKED_IN: N_("Checked in"),
    VisitStatus.COMPLETED: N_("Completed"),
    VisitStatus.CANCELLED: N_("Cancelled"),
}
SETTLEMENT_STATUS = {
    SettlementStatus.DRAFT: N_("Prepared, awaiting a second officer"),
    SettlementStatus.SIGNED: N_("Signed off"),
}
RULES = {
    "short_visit": N_("Shorter than the service minimum"),
    "far_checkin": N_("Checked in far from the home"),
    "elder_unavailable": N_("Elder dead, suspended or in hospital"),
    "caregiver_overlap": N_("Caregiver in two visits at once"),
    "reused_photo": N_("Photo reused from another visit"),
    "elder_face": N_("Elder's face not verified"),
    "worker_face": N_("Caregiver's face not verified"),
    "outside_area": N_("Outside the provider's area"),
}


def visit_state_label(visit: Visit | None) -> str:
    """One line a caregiver reads: where the visit stands and whether it will be paid."""
    if visit is None:
        return gettext("No caregiver assigned")
    if visit.status == VisitStatus.COMPLETED:
        if visit.billable:
            return gettext("Completed: proof accepted")
        if visit.needs_confirmation and visit.confirmed_at is None:
            return gettext("Completed: waiting for the community to confirm")
        return gettext("Completed: under review, not billable")
    if visit.status == VisitStatus.OPEN and visit.worker_verdict == "match":
        return gettext("Your face is checked: now the elder's")
    return gettext(VISIT_STATUS[visit.status])
