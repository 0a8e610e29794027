"""Trust rules of the face check that sit between the decision and its effect: presentation
attacks open a fraud case and hold every later pass for a person; challenges only for people
whose consent is active and whose route allows a face check."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.certification.models import Certification, Outcome
from lifecert.core.errors import Conflict
from lifecert.enrollment import service as enrollment
from lifecert.fraud import attacks
from lifecert.fraud.alerts import LinkSpec
from lifecert.fraud.models import LinkKind
from lifecert.retirees.models import CertRoute, Retiree

ATTACK_REASON = "presentation_attack"
HELD_REASON = "attack_case_open"


def ensure_face_check_allowed(session: Session, *, retiree: Retiree) -> None:
    """No face challenge without active biometric consent, nor for someone on the in-person
    route: the message names the human route (a worker verifies in person)."""
    if retiree.route != CertRoute.FACE:
        raise Conflict(
            "A face check is not used for this person. Your community verifies you in "
            "person instead: please call them or ask for a home visit."
        )
    if enrollment.active_consent(session, retiree_id=retiree.id) is None:
        raise Conflict(
            "A face check needs your consent first (open the phone page to agree). You can "
            "also ask your community to verify you in person instead."
        )


def apply_attack_rules(session: Session, *, certification: Certification) -> None:
    """A confident attack opens a fraud case (the attempt counts); a pass while any attack
    case is open or confirmed goes to review, with the cases linked."""
    if certification.reason == ATTACK_REASON:
        links = []
        if certification.helper_family_id is not None:
            links.append(LinkSpec(LinkKind.HELPER, str(certification.helper_family_id)))
        if certification.helper_staff_id is not None:
            links.append(LinkSpec(LinkKind.STAFF, str(certification.helper_staff_id)))
        alert = attacks.open_attack_case(
            session,
            retiree_id=certification.retiree_id,
            certification_id=certification.id,
            pad=certification.evidence.get("pad") or {},
            links=links,
        )
        certification.counts_as_attempt = True
        certification.evidence = {**certification.evidence, "attack_cases": [alert.id]}
        audit.record(
            session,
            actor=None,
            action="certification.attack_case_opened",
            target_type="retiree",
            target_id=certification.retiree_id,
            details={"certification_id": certification.id, "alert_id": alert.id},
        )
        return
    if certification.outcome != Outcome.CERTIFIED:
        return
    cases = attacks.blocking_attack_cases(session, retiree_id=certification.retiree_id)
    if cases:
        certification.outcome, certification.reason = Outcome.REVIEW, HELD_REASON
        certification.evidence = {**certification.evidence, "attack_cases": cases}


def ensure_no_open_attack_case(session: Session, *, retiree_id: int) -> None:
    """A reviewer may not certify someone while an attack case about them is undecided."""
    if attacks.blocking_attack_cases(session, retiree_id=retiree_id, confirmed_too=False):
        raise Conflict(
            "An attack case about this person is open: decide the fraud alert first."
        )
