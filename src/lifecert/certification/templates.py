"""Reference faces that come from certifications, under rules kept as data:

- a *refresh* (the live face of an automatic pass becomes a reference) only from a clean pass:
  PAD "live", liveness passed, a distance below ``(1 - refresh_margin)`` × the model's accept
  threshold, never from a family helper's phone; at most ``refresh_max_templates`` of them per
  person (the oldest go), beside the enrolled ones; each one audited;
- a *first certification* without any reference keeps its live face as a pending template;
  the officer who approves the review makes it the person's reference ("approved first
  certification"), audited; a rejection discards it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.certification.models import Certification, CertMode, Outcome
from lifecert.core.crypto import get_keyring
from lifecert.core.scoping import Actor
from lifecert.core.settings import get_settings
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import FaceTemplate, TemplateSource, TemplateStatus
from lifecert.face_engine import Embedding

FIRST_PROVENANCE = "approved first certification"


@dataclass(frozen=True)
class RefreshPolicy:
    max_templates: int  # refresh templates kept per person, newest first
    margin: float  # how far inside the accept distance a pass must be (a fraction of it)

    @classmethod
    def from_settings(cls) -> RefreshPolicy:
        settings = get_settings().certification
        limit = settings.refresh_max_templates if settings.add_fresh_template else 0
        return cls(max_templates=limit, margin=settings.refresh_margin)


def refresh_refusal(policy: RefreshPolicy, certification: Certification) -> str | None:
    """Why this certification may not become a reference (None: it may). Pure."""
    evidence = certification.evidence
    best = (evidence.get("matching") or {}).get("deciding_template") or {}
    if policy.max_templates <= 0:
        return "refresh_off"
    if certification.outcome != Outcome.CERTIFIED or certification.reason != "match":
        return "not_an_automatic_pass"
    if certification.mode == CertMode.PROXY or certification.helper_family_id is not None:
        return "helper_phone"
    if (evidence.get("pad") or {}).get("decision") != "live":
        return "pad_not_clean"
    if not (evidence.get("liveness") or {}).get("passed"):
        return "no_liveness"
    accept = (best.get("thresholds") or {}).get("accept")
    if best.get("distance") is None or accept is None:
        return "no_match_evidence"
    if not float(best["distance"]) < float(accept) * (1.0 - policy.margin):
        return "margin"
    return None


def refresh_from(
    session: Session, *, certification: Certification, live: Embedding | None
) -> FaceTemplate | None:
    """Add the live face as a refresh reference when the policy allows; keep the newest K."""
    policy = RefreshPolicy.from_settings()
    refusal = refresh_refusal(policy, certification)
    retiree_id = certification.retiree_id
    if refusal is not None or live is None:
        return None
    if enrollment.active_consent(session, retiree_id=retiree_id) is None:
        return None
    template = _new_template(session, retiree_id, live, TemplateSource.CERTIFICATION,
                             TemplateStatus.ACTIVE, device="certification")
    dropped = _keep_newest(session, retiree_id, policy.max_templates)
    audit.record(
        session,
        actor=None,
        action="template.refreshed",
        target_type="face_template",
        target_id=template.id,
        details={
            "retiree_id": retiree_id,
            "certification_id": certification.id,
            "distance": ((certification.evidence.get("matching") or {})
                         .get("deciding_template") or {}).get("distance"),
            "dropped": dropped,
        },
    )
    return template


def _new_template(
    session: Session,
    retiree_id: int,
    live: Embedding,
    source: TemplateSource,
    status: TemplateStatus,
    device: str,
) -> FaceTemplate:
    template = FaceTemplate(
        retiree_id=retiree_id,
        model_id=live.model_id,
        embedding_enc=enrollment.encrypt_embedding(live),
        key_id=get_keyring().current.key_id,
        source=source,
        status=status,
        device=device,
        quality={},
    )
    session.add(template)
    session.flush()
    return template


def _keep_newest(session: Session, retiree_id: int, keep: int) -> list[int]:
    refreshes = session.scalars(
        select(FaceTemplate)
        .where(
            FaceTemplate.retiree_id == retiree_id,
            FaceTemplate.source == TemplateSource.CERTIFICATION,
        )
        .order_by(FaceTemplate.captured_at.desc(), FaceTemplate.id.desc())
    ).all()
    dropped = [t.id for t in refreshes[keep:]]
    for template in refreshes[keep:]:
        session.delete(template)
    session.flush()
    return dropped


def keep_first_face(
    session: Session, *, certification: Certification, live: Embedding | None
) -> None:
    """A first certification (no reference yet) sent to review keeps its live face, pending."""
    if certification.reason != "no_reference" or live is None:
        return
    if enrollment.active_consent(session, retiree_id=certification.retiree_id) is None:
        return
    template = _new_template(session, certification.retiree_id, live,
                             TemplateSource.FIRST_CERTIFICATION, TemplateStatus.PENDING_REVIEW,
                             device=f"certification #{certification.id}")
    certification.evidence = {**certification.evidence, "pending_template_id": template.id}


def settle_first_face(
    session: Session, *, actor: Actor, certification: Certification, approved: bool
) -> FaceTemplate | None:
    """The review decision decides the pending first-certification template too."""
    evidence: dict[str, Any] = certification.evidence or {}
    template_id = evidence.get("pending_template_id")
    template = session.get(FaceTemplate, int(template_id)) if template_id else None
    if template is None or template.status != TemplateStatus.PENDING_REVIEW:
        return None
    template.status = TemplateStatus.ACTIVE if approved else TemplateStatus.REJECTED
    template.captured_by = actor.staff_id or None
    audit.record(
        session,
        actor=actor,
        action="template.enrolled" if approved else "template.rejected",
        target_type="face_template",
        target_id=template.id,
        details={
            "retiree_id": certification.retiree_id,
            "certification_id": certification.id,
            "provenance": FIRST_PROVENANCE if approved else "rejected first certification",
        },
    )
    return template
