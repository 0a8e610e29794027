"""Labels and local-time helpers for the community and retiree pages (msgids, translated at
render time). Times are stored in UTC and shown in China Standard Time (UTC+8, no DST)."""

from __future__ import annotations

from datetime import datetime

from lifecert.certification import labels as cert_labels
from lifecert.community.casework import VerificationPlace
from lifecert.community.models import Attendance, EventKind, VisitStatus
from lifecert.core.errors import InvalidInput
from lifecert.core.i18n import N_
from lifecert.enrollment import labels as enrollment_labels
from lifecert.enrollment.models import TemplateStatus
from lifecert.system.clock import local_zone
from lifecert.web.formats import local_time

EVENT_KINDS = {
    EventKind.HEALTH_TALK: N_("Health talk"),
    EventKind.BIRTHDAY_PARTY: N_("Birthday party"),
    EventKind.CLASS: N_("Class"),
    EventKind.OUTING: N_("Outing"),
    EventKind.OTHER: N_("Other activity"),
}
ATTENDANCE = {Attendance.ATTENDED: N_("Attended"), Attendance.ABSENT: N_("Absent")}
VISIT_STATUS = {
    VisitStatus.PLANNED: N_("Planned"),
    VisitStatus.DONE: N_("Done"),
    VisitStatus.CANCELLED: N_("Cancelled"),
}
# The certification domain's registry (one per domain), re-exported for these pages.
OUTCOMES = cert_labels.OUTCOMES
MODES = cert_labels.MODES
CASE_STATUS = cert_labels.CASE_STATUS
TEMPLATE_STATUS = enrollment_labels.TEMPLATE_STATUS
PLACES = {VerificationPlace.HOME: N_("At home"), VerificationPlace.COUNTER: N_("At the counter")}


def form_time(value: datetime | None) -> str:
    """For <input type="datetime-local">."""
    return local_time(value, "%Y-%m-%dT%H:%M")


def parse_local(value: str, field: str) -> datetime:
    """A datetime-local form value, read in the region's time zone (as pages show it)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput("Give a valid date and time.", fields={field: "invalid"}) from exc
    return parsed.replace(tzinfo=local_zone()) if parsed.tzinfo is None else parsed


GLOBALS = {
    "event_kind_label": EVENT_KINDS.__getitem__,
    "attendance_label": ATTENDANCE.__getitem__,
    "visit_status_label": VISIT_STATUS.__getitem__,
    "outcome_label": OUTCOMES.__getitem__,
    "mode_label": MODES.__getitem__,
    "case_status_label": CASE_STATUS.__getitem__,
    "place_label": lambda p: PLACES.get(p, p),
    "template_status_label": lambda s: TEMPLATE_STATUS.get(TemplateStatus(s), s),
    "form_time": form_time,
}
