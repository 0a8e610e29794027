"""Active liveness: the challenge's actions, in order, each within its time window, by one face.

Same-face continuity: the face must be tracked in most frames without jumps, and descriptors of
a few frames spread over the clip must all match each other (no swap of person mid-clip).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..interfaces import Aligner, Detector, Embedder, Landmarker, TimedFrame
from ..types import ActionEvidence, Challenge, LivenessResult
from .actions import Baseline, baseline, find_action
from .plan import track_sparse
from .signals import FrameSignal, track_face

THRESHOLDS_PATH = Path(__file__).with_name("thresholds.json")
EPOCH_2001 = 1e9  # timestamps above this are absolute (seconds since the epoch)


def load_liveness_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, Any]:
    return {k: v for k, v in json.loads(path.read_text()).items() if not k.startswith("_")}


class ActiveLivenessCheck:
    name = "active"

    def __init__(
        self,
        detector: Detector,
        landmarker: Landmarker,
        aligner: Aligner | None = None,
        embedder: Embedder | None = None,
        limits: dict[str, Any] | None = None,
        landmark_stride: int = 1,
    ) -> None:
        self.detector, self.landmarker = detector, landmarker
        self.landmark_stride = landmark_stride  # the frame budget: see plan.py
        self.aligner, self.embedder = aligner, embedder
        self.limits = limits or load_liveness_thresholds()

    def check(self, frames: Sequence[TimedFrame], challenge: Challenge) -> LivenessResult:
        if len(frames) < 2 * len(challenge.actions):
            return self._fail(challenge, ("too_few_frames",), len(frames))
        if _expired(frames, challenge):
            return self._fail(challenge, ("challenge_expired",), len(frames))
        signals = track_sparse(frames, self.detector, self.landmarker, self.landmark_stride)
        evidence = self._sequence(signals, challenge)
        if self.landmark_stride > 1 and not self._shown(signals, evidence):
            # Not shown by the sampled frames: measure every frame (the budget only ever
            # saves work on passing checks, it never fails one).
            signals = track_face(frames, self.detector, self.landmarker)
            evidence = self._sequence(signals, challenge)
        tracked = [s for s in signals if s.landmarks is not None]
        fraction = len(tracked) / len(signals)
        checks: dict[str, float] = {
            "tracked_fraction": round(fraction, 3),
            "frames_measured": len(signals),
        }
        if fraction < self.limits["min_tracked_fraction"] or len(tracked) < 2:
            return self._fail(challenge, ("no_face",), len(frames), checks)
        identity = self._identity_spread(frames, tracked)
        checks["identity_spread"] = round(identity, 4)
        reasons = [e.reason for e in evidence if not e.passed]
        if identity > self.limits["max_identity_distance"]:
            reasons.insert(0, "face_changed")
        passed = not reasons
        return LivenessResult(
            passed,
            challenge,
            evidence,
            tuple(dict.fromkeys(reasons)),
            len(frames),
            tuple(checks.items()),
        )

    def _shown(self, signals: Sequence[FrameSignal], evidence: Sequence[ActionEvidence]) -> bool:
        tracked = sum(s.landmarks is not None for s in signals)
        enough = tracked / max(1, len(signals)) >= self.limits["min_tracked_fraction"]
        return enough and bool(evidence) and all(e.passed for e in evidence)

    def _sequence(
        self, signals: Sequence[FrameSignal], challenge: Challenge
    ) -> tuple[ActionEvidence, ...]:
        tracked = [s for s in signals if s.landmarks is not None]
        return self.find_sequence(tracked, challenge) if len(tracked) >= 2 else ()

    def find_sequence(
        self, tracked: Sequence[FrameSignal], challenge: Challenge
    ) -> tuple[ActionEvidence, ...]:
        """Each action after the previous one, starting within ``action_window_seconds``."""
        base: Baseline = baseline(tracked)
        evidence: list[ActionEvidence] = []
        position, window_start = 0, tracked[0].time
        for action in challenge.actions:
            found = find_action(action, tracked, position, base, self.limits)
            late = (
                found.passed
                and (found.start_time or 0) - window_start > self.limits["action_window_seconds"]
            )
            if late:
                found = _late(found)
            evidence.append(found)
            if not found.passed:
                break
            position = _position_after(tracked, found.end_frame)
            window_start = found.end_time or window_start
        return tuple(evidence)

    def _identity_spread(
        self, frames: Sequence[TimedFrame], tracked: Sequence[FrameSignal]
    ) -> float:
        """Largest descriptor distance among a few frontal frames spread over the clip."""
        if self.aligner is None or self.embedder is None:
            return 0.0
        samples = _spread_samples(tracked, int(self.limits["identity_samples"]))
        vectors = []
        for signal in samples:
            assert signal.face is not None
            chip = self.aligner.chips(
                frames[signal.index][0],
                [signal.face],
                self.embedder.chip_size,
                self.embedder.chip_padding,
            )
            vectors.append(self.embedder.embed_chips(chip)[0])
        matrix = np.array(vectors, dtype=np.float64)
        spread = np.linalg.norm(matrix[:, None, :] - matrix[None, :, :], axis=-1)
        return float(spread.max())

    def _fail(
        self,
        challenge: Challenge,
        reasons: tuple[str, ...],
        count: int,
        checks: dict[str, float] | None = None,
    ) -> LivenessResult:
        return LivenessResult(False, challenge, (), reasons, count, tuple((checks or {}).items()))


def _spread_samples(tracked: Sequence[FrameSignal], count: int) -> list[FrameSignal]:
    """The most frontal frame of each of ``count`` equal stretches of the clip."""
    chunks = np.array_split(np.arange(len(tracked)), min(count, len(tracked)))
    return [
        min((tracked[i] for i in chunk), key=lambda s: abs(s.yaw) + abs(s.pitch))
        for chunk in chunks
        if len(chunk)
    ]


def _position_after(tracked: Sequence[FrameSignal], frame_index: int | None) -> int:
    for position, signal in enumerate(tracked):
        if frame_index is not None and signal.index > frame_index:
            return position
    return len(tracked)


def _expired(frames: Sequence[TimedFrame], challenge: Challenge) -> bool:
    first, last = frames[0][1], frames[-1][1]
    if first < EPOCH_2001:  # relative timestamps: only the duration can be checked
        return last - first > challenge.expires_at - challenge.issued_at
    return first < challenge.issued_at or last > challenge.expires_at


def _late(found: ActionEvidence) -> ActionEvidence:
    return ActionEvidence(
        action=found.action,
        passed=False,
        start_frame=found.start_frame,
        peak_frame=found.peak_frame,
        end_frame=found.end_frame,
        start_time=found.start_time,
        end_time=found.end_time,
        values=found.values,
        reason="too_slow",
    )
