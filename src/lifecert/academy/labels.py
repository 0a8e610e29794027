"""Display labels of the senior university (msgids, translated when shown); pages call
``academy_label(kind, code)``. ``tests/academy/test_labels.py`` checks every code has one."""

from __future__ import annotations

from enum import StrEnum

from lifecert.academy.models import (
    ApplicationStatus,
    AttendanceMethod,
    EnrolmentStatus,
    InstitutionRole,
    LessonStatus,
    TermStatus,
)
from lifecert.core.i18n import N_

LABELS: dict[type[StrEnum], dict[str, str]] = {
    InstitutionRole: {
        InstitutionRole.ADMIN: N_("Administrator"),
        InstitutionRole.REGISTRAR: N_("Registrar"),
        InstitutionRole.TEACHER: N_("Teacher"),
    },
    TermStatus: {
        TermStatus.PLANNING: N_("Planning"),
        TermStatus.APPLYING: N_("Applications open"),
        TermStatus.DRAWN: N_("Lottery drawn"),
        TermStatus.RUNNING: N_("Classes running"),
        TermStatus.CLOSED: N_("Closed"),
    },
    ApplicationStatus: {
        ApplicationStatus.AWAITING_CONFIRMATION: N_("Waiting for your confirmation"),
        ApplicationStatus.APPLIED: N_("Applied, waiting for the lottery"),
        ApplicationStatus.WON: N_("Place won"),
        ApplicationStatus.WAITLISTED: N_("On the waiting list"),
        ApplicationStatus.OVER_LIMIT: N_("Not drawn: you have the most courses allowed"),
        ApplicationStatus.WITHDRAWN: N_("Withdrawn"),
    },
    EnrolmentStatus: {
        EnrolmentStatus.OFFERED: N_("Place offered: please accept"),
        EnrolmentStatus.ACCEPTED: N_("Enrolled"),
        EnrolmentStatus.DECLINED: N_("Declined"),
        EnrolmentStatus.EXPIRED: N_("Not accepted in time"),
        EnrolmentStatus.WITHDRAWN: N_("Left the class"),
    },
    AttendanceMethod: {
        AttendanceMethod.FACE: N_("Face at the door"),
        AttendanceMethod.QR: N_("QR code"),
        AttendanceMethod.ROLL_CALL: N_("Roll call"),
    },
    LessonStatus: {
        LessonStatus.UPLOADED: N_("Uploaded"),
        LessonStatus.TRANSCODING: N_("Being prepared"),
        LessonStatus.READY: N_("Ready to watch"),
        LessonStatus.FAILED: N_("Could not be converted"),
    },
}


def academy_label(code: StrEnum) -> str:
    """The msgid for an academy code (templates translate it with ``_``)."""
    return LABELS[type(code)][code]

