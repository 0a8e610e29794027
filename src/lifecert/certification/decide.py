"""The server side of a face check: liveness, quality, 1:1 matching against every template,
1:N duplicate search, then one decision with all its evidence.

Anything that fails on our side (a model error, a crash in a backend) becomes a SYSTEM_FAULT
decision that does not count against the retiree's tries or their pension.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lifecert.certification import templates
from lifecert.certification.cycle import mark_certified
from lifecert.certification.models import (
    Certification,
    ChallengeSession,
    Outcome,
    ReviewCase,
    ReviewSource,
)
from lifecert.core.db import utcnow
from lifecert.core.errors import InvalidInput, PayloadTooLarge, TooManyRequests
from lifecert.core.faces import get_face_engine
from lifecert.core.logging import get_logger
from lifecert.core.settings import get_settings
from lifecert.core.storage import get_blob_store
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import FaceTemplate, TemplateSource, TemplateStatus
from lifecert.face_engine import Challenge, Embedding, FaceEngine, FaceEngineError, RGBImage
from lifecert.face_engine.matching import AGED_REFERENCE
from lifecert.face_engine.memo import LazyFrames
from lifecert.face_engine.quality import eyes_closed_in_frames, usable
from lifecert.face_engine.types import LivenessAction
from lifecert.fraud import service as fraud
from lifecert.fraud.alerts import LinkSpec
from lifecert.fraud.models import LinkKind
from lifecert.retirees.models import CertState, Retiree

log = get_logger("lifecert.certification")


@dataclass(frozen=True)
class Frame:
    data: bytes
    seconds: float  # capture time relative to the first frame


@dataclass(frozen=True)
class Context:
    device: str = ""
    ip: str = ""
    latitude: float | None = None
    longitude: float | None = None


def check_upload_limits(frames: Sequence[Frame]) -> None:
    """Refuse oversized or malformed uploads before any decoding work."""
    limits = get_settings().certification
    if len(frames) < 3:
        raise InvalidInput("Too few pictures arrived. Please try again.")
    if len(frames) > limits.max_frames:
        raise PayloadTooLarge("Too many pictures were sent at once.")
    if any(len(f.data) > limits.max_frame_bytes for f in frames):
        raise PayloadTooLarge("A picture is too large. Please try again.")
    times = [f.seconds for f in frames]
    if any(b < a for a, b in itertools.pairwise(times)) or times[-1] - times[0] > 1800:
        raise InvalidInput("The pictures arrived out of order. Please try again.")


def tries_today(session: Session, retiree_id: int) -> int:
    start = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        session.scalar(
            select(func.count())
            .select_from(Certification)
            .where(
                Certification.retiree_id == retiree_id,
                Certification.counts_as_attempt.is_(True),
                # A presentation attack counts too: spoofing then retrying is not free.
                or_(
                    Certification.outcome == Outcome.RETRY,
                    Certification.reason == "presentation_attack",
                ),
                Certification.created_at >= start,
            )
        )
        or 0
    )


def ensure_tries_left(session: Session, retiree_id: int) -> None:
    if tries_today(session, retiree_id) >= get_settings().certification.max_tries_per_day:
        raise TooManyRequests(
            "No more tries today. Tomorrow works again, or ask your community for a home visit."
        )


def ensure_helper_and_device_limits(session: Session, challenge: ChallengeSession, ip: str) -> None:
    """One helper account, or one network address, may not run more checks a day than a
    real family or a community worker would (insider fraud is certifying the dead)."""
    limit = get_settings().certification.max_helper_attempts_per_day
    start = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    today = select(func.count()).select_from(Certification).where(Certification.created_at >= start)
    checks = []
    if challenge.helper_family_id is not None:
        checks.append((Certification.helper_family_id == challenge.helper_family_id, limit))
    if challenge.helper_staff_id is not None:
        checks.append((Certification.helper_staff_id == challenge.helper_staff_id, limit))
    elif ip:
        # Phones share addresses (mobile carriers, a community centre's Wi-Fi): a wider limit.
        checks.append((Certification.ip == ip, limit * 5))
    for condition, most in checks:
        if (session.scalar(today.where(condition)) or 0) >= most:
            raise TooManyRequests(
                "Too many checks from this account or network today. "
                "Please try again tomorrow or call your community."
            )


def _lazy_frames(engine: FaceEngine, frames: Sequence[Frame]) -> LazyFrames:
    """Frames decoded when a stage first needs them (frames nobody looks at cost nothing);
    an unreadable picture is the sender's problem (a 4xx), never a system fault."""

    def decode(data: bytes) -> RGBImage:
        try:
            return engine.decode(data)
        except FaceEngineError as exc:
            raise enrollment.image_refusal(exc) from exc

    return LazyFrames([f.data for f in frames], [f.seconds for f in frames], decode)


