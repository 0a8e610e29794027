"""A face check outside a certification: the same liveness, PAD, quality and 1:1 matching as
the pension check, for other domains that must prove a person was there (a care visit, a
home-service order). Nothing is recorded here: the caller stores the returned evidence.

Verdicts: ``match`` (live and the closest reference accepts), ``review`` (the closest
reference is in the review band, or PAD is uncertain), ``mismatch`` (the face is someone
else), ``not_live`` (liveness failed or PAD says attack), ``no_face`` (no usable face),
``no_reference`` (nothing to compare with).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from lifecert.certification.decide import Frame, _best_frame, _lazy_frames, _liveness_evidence
from lifecert.core.faces import get_face_engine
from lifecert.face_engine import Challenge, Embedding
from lifecert.face_engine.matching import AGED_REFERENCE
from lifecert.face_engine.quality import usable
from lifecert.face_engine.types import LivenessAction


@dataclass(frozen=True)
class Reference:
    """One stored face to compare with; ``aged`` for an old ID-card photo (wider band)."""

    embedding: Embedding
    ref: str
    aged: bool = False


@dataclass(frozen=True)
class FaceProof:
    verdict: str
    evidence: dict[str, Any]
    embedding: Embedding | None


def _match(engine: Any, live: Embedding, references: Sequence[Reference]) -> dict[str, Any]:
    scores = []
    for reference in references:
        if reference.embedding.model_id != live.model_id:
            continue
        match = engine.compare(live, reference.embedding,
                               AGED_REFERENCE if reference.aged else None)
        scores.append({"ref": reference.ref, "distance": round(match.distance, 4),
                       "decision": match.decision,
                       "thresholds": {"accept": match.thresholds.accept,
                                      "review": match.thresholds.review}})
    best = min(scores, key=lambda s: s["distance"]) if scores else None
    return {"model_id": live.model_id, "references": scores, "deciding": best}


def _verdict(live_ok: bool, pad: str, usable_face: bool, best: dict[str, Any] | None) -> str:
    if pad == "attack" or not live_ok:
        return "not_live"
    if not usable_face:
        return "no_face"
    if best is None:
        return "no_reference"
    if best["decision"] == "accept":
        return "match" if pad == "live" else "review"
    return "review" if best["decision"] == "review" else "mismatch"


def check_face(
    frames: Sequence[Frame],
    references: Sequence[Reference],
    *,
    actions: Sequence[str] = (),
    nonce: str = "",
    ttl_s: float = 180.0,
) -> FaceProof:
    """Check ``frames`` (a short clip, capture times in seconds) against ``references``.
    With ``actions`` the clip must perform them in order (active liveness) and passive PAD
    runs too; without, it is a plain 1:1 check of the best frame (e.g. the carer's own face).
    CPU-heavy: call it through ``core.workpool.run_face_work``."""
    engine = get_face_engine().for_one_check()
    decoded = _lazy_frames(engine, frames)
    evidence: dict[str, Any] = {"frames": len(frames)}
    live_ok, pad_decision = True, "live"
    if actions:
        spec = Challenge(cast(tuple[LivenessAction, ...], tuple(actions)), nonce, 0.0, ttl_s)
        liveness = engine.check_liveness(decoded, spec)
        pad = engine.check_presentation(decoded)
        evidence["liveness"] = _liveness_evidence(liveness)
        evidence["pad"] = pad.evidence()
        live_ok, pad_decision = liveness.passed, pad.decision
    index, quality = _best_frame(engine, decoded)
    evidence["quality"] = {"frame": index, "reasons": list(quality.reasons)}
    live = engine.embed(decoded[index][0], quality.face) if quality.face is not None else None
    matching = _match(engine, live, references) if live is not None else {"deciding": None}
    evidence["matching"] = matching
    verdict = _verdict(live_ok, pad_decision, usable(quality) and live is not None,
                       matching["deciding"])
    evidence["verdict"] = verdict
    return FaceProof(verdict=verdict, evidence=evidence, embedding=live)
