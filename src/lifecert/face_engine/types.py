"""Frozen result types of the face engine. Plain data: safe to log, compare and serialise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

RGBImage = npt.NDArray[np.uint8]
Decision = Literal["accept", "review", "reject"]
LivenessAction = Literal["blink", "open_mouth", "turn_left", "turn_right", "nod"]
ALL_ACTIONS: tuple[LivenessAction, ...] = ("blink", "open_mouth", "turn_left", "turn_right", "nod")


@dataclass(frozen=True)
class BBox:
    """Axis-aligned box in pixels of the (EXIF-transposed) image."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def center(self) -> tuple[float, float]:
        return ((self.left + self.right) / 2.0, (self.top + self.bottom) / 2.0)

    def iou(self, other: BBox) -> float:
        w = max(0.0, min(self.right, other.right) - max(self.left, other.left))
        h = max(0.0, min(self.bottom, other.bottom) - max(self.top, other.top))
        inter = w * h
        union = self.width * self.height + other.width * other.height - inter
        return inter / union if union > 0 else 0.0


@dataclass(frozen=True)
class Face:
    """A detected face. ``keypoints`` are detector-specific named points (eyes, nose, ...)."""

    bbox: BBox
    score: float
    keypoints: tuple[tuple[str, float, float], ...] = ()
    detector: str = ""


@dataclass(frozen=True, eq=False)
class Landmarks:
    """Dense landmarks in pixel coordinates: (N, 3) float32, z in the same scale as x."""

    points: npt.NDArray[np.float32]
    model: str

    def xy(self) -> npt.NDArray[np.float32]:
        return self.points[:, :2]


@dataclass(frozen=True)
class HeadPose:
    """Degrees. yaw > 0: the person turns to their left; pitch > 0: chin up; roll: head tilt."""

    yaw: float
    pitch: float
    roll: float


@dataclass(frozen=True)
class Quality:
    """Outcome of a capture-quality check: ``ok`` when ``reasons`` is empty."""

    reasons: tuple[str, ...]
    measures: tuple[tuple[str, float], ...]
    face: Face | None = None

    @property
    def ok(self) -> bool:
        return not self.reasons

    def measure(self, name: str) -> float | None:
        return dict(self.measures).get(name)


@dataclass(frozen=True, eq=False)
class Embedding:
    """A face descriptor. Only embeddings with the same ``model_id`` may be compared."""

    vector: npt.NDArray[np.float32]
    model_id: str

    def to_list(self) -> list[float]:
        return [float(v) for v in self.vector]


@dataclass(frozen=True)
class Thresholds:
    """Distance thresholds of one model: <= accept -> accept; <= review -> review; else reject."""

    model_id: str
    accept: float
    review: float
    metric: Literal["euclidean"] = "euclidean"


@dataclass(frozen=True)
class Match:
    distance: float
    similarity: float
    decision: Decision
    model_id: str
    thresholds: Thresholds


@dataclass(frozen=True)
class Challenge:
    """An active-liveness challenge issued by the server. Times are seconds since the epoch."""

    actions: tuple[LivenessAction, ...]
    nonce: str
    issued_at: float
    expires_at: float


@dataclass(frozen=True)
class ActionEvidence:
    """Why an action was (not) found: the frames used and what was measured on them."""

    action: LivenessAction
    passed: bool
    start_frame: int | None = None
    peak_frame: int | None = None
    end_frame: int | None = None
    start_time: float | None = None
    end_time: float | None = None
    values: tuple[tuple[str, float], ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class LivenessResult:
    passed: bool
    challenge: Challenge
    evidence: tuple[ActionEvidence, ...]
    reasons: tuple[str, ...] = ()
    frames_used: int = 0
    checks: tuple[tuple[str, float], ...] = field(default_factory=tuple)
