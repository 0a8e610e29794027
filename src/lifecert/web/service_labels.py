"""Words for the services pages (English msgids, translated when shown)."""

from __future__ import annotations

from lifecert.core.i18n import N_, gettext
from lifecert.services.models import ApplicationStatus, ServiceCategory

CATEGORY = {
    ServiceCategory.SOCIAL_INSURANCE: N_("Social insurance"),
    ServiceCategory.MEDICAL_INSURANCE: N_("Medical insurance"),
    ServiceCategory.HOUSEHOLD: N_("Household registration"),
    ServiceCategory.CIVIL_AFFAIRS: N_("Civil affairs welfare"),
    ServiceCategory.ALLOWANCE: N_("Allowances"),
}
STATUS = {
    ApplicationStatus.SUBMITTED: N_("Submitted, waiting for the community"),
    ApplicationStatus.MORE_INFO: N_("The community needs more from you"),
    ApplicationStatus.APPROVED: N_("Approved"),
    ApplicationStatus.REFUSED: N_("Not approved"),
    ApplicationStatus.WITHDRAWN: N_("Withdrawn"),
}
FIELDS = {
    "name": N_("Name"),
    "id_number": N_("ID number"),
    "birth_date": N_("Birth date"),
    "age": N_("Age"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "community": N_("Community"),
}


def category_label(category: ServiceCategory) -> str:
    return gettext(CATEGORY[category])


def application_status_label(status: ApplicationStatus) -> str:
    return gettext(STATUS[status])


def form_field_label(name: str) -> str:
    return gettext(FIELDS[name]) if name in FIELDS else name


def check_text(message: str, params: tuple[tuple[str, str], ...]) -> str:
    """An eligibility rule's sentence (brace parameters, as the service wrote them)."""
    return gettext(message, **dict(params))


GLOBALS = {
    "check_text": check_text,
    "category_label": category_label,
    "application_status_label": application_status_label,
    "form_field_label": form_field_label,
}
