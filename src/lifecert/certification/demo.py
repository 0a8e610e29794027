"""Demo data for the review pages: recent face checks of a few people in the demo worker's
community, each kind of outcome once (certified, try again, review for an uncertain attack
check, a system fault), an automatic review and an appeal waiting for a person. The evidence
has the shape ``decide`` writes, so the pages show it as they would a real check."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.certification.models import (
    Certification,
    CertMode,
    Outcome,
    ReviewCase,
    ReviewSource,
)
from lifecert.core.db import utcnow
from lifecert.retirees.models import CertState, Retiree

if TYPE_CHECKING:
    from lifecert.organisation.demo import DemoCity

MODEL = "dlib_resnet_v1"
PLAN = [
    # (outcome, reason, mode, minutes ago, PAD decision and signals, review source)
    (Outcome.CERTIFIED, "match", CertMode.SELF, 95, ("live", []), None),
    (Outcome.RETRY, "face_mismatch", CertMode.PROXY, 70, ("live", []), ReviewSource.APPEAL),
    (Outcome.REVIEW, "pad_uncertain", CertMode.SELF, 40, ("uncertain", ["texture_uncertain"]),
     ReviewSource.AUTOMATIC),
    (Outcome.RETRY, "liveness", CertMode.HOME_VISIT, 30, ("live", []), None),
    (Outcome.SYSTEM_FAULT, "system:TimeoutError", CertMode.SELF, 10, None, None),
]


def _evidence(outcome: Outcome, pad: tuple[str, list[str]] | None) -> dict[str, Any]:
    if pad is None:
        return {}
    accept = outcome == Outcome.CERTIFIED or outcome == Outcome.REVIEW
    blink_ok = outcome != Outcome.RETRY or pad[0] == "uncertain"
    return {
        "matching": {
            "model_id": MODEL,
            "templates": [
                {
                    "template_id": 0,
                    "source": "id_photo_import",
                    "captured_at": (utcnow() - timedelta(days=900)).date().isoformat(),
                    "distance": 0.41 if accept else 0.63,
                    "thresholds": {"accept": 0.5, "review": 0.56},
                    "decision": "accept" if accept else "reject",
                }
            ],
        },
        "liveness": {
            "passed": blink_ok,
            "actions": [
                {"action": "blink", "passed": blink_ok, "reason": "" if blink_ok else "too_slow",
                 "frames": [3, 6, 9], "values": {"ear_drop": 0.31}},
                {"action": "turn_left", "passed": True, "reason": "", "frames": [12, 18, 24],
                 "values": {"yaw": 21.5}},
            ],
        },
        "pad": {
            "decision": pad[0],
            "model_id": "lbpcolour_v1",
            "reasons": pad[1],
            "texture_score": 0.48 if pad[1] else 0.12,
            "frame_scores": [[0, 0.1], [8, 0.2]],
            "frames_checked": 2,
            "multi_face_fraction": 0.0,
            "rigid_motion": {"agreement": 0.1, "pairs": 6, "moving_pairs": 4},
            "thresholds": {"review": 0.35, "attack": 0.7},
        },
        "quality": {"frame": 0, "reasons": [], "measures": {}},
    }


def seed_demo_certifications(session: Session, demo: DemoCity) -> list[Certification]:
    worker = demo.staff["worker"]
    community = sorted(worker.regions, key=lambda r: r.code)[0]
    people = session.scalars(
        select(Retiree)
        .where(Retiree.community_id == community.id, Retiree.cert_state != CertState.NEVER)
        .order_by(Retiree.id.desc())  # not the first person: the printed phone link's
        .limit(len(PLAN))
    ).all()
    made = []
    for person, (outcome, reason, mode, ago, pad, review) in zip(people, PLAN, strict=False):
        check = Certification(
            retiree_id=person.id,
            mode=mode,
            outcome=outcome,
            reason=reason,
            created_at=utcnow() - timedelta(minutes=ago),
            evidence=_evidence(outcome, pad),
            helper_staff_id=worker.id if mode == CertMode.HOME_VISIT else None,
            device="Android 14; HarmonyOS",
            counts_as_attempt=outcome != Outcome.SYSTEM_FAULT,
        )
        session.add(check)
        session.flush()
        if review is not None:
            summary = "照片是很多年前的，本人确实在世。" if review == ReviewSource.APPEAL else reason
            session.add(ReviewCase(certification_id=check.id, source=review, summary=summary))
        if outcome == Outcome.REVIEW:
            person.cert_state = CertState.UNDER_REVIEW
        made.append(check)
    session.flush()
    return made
