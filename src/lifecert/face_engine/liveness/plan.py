"""Which frames of a check get landmarks (the frame budget, issue 16).

Landmarks are the dearest per-frame step. Head turns, nods and an open mouth last half a
second or more, so every ``stride``-th frame shows them; a blink lasts 0.2-0.4 s, so wherever
a sampled frame facing the camera shows the eyes lower than ``EYE_DIP`` of their open level (a
blink starting or ending), its neighbours are measured too. The caller falls back to every
frame when the sparse series does not show the challenge, so a check never fails because
frames were skipped: skipping only saves work on the checks that pass.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..interfaces import Detector, Landmarker, TimedFrame
from ..memo import FrameMemo
from .signals import FrameSignal, track_face

EYE_DIP = 0.85  # a sampled frame below this share of the open eye: measure its neighbours
OPEN_PERCENTILE = 80  # the open eye level, as in actions.baseline
MAX_YAW = 20.0  # as max_pose_for_eyes in thresholds.json: blinks are looked for facing ahead


def sparse_indices(count: int, stride: int) -> list[int]:
    """Every ``stride``-th frame and the last one."""
    if count <= 0:
        return []
    return sorted({*range(0, count, max(1, stride)), count - 1})


def refine_indices(
    signals: Sequence[FrameSignal], count: int, stride: int, max_yaw: float = MAX_YAW
) -> list[int]:
    """The sampled frames plus the skipped ones next to a possible blink: a frame facing the
    camera (within ``max_yaw`` of the clip's median; eyes are not judged on turned heads)
    with the eyes lower than ``EYE_DIP`` of their open level."""
    chosen = {s.index for s in signals}
    tracked = [s for s in signals if s.landmarks is not None]
    if not tracked:
        return sorted(chosen)
    open_level = float(np.percentile([s.eye_aspect for s in tracked], OPEN_PERCENTILE))
    yaw = float(np.median([s.yaw for s in tracked]))
    for signal in tracked:
        frontal = not abs(signal.yaw - yaw) >= max_yaw  # NaN (no pose) counts as frontal
        if frontal and signal.eye_aspect < EYE_DIP * open_level:
            low, high = max(0, signal.index - stride + 1), min(count, signal.index + stride)
            chosen.update(range(low, high))
    return sorted(chosen)


def track_sparse(
    frames: Sequence[TimedFrame], detector: Detector, landmarker: Landmarker, stride: int
) -> list[FrameSignal]:
    """Signals of the frames the budget picks (every frame when ``stride`` is 1)."""
    if stride <= 1:
        return track_face(frames, detector, landmarker)
    memo = FrameMemo()  # the refined pass does not redo the sampled frames
    detector, landmarker = memo.detector(detector), memo.landmarker(landmarker)
    coarse = track_face(frames, detector, landmarker, sparse_indices(len(frames), stride))
    indices = refine_indices(coarse, len(frames), stride)
    if len(indices) == len(coarse):
        return coarse
    return track_face(frames, detector, landmarker, indices)
