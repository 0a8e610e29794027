"""Certification services: the face check end to end, non-face verification, review, appeals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.certification import decide, face_proof, templates, trust
from lifecert.certification.budget import check_frame_budget
from lifecert.certification.challenges import claim_challenge
from lifecert.certification.cycle import mark_certified
from lifecert.certification.models import (
    CaseStatus,
    Certification,
    CertMode,
    ChallengeSession,
    Outcome,
    ReviewCase,
    ReviewSource,
)
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, LifeCertError, NotFound
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.core.workpool import run_face_work
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import FaceTemplate, TemplateSource, TemplateStatus
from lifecert.fraud import deaths
from lifecert.retirees.models import CertRoute, CertState, Retiree
from lifecert.retirees.service import get_retiree
from lifecert.system.clock import scheduler_today

log = decide.log


def certify_with_face(
    session: Session,
    *,
    nonce: str,
    client_binding: str,
    frames: Sequence[decide.Frame],
    context: decide.Context,
    today: date | None = None,
) -> Certification:
    """Claim the challenge (once), check the frames, decide, and record everything."""
    decide.check_upload_limits(frames)
    challenge = claim_challenge(session, nonce=nonce, client_binding=client_binding)
    return certify_claimed(
        session, challenge_id=challenge.id, frames=frames, context=context, today=today
    )


def certify_claimed(
    session: Session,
    *,
    challenge_id: int,
    frames: Sequence[decide.Frame],
    context: decide.Context,
    today: date | None = None,
) -> Certification:
    """Check the frames of an already claimed challenge, decide, and record everything. The
    face work runs on the bounded pool (``core.workpool``)."""
    decide.check_upload_limits(frames)
    challenge = session.get_one(ChallengeSession, challenge_id)
    check_frame_budget(challenge, len(frames))
    retiree = session.get_one(Retiree, challenge.retiree_id)
    decide.ensure_tries_left(session, retiree.id)
    decide.ensure_helper_and_device_limits(session, challenge, context.ip)
    certification = Certification(
        retiree_id=retiree.id,
        challenge_id=challenge.id,
        mode=challenge.mode,
        outcome=Outcome.SYSTEM_FAULT,
        helper_staff_id=challenge.helper_staff_id,
        helper_family_id=challenge.helper_family_id,
        device=context.device[:200],
        ip=context.ip[:64],
        latitude=context.latitude,
        longitude=context.longitude,
        evidence={
            "challenge": {
                "actions": challenge.actions,
                "issued_at": challenge.issued_at.isoformat(),
            }
        },
    )
    live = None
    try:
        outcome, reason, evidence, live, _decoded, best = run_face_work(
            decide.evaluate, session, challenge=challenge, retiree=retiree, frames=frames
        )
        certification.outcome, certification.reason = outcome, reason
        certification.evidence = {**certification.evidence, **evidence}
        certification.frame_keys = decide.store_frames(
            frames, decide.evidence_frames(evidence, best)
        )
        certification.frames_purge_after = decide.frames_purge_after()
    except LifeCertError:
        raise  # the user's input was bad: a clear 4xx, nothing recorded
    except Exception as exc:  # our fault: recorded, never counted against the retiree
        log.exception("certification_system_fault", retiree_id=retiree.id)
        certification.reason = f"system:{type(exc).__name__}"
        certification.counts_as_attempt = False
    session.add(certification)
    session.flush()
    _hold_if_deceased(session, certification, retiree)
    trust.apply_attack_rules(session, certification=certification)
    decide.finish(
        session,
        certification=certification,
        retiree=retiree,
        live=live,
        today=today or scheduler_today(session),
    )
    audit.record(
        session,
        actor=None,
        action="certification.decided",
        target_type="retiree",
        target_id=retiree.id,
        details=_audit_details(certification),
    )
    return certification


def _hold_if_deceased(session: Session, certification: Certification, retiree: Retiree) -> None:
    """A check for someone registered as dead is never accepted automatically: it is the
    strongest fraud signal, or a death record made in error (then a person restores them)."""
    if not deaths.is_deceased_on(session, retiree.id, date.today()):
        return
    deaths.alert_certified_after_death(
        session,
        retiree_id=retiree.id,
        certified_at=certification.created_at,
        reference=f"certification #{certification.id}",
    )
    if certification.outcome in (Outcome.CERTIFIED, Outcome.RETRY):
        certification.outcome, certification.reason = Outcome.REVIEW, "after_death"


def _audit_details(certification: Certification) -> dict[str, object]:
    """What the audit trail keeps of a decision: no frames, no vectors, no ID numbers."""
    matching = certification.evidence.get("matching") or {}
    best = matching.get("deciding_template") or {}
    return {
        "certification_id": certification.id,
        "outcome": certification.outcome.value,
        "reason": certification.reason,
        "mode": certification.mode.value,
        "helper_staff_id": certification.helper_staff_id,
        "helper_family_id": certification.helper_family_id,
        "ip": certification.ip,
        "distance": best.get("distance"),
        "template_id": best.get("template_id"),
        "model_id": matching.get("model_id"),
    }


def get_certification(session: Session, *, actor: Actor, certification_id: int) -> Certification:
    certification = session.get(Certification, certification_id)
    if certification is None:
        raise NotFound("No such certification.")
    get_retiree(session, actor=actor, retiree_id=certification.retiree_id)  # scope check
    return certification


def history(session: Session, *, actor: Actor, retiree_id: int) -> Sequence[Certification]:
    retiree = get_retiree(session, actor=actor, retiree_id=retiree_id)
    return session.scalars(
        select(Certification)
        .where(Certification.retiree_id == retiree.id)
        .order_by(Certification.created_at.desc())
        .limit(100)
    ).all()


def record_non_face(
    session: Session,
    *,
    actor: Actor,
    retiree_id: int,
    reason: str,
    latitude: float | None = None,
    longitude: float | None = None,
    place: str = "",
    evidence_note: str = "",
) -> ReviewCase:
    """A worker saw the person in person (face impossible, no consent...): an officer approves.
    ``place`` (home / counter) and ``evidence_note`` (what was seen: ID card, neighbours...) are
    kept with the statement for the reviewer."""
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    if len(reason.strip()) < 4:
        raise InvalidInput("Describe how you verified the person (at least a few words).")
    evidence: dict[str, object] = {"statement": reason.strip()[:2000]}
    if place:
        evidence["place"] = place[:32]
    if evidence_note.strip():
        evidence["evidence_note"] = evidence_note.strip()[:2000]
    certification = Certification(
        retiree_id=retiree.id,
        mode=CertMode.NON_FACE,
        outcome=Outcome.REVIEW,
        reason="non_face",
        helper_staff_id=actor.staff_id or None,
        latitude=latitude,
        longitude=longitude,
        evidence=evidence,
        counts_as_attempt=False,
    )
    session.add(certification)
    session.flush()
    case = ReviewCase(
        certification_id=certification.id,
        source=ReviewSource.NON_FACE,
        summary=reason.strip()[:2000],
    )
    session.add(case)
    retiree.cert_state = CertState.UNDER_REVIEW
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="certification.non_face_recorded",
        target_type="retiree",
        target_id=retiree.id,
        details={"certification_id": certification.id},
    )
    return case


def appeal(session: Session, *, certification: Certification, statement: str) -> ReviewCase:
    """The retiree or family disagree with a refusal: the same review queue."""
    if certification.outcome not in (Outcome.RETRY, Outcome.REJECTED):
        raise Conflict("Only a refused check can be appealed.")
    if len(statement.strip()) < 2:
        raise InvalidInput("Tell us briefly what happened.")
    existing = session.scalar(
        select(ReviewCase).where(
            ReviewCase.certification_id == certification.id, ReviewCase.status == CaseStatus.OPEN
        )
    )
    if existing is not None:
        return existing
    case = ReviewCase(
        certification_id=certification.id,
        source=ReviewSource.APPEAL,
        summary=statement.strip()[:2000],
    )
    session.add(case)
    session.flush()
    audit.record(
        session,
        actor=None,
        action="certification.appealed",
        target_type="retiree",
        target_id=certification.retiree_id,
        details={"certification_id": certification.id},
    )
    return case


def decide_case(
    session: Session,
    *,
    actor: Actor,
    case_id: int,
    decision: CaseStatus,
    note: str = "",
    today: date | None = None,
) -> ReviewCase:
    """Approve (the person is certified), reject, or ask for a home visit."""
    actor.require(Permission.READ_FULL_ID_NUMBER)  # bureau officers and admins
    case = session.get(ReviewCase, case_id)
    if case is None:
        raise NotFound("No such review.")
    certification = get_certification(session, actor=actor, certification_id=case.certification_id)
    if case.status != CaseStatus.OPEN:
        raise Conflict("This review was already decided.")
    if decision == CaseStatus.OPEN:
        raise InvalidInput("Choose approve, reject or home visit.")
    if decision == CaseStatus.REJECTED and len(note.strip()) < 2:
        raise InvalidInput("Give the reason for the rejection; the person will be told.")
    if decision == CaseStatus.APPROVED:
        trust.ensure_no_open_attack_case(session, retiree_id=certification.retiree_id)
    case.status, case.decided_by, case.decided_at = decision, actor.staff_id, utcnow()
    case.decision_note = note.strip()[:2000]
    retiree = session.get_one(Retiree, certification.retiree_id)
    templates.settle_first_face(
        session, actor=actor, certification=certification,
        approved=decision == CaseStatus.APPROVED,
    )
    if decision == CaseStatus.APPROVED:
        certification.outcome = Outcome.CERTIFIED
        today = today or scheduler_today(session)
        mark_certified(session, retiree=retiree, certification=certification, today=today)
    else:
        if decision == CaseStatus.REJECTED:
            certification.outcome = Outcome.REJECTED
        _restore_state(retiree, today or scheduler_today(session))
    audit.record(
        session,
        actor=actor,
        action="certification.review_decided",
        target_type="retiree",
        target_id=retiree.id,
        details={
            "case_id": case.id,
            "decision": decision.value,
            "certification_id": certification.id,
        },
    )
    return case


def _restore_state(retiree: Retiree, today: date) -> None:
    """Leave review: back to what the dates say (the nightly job takes it from there)."""
    if retiree.cert_state != CertState.UNDER_REVIEW:
        return
    if retiree.valid_until is None:
        retiree.cert_state = CertState.NEVER
    elif retiree.valid_until < today:
        retiree.cert_state = CertState.OVERDUE
    else:
        retiree.cert_state = CertState.CERTIFIED


def open_cases(
    session: Session, *, actor: Actor, limit: int = 200
) -> Sequence[tuple[ReviewCase, Certification, Retiree]]:
    from lifecert.core.scoping import scope_filter
    from lifecert.organisation.models import Region

    actor.require(Permission.READ_FULL_ID_NUMBER)
    rows = session.execute(
        select(ReviewCase, Certification, Retiree)
        .join(Certification, ReviewCase.certification_id == Certification.id)
        .join(Retiree, Certification.retiree_id == Retiree.id)
        .join(Region, Retiree.community_id == Region.id)
        .where(
            ReviewCase.status == CaseStatus.OPEN,
            scope_filter(actor, Permission.READ_RETIREES, Region.path),
        )
        .order_by(ReviewCase.created_at)
        .limit(limit)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def route_of(retiree: Retiree) -> CertRoute:
    return retiree.route


# Face proof for other domains (a care visit, a home-service order): the same checks as a
# certification, nothing recorded here; the caller keeps the evidence.
ProofFrame = decide.Frame
ProofReference = face_proof.Reference
FaceProof = face_proof.FaceProof


def face_references(session: Session, *, retiree_id: int) -> list[face_proof.Reference]:
    """The retiree's active face templates, decrypted, as references for :func:`prove_face`."""
    rows = session.scalars(select(FaceTemplate).where(
        FaceTemplate.retiree_id == retiree_id, FaceTemplate.status == TemplateStatus.ACTIVE))
    return [face_proof.Reference(enrollment.decrypt_template(t), f"template:{t.id}",
                                 aged=t.source == TemplateSource.ID_PHOTO_IMPORT) for t in rows]


def prove_face(
    frames: Sequence[decide.Frame],
    references: Sequence[face_proof.Reference],
    *,
    actions: Sequence[str] = (),
    nonce: str = "",
    ttl_s: float = 180.0,
) -> face_proof.FaceProof:
    """Check a clip against references on the bounded face-work pool (see
    ``certification.face_proof``); upload limits as for a certification."""
    decide.check_upload_limits(frames)
    return run_face_work(face_proof.check_face, frames, references, actions=actions,
                         nonce=nonce, ttl_s=ttl_s)
