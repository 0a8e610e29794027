"""Display labels for enums (msgids, translated at render time)."""

from __future__ import annotations

from datetime import date

from lifecert.core.i18n import N_
from lifecert.core.roles import Role
from lifecert.retirees.models import CertState
from lifecert.system.clock import local_now

ROLE_LABELS = {
    Role.PLATFORM_ADMIN: N_("Platform administrator"),
    Role.BUREAU_OFFICER: N_("Bureau officer"),
    Role.COMMUNITY_WORKER: N_("Community worker"),
    Role.PROVIDER_STAFF: N_("Home-care provider"),
    Role.ACADEMY_STAFF: N_("Senior university"),
    Role.PARTNER: N_("Partner system"),
    Role.MERCHANT_STAFF: N_("Marketplace merchant"),
}

STATE_LABELS = {
    CertState.NEVER: N_("Never certified"),
    CertState.CERTIFIED: N_("Certified"),
    CertState.DUE_SOON: N_("Due soon"),
    CertState.OVERDUE: N_("Overdue"),
    CertState.UNDER_REVIEW: N_("Under review"),
}


def role_label(role: Role) -> str:
    return ROLE_LABELS[role]


def state_label(state: CertState) -> str:
    return STATE_LABELS[state]


def age(birth: date, today: date | None = None) -> int:
    today = today or local_now().date()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
