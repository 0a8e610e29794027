"""Display labels of the certification domain (msgids, translated at render time): outcomes,
modes, the reasons behind a decision, and the codes of its evidence (match decisions, template
sources, presentation-attack decisions and signals). Templates call ``cert_label``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lifecert.certification.models import (
    CaseStatus,
    CertMode,
    Outcome,
    PaymentAction,
    ReviewSource,
)
from lifecert.core.i18n import N_
from lifecert.enrollment.models import TemplateSource

OUTCOMES = {
    Outcome.CERTIFIED: N_("Certified"),
    Outcome.RETRY: N_("Try again"),
    Outcome.REVIEW: N_("Manual review"),
    Outcome.SYSTEM_FAULT: N_("System fault"),
    Outcome.REJECTED: N_("Rejected"),
}
MODES = {
    CertMode.SELF: N_("Own phone"),
    CertMode.PROXY: N_("Family helper's phone"),
    CertMode.HOME_VISIT: N_("Home visit"),
    CertMode.COUNTER: N_("At the counter"),
    CertMode.NON_FACE: N_("In person, without face check"),
    CertMode.SILENT: N_("Silent, from other records"),
}
CASE_STATUS = {
    CaseStatus.OPEN: N_("Awaiting review"),
    CaseStatus.APPROVED: N_("Approved"),
    CaseStatus.REJECTED: N_("Rejected"),
    CaseStatus.HOME_VISIT: N_("Home visit requested"),
}
PAYMENT_ACTIONS = {
    PaymentAction.SUSPEND: N_("Payment suspended"),
    PaymentAction.RESUME: N_("Payment resumed"),
    PaymentAction.HOLD: N_("Payment on hold"),
}
REASONS = {
    "match": N_("Face matches"),
    "presentation_attack": N_("Possible photo or screen attack"),
    "liveness": N_("Actions not seen"),
    "quality": N_("Picture quality"),
    "possible_duplicate": N_("Face also on file for another person"),
    "no_reference": N_("No reference photo on file"),
    "pad_uncertain": N_("Attack check uncertain"),
    "uncertain_match": N_("Face match uncertain"),
    "face_mismatch": N_("Face does not match"),
    "after_death": N_("Checked after a registered death"),
    "non_face": N_("Verified in person"),
    "certified": N_("Certified"),
    "death registered": N_("Death registered"),
    "death reported: on hold until an officer approves": N_(
        "Death reported: on hold until an officer approves"
    ),
    "death report reversed": N_("Death report reversed"),
    "attack_case_open": N_("An attack case is open: a person decides"),
    "silent": N_("Certified from other records"),
    "not certified after the grace period": N_("Not certified after the grace period"),
    "system": N_("System fault (not counted)"),
}
MATCH_DECISIONS = {"accept": N_("Match"), "review": N_("Uncertain"), "reject": N_("No match")}
TEMPLATE_SOURCES = {
    TemplateSource.ID_PHOTO_IMPORT: N_("ID photo import"),
    TemplateSource.STAFF_CAPTURE: N_("Taken by staff"),
    TemplateSource.CERTIFICATION: N_("From a certification"),
    TemplateSource.FIRST_CERTIFICATION: N_("Approved first certification"),
}
PAD_DECISIONS = {"live": N_("Live person"), "uncertain": N_("Uncertain"), "attack": N_("Attack")}
PAD_SIGNALS = {
    "pad_too_few_faces": N_("Too few faces to judge"),
    "texture_attack": N_("Texture of a photo or screen"),
    "texture_uncertain": N_("Texture uncertain"),
    "multi_face": N_("A second face in the pictures"),
    "rigid_motion": N_("Face moves with its surroundings"),
}
PASSED = {True: N_("passed"), False: N_("not passed")}
REVIEW_SOURCES = {
    ReviewSource.AUTOMATIC: N_("Sent by the system"),
    ReviewSource.APPEAL: N_("Appeal"),
    ReviewSource.NON_FACE: N_("In-person verification"),
}

REGISTRY: dict[str, Mapping[Any, str]] = {
    "outcome": OUTCOMES,
    "mode": MODES,
    "case": CASE_STATUS,
    "payment": PAYMENT_ACTIONS,
    "reason": REASONS,
    "match": MATCH_DECISIONS,
    "source": TEMPLATE_SOURCES,
    "pad": PAD_DECISIONS,
    "signal": PAD_SIGNALS,
    "passed": PASSED,
    "review_source": REVIEW_SOURCES,
}


def cert_label(kind: str, code: object) -> str:
    """The msgid for ``code`` of ``kind`` (translate with ``_``). A system fault's reason
    carries the exception name after ``system:``; an unknown code comes back as it is (the
    zh-CN page check then names it)."""
    if kind == "reason" and isinstance(code, str) and code.startswith("system:"):
        code = "system"
    return REGISTRY[kind].get(code, str(code))