def _best_frame(engine: FaceEngine, frames: Sequence[tuple[RGBImage, float]]) -> tuple[int, Any]:
    """The first frame of good quality among a few spread over the clip (neutral ones first).
    The picks are on the landmark grid (their detection and landmarks are already done), and a
    pick where the main detector sees no face is passed over rather than searched again with
    the slow fallback detector, unless no pick has a face. Eyes count as closed only against
    the person's own frames (face_engine.quality), and a frame whose only flaw is that is
    still usable: narrow eyes never refuse a check alone."""
    stride = max(1, engine.config.landmark_stride)
    spread = (0, len(frames) // 4, len(frames) // 2, 3 * len(frames) // 4, len(frames) - 1)
    picks = sorted({i - i % stride for i in spread[:-1]} | {len(frames) - 1})
    picks = [i for i in picks if engine.detector.detect(frames[i][0])] or picks
    qualities = []
    for index in picks:
        quality = engine.quality(frames[index][0])
        if quality.ok:
            return index, quality
        qualities.append(quality)
    closed = eyes_closed_in_frames([q.measure("eye_open") or float("nan") for q in qualities])
    for index, quality, shut in zip(picks, qualities, closed, strict=True):
        if usable(quality) and not shut:
            return index, quality
    ranked = sorted(
        zip(picks, qualities, strict=True), key=lambda p: (not usable(p[1]), len(p[1].reasons))
    )
    return ranked[0]


def _match_templates(
    session: Session, retiree_id: int, live: Embedding, engine: FaceEngine
) -> dict[str, Any]:
    """Every active template is scored; the closest decides (and is named in the evidence)."""
    templates = session.scalars(
        select(FaceTemplate).where(
            FaceTemplate.retiree_id == retiree_id,
            FaceTemplate.status == TemplateStatus.ACTIVE,
            FaceTemplate.model_id == live.model_id,
        )
    ).all()
    scores: list[dict[str, Any]] = []
    for template in templates:
        # An imported ID-card photo may be decades old: it is judged with the ageing band.
        band = AGED_REFERENCE if template.source == TemplateSource.ID_PHOTO_IMPORT else None
        match = engine.compare(live, enrollment.decrypt_template(template), band)
        scores.append(
            {
                "template_id": template.id,
                "source": template.source.value,
                "captured_at": template.captured_at.date().isoformat(),
                "distance": round(match.distance, 4),
                "decision": match.decision,
                "thresholds": {
                    "accept": match.thresholds.accept,
                    "review": match.thresholds.review,
                },
            }
        )
    best = min(scores, key=lambda s: s["distance"]) if scores else None
    return {"model_id": live.model_id, "templates": scores, "deciding_template": best}


def _liveness_evidence(result: Any) -> dict[str, Any]:
    return {
        "passed": result.passed,
        "reasons": list(result.reasons),
        "actions": [
            {
                "action": e.action,
                "passed": e.passed,
                "reason": e.reason,
                "frames": [e.start_frame, e.peak_frame, e.end_frame],
                "times": [e.start_time, e.end_time],
                "values": dict(e.values),
            }
            for e in result.evidence
        ],
        "checks": dict(result.checks),
        "frames_used": result.frames_used,
    }


def _decide(
    liveness_ok: bool,
    matching: dict[str, Any],
    duplicate_of: int | None,
    quality_ok: bool,
    pad: str = "live",
) -> tuple[Outcome, str]:
    """One outcome from every signal. Passive PAD (``pad``: live, uncertain or attack) is one
    signal among them: a confident attack is refused certification and goes to a person with
    the evidence (before liveness: an attacker gets no free retries); an uncertain score only
    stops automatic acceptance. PAD never refuses a retiree outright: REVIEW leaves the
    pension untouched until a person decides."""
    best = matching["deciding_template"]
    if pad == "attack":
        return Outcome.REVIEW, "presentation_attack"
    if not liveness_ok:
        return Outcome.RETRY, "liveness"
    if not quality_ok:
        return Outcome.RETRY, "quality"
    if duplicate_of is not None:
        return Outcome.REVIEW, "possible_duplicate"
    if best is None:
        return Outcome.REVIEW, "no_reference"
    if best["decision"] == "accept":
        if pad != "live":
            return Outcome.REVIEW, "pad_uncertain"
        return Outcome.CERTIFIED, "match"
    if best["decision"] == "review":
        return Outcome.REVIEW, "uncertain_match"
    return Outcome.RETRY, "face_mismatch"


def evaluate(
    session: Session, *, challenge: ChallengeSession, retiree: Retiree, frames: Sequence[Frame]
) -> tuple[Outcome, str, dict[str, Any], Embedding | None, Sequence[tuple[RGBImage, float]], int]:
    engine = get_face_engine().for_one_check()
    decoded = _lazy_frames(engine, frames)
    spec = Challenge(
        cast(tuple[LivenessAction, ...], tuple(challenge.actions)),
        challenge.nonce,
        0.0,
        float((challenge.expires_at - challenge.issued_at).total_seconds()),
    )
    liveness = engine.check_liveness(decoded, spec)
    pad = engine.check_presentation(decoded)
    index, quality = _best_frame(engine, decoded)
    evidence: dict[str, Any] = {
        "liveness": _liveness_evidence(liveness),
        "pad": pad.evidence(),  # scores, model id and thresholds, shown to reviewers
        "quality": {
            "frame": index,
            "reasons": list(quality.reasons),
            "measures": dict(quality.measures),
        },
    }
    live = engine.embed(decoded[index][0], quality.face) if quality.face is not None else None
    evidence["budget"] = _budget_evidence(engine, decoded)
    duplicate_of = None
    if live is not None:
        evidence["matching"] = _match_templates(session, retiree.id, live, engine)
        # 1:N: the same live face under another identity raises an alert and blocks acceptance.
        alert = fraud.check_live_face(
            session, embedding=live, retiree_id=retiree.id, links=_helper_links(challenge)
        )
        duplicate_of = int(alert.evidence["other_retiree_id"]) if alert is not None else None
        evidence["duplicate"] = {
            "retiree_id": duplicate_of,
            "alert_id": alert.id if alert is not None else None,
            "distance": alert.evidence.get("distance") if alert is not None else None,
        }
    else:
        evidence["matching"] = {
            "model_id": engine.embedder.model_id,
            "templates": [],
            "deciding_template": None,
        }
    outcome, reason = _decide(
        liveness.passed,
        evidence["matching"],
        duplicate_of,
        usable(quality) and live is not None,
        pad.decision,
    )
    return outcome, reason, evidence, live, decoded, index


def _budget_evidence(engine: FaceEngine, frames: LazyFrames) -> dict[str, Any]:
    """What the frame budget did: frames sent, decoded, and per stage computed / reused."""
    memo = engine.memo
    return {
        "frames": len(frames),
        "decoded": frames.decoded,
        "computed": dict(memo.computed) if memo else {},
        "reused": dict(memo.reused) if memo else {},
        "landmark_stride": engine.config.landmark_stride,
    }


def _helper_links(challenge: ChallengeSession) -> list[LinkSpec]:
    links = []
    if challenge.helper_staff_id is not None:
        links.append(LinkSpec(LinkKind.STAFF, str(challenge.helper_staff_id), "staff helper"))
    if challenge.helper_family_id is not None:
        links.append(LinkSpec(LinkKind.HELPER, str(challenge.helper_family_id), "family helper"))
    return links


def store_frames(frames: Sequence[Frame], indices: Sequence[int]) -> list[str]:
    store = get_blob_store()
    return [
        store.put(frames[i].data, prefix="frames")
        for i in sorted(set(indices))
        if 0 <= i < len(frames)
    ]


def evidence_frames(evidence: dict[str, Any], best: int) -> list[int]:
    """Frames a reviewer needs: the matched one, each action's peak, the most attack-like."""
    peaks = [
        a["frames"][1]
        for a in evidence.get("liveness", {}).get("actions", [])
        if a["frames"][1] is not None
    ]
    pad_scores = evidence.get("pad", {}).get("frame_scores") or []
    suspect = [max(pad_scores, key=lambda pair: pair[1])[0]] if pad_scores else []
    return [best, *peaks, *suspect]


def escalate_after_retries(
    session: Session, certification: Certification, retiree: Retiree
) -> None:
    """The last allowed try failed: a person follows up (a call or a home visit)."""
    if tries_today(session, retiree.id) < get_settings().certification.max_tries_per_day:
        return
    session.add(
        ReviewCase(
            certification_id=certification.id,
            source=ReviewSource.AUTOMATIC,
            summary="all tries of the day failed: call or visit",
        )
    )


def finish(
    session: Session,
    *,
    certification: Certification,
    retiree: Retiree,
    live: Embedding | None,
    today: date,
) -> None:
    """Apply the decision to the person (validity, payments, review queue, fresh template)."""
    if certification.outcome == Outcome.CERTIFIED:
        mark_certified(session, retiree=retiree, certification=certification, today=today)
        templates.refresh_from(session, certification=certification, live=live)
    elif certification.outcome == Outcome.REVIEW:
        templates.keep_first_face(session, certification=certification, live=live)
        retiree.cert_state = CertState.UNDER_REVIEW
        cases = certification.evidence.get("attack_cases") or []
        session.add(
            ReviewCase(
                certification_id=certification.id,
                source=ReviewSource.AUTOMATIC,
                # The reviewer sees which fraud case holds the check (see /alerts/<id>).
                summary=" ".join([certification.reason, *(f"alert #{a}" for a in cases)]),
            )
        )
    elif certification.outcome == Outcome.RETRY:
        escalate_after_retries(session, certification, retiree)


def frames_purge_after() -> Any:
    return utcnow() + timedelta(days=get_settings().retention.challenge_frames_days)
