"""Display labels of the enrollment domain (msgids, translated at render time)."""

from __future__ import annotations

from lifecert.core.i18n import N_
from lifecert.enrollment.models import ReviewReason, TemplateStatus

REVIEW_REASONS = {
    ReviewReason.DUPLICATE_IDENTITY: N_("Face also on file for another person"),
    ReviewReason.FIRST_CERTIFICATION: N_("First certification: the face becomes a reference"),
}
TEMPLATE_STATUS = {
    TemplateStatus.ACTIVE: N_("In use"),
    TemplateStatus.PENDING_REVIEW: N_("Awaiting a check"),
    TemplateStatus.REJECTED: N_("Not used (rejected)"),
}


def review_reason_label(reason: ReviewReason | str) -> str:
    return REVIEW_REASONS.get(ReviewReason(reason), str(reason))
