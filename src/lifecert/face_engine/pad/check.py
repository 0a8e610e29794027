"""Passive presentation-attack detection (PAD) over the frames of one face check.

Three signals, each recorded: the colour-texture model's attack score per frame (averaged over
the checked frames), the multi-face rule (a second face in the frame: a screen or photo next
to the person), and the rigid-motion cue (the face moving with its surroundings like a held
photo or phone). The decision is ``live``, ``uncertain`` or ``attack``; what to do with it is
the caller's business (certification sends both of the latter to a person).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..interfaces import Detector, TimedFrame
from ..types import BBox, Face, RGBImage
from .features import frame_features
from .model import LinearModel, PadThresholds
from .motion import rigid_motion

PadDecision = Literal["live", "uncertain", "attack"]
MAX_FRAMES = 16  # frames scored for texture, spread over the clip
MAX_PAIR_GAP = 0.5  # seconds: farther apart, a pair's motion is not measured


@dataclass(frozen=True)
class PadResult:
    decision: PadDecision
    model_id: str
    reasons: tuple[str, ...]
    texture_score: float | None  # mean attack probability over frames with a face
    frame_scores: tuple[tuple[int, float], ...]  # (frame index, attack probability)
    frames_checked: int
    multi_face_fraction: float
    rigid_agreement: float | None  # median share of surroundings moving with the face
    rigid_pairs: int  # frame pairs measured
    moving_pairs: int  # of which the face moved enough to judge
    thresholds: tuple[tuple[str, float], ...] = ()

    def evidence(self) -> dict[str, Any]:
        """Plain JSON for the decision's evidence (what a reviewer sees)."""
        return {
            "decision": self.decision,
            "model_id": self.model_id,
            "reasons": list(self.reasons),
            "texture_score": self.texture_score,
            "frame_scores": [[i, s] for i, s in self.frame_scores],
            "frames_checked": self.frames_checked,
            "multi_face_fraction": self.multi_face_fraction,
            "rigid_motion": {
                "agreement": self.rigid_agreement,
                "pairs": self.rigid_pairs,
                "moving_pairs": self.moving_pairs,
            },
            "thresholds": dict(self.thresholds),
        }


class ColourTexturePad:
    """The reference PAD backend: linear colour-texture model plus the two rules."""

    name = "lbpcolour"

    def __init__(self, detector: Detector, model: LinearModel, thresholds: PadThresholds) -> None:
        if thresholds.model_id != model.model_id:
            raise ValueError(f"thresholds of {thresholds.model_id} given to {model.model_id}")
        self.detector, self.model, self.limits = detector, model, thresholds

    def check(self, frames: Sequence[TimedFrame]) -> PadResult:
        picks = _spread(len(frames), MAX_FRAMES)
        found: list[tuple[int, Face, bool]] = []  # (index, main face, second face present)
        for index in picks:
            faces = self.detector.detect(frames[index][0])
            if faces:
                found.append((index, faces[0], self._second_face(faces)))
        scores = self._texture(frames, found)
        motion = rigid_motion(
            _pairs(frames, [(i, f.bbox) for i, f, _ in found]), self.limits.rigid_min_motion
        )
        multi = sum(second for _, _, second in found) / len(found) if found else 0.0
        texture = float(np.mean(scores)) if len(scores) else None
        reasons = self._reasons(len(found), texture, multi, motion.moving_pairs, motion.agreement)
        return PadResult(
            decision=_decision(reasons),
            model_id=self.model.model_id,
            reasons=reasons,
            texture_score=None if texture is None else round(texture, 4),
            frame_scores=tuple(
                (i, round(float(s), 4)) for (i, _, _), s in zip(found, scores, strict=True)
            ),
            frames_checked=len(picks),
            multi_face_fraction=round(multi, 3),
            rigid_agreement=None if motion.agreement is None else round(motion.agreement, 3),
            rigid_pairs=motion.pairs,
            moving_pairs=motion.moving_pairs,
            thresholds=tuple(self.limits.as_dict().items()),
        )

    def _texture(
        self, frames: Sequence[TimedFrame], found: list[tuple[int, Face, bool]]
    ) -> np.ndarray:
        if not found:
            return np.zeros(0)
        crops = self.model.crops
        features = np.array([frame_features(frames[i][0], f.bbox, crops) for i, f, _ in found])
        return self.model.scores(features)

    def _second_face(self, faces: Sequence[Face]) -> bool:
        main = faces[0].bbox
        return any(
            max(f.bbox.width, f.bbox.height)
            >= self.limits.second_face_size * max(main.width, main.height)
            and f.bbox.iou(main) < 0.3
            for f in faces[1:]
        )

    def _reasons(
        self, faces: int, texture: float | None, multi: float, moving: int, agreement: float | None
    ) -> tuple[str, ...]:
        limits, reasons = self.limits, []
        if faces < limits.min_faces or texture is None:
            reasons.append("pad_too_few_faces")
        elif texture >= limits.attack:
            reasons.append("texture_attack")
        elif texture >= limits.review:
            reasons.append("texture_uncertain")
        if multi >= limits.multi_face_fraction:
            reasons.append("multi_face")
        if moving >= limits.rigid_min_pairs and (agreement or 0.0) >= limits.rigid_agreement:
            reasons.append("rigid_motion")
        return tuple(reasons)


ATTACK_REASONS = frozenset({"texture_attack", "multi_face", "rigid_motion"})


def _decision(reasons: Sequence[str]) -> PadDecision:
    if ATTACK_REASONS.intersection(reasons):
        return "attack"
    return "uncertain" if reasons else "live"


def _spread(count: int, most: int) -> list[int]:
    if count <= most:
        return list(range(count))
    return sorted({int(v) for v in np.rint(np.linspace(0, count - 1, most))})


def _pairs(
    frames: Sequence[TimedFrame], faces: Sequence[tuple[int, BBox]]
) -> list[tuple[RGBImage, RGBImage, BBox]]:
    """Each frame with a face and the frame just after it: the motion cue's pairs."""
    pairs = []
    for index, box in faces:
        following = index + 1
        if following < len(frames) and frames[following][1] - frames[index][1] <= MAX_PAIR_GAP:
            pairs.append((frames[index][0], frames[following][0], box))
    return pairs
