"""Detectors of single actions on a landmark series. Each returns evidence, passed or not.

All measures are relative to the person's own neutral level (median / upper percentile of the
series) so droopy eyelids and small mouths of old faces are judged against themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..types import ActionEvidence, LivenessAction
from .signals import FrameSignal, rectify, rigid_homography


@dataclass(frozen=True)
class Baseline:
    eye_open: float
    mouth: float
    yaw: float
    pitch: float
    neutral: FrameSignal  # the frame closest to the neutral pose: reference for parallax


def baseline(signals: Sequence[FrameSignal]) -> Baseline:
    # The neutral pose: frames that face the camera (solvePnP angles are absolute), else how
    # the clip starts. A whole-clip median would drift toward the pose held longest.
    frontal = [s for s in signals if abs(s.yaw) < 12 and abs(s.pitch) < 12]
    if len(frontal) < 3:
        frontal = [s for s in signals if s.time - signals[0].time <= 0.5] or list(signals[:1])
    yaw = float(np.median([s.yaw for s in frontal]))
    pitch = float(np.median([s.pitch for s in frontal]))
    calm = [s for s in signals if abs(s.yaw - yaw) < 15 and abs(s.pitch - pitch) < 15] or signals
    neutral = min(signals, key=lambda s: abs(s.yaw - yaw) + abs(s.pitch - pitch))
    return Baseline(
        eye_open=float(np.percentile([s.eye_aspect for s in calm], 80)),
        mouth=float(np.median([s.mouth_open for s in calm])),
        yaw=yaw,
        pitch=pitch,
        neutral=neutral,
    )


def parallax(signal: FrameSignal, base: Baseline) -> float:
    """Non-planar motion between the neutral frame and ``signal`` (0 for a photo)."""
    if signal.landmarks is None or base.neutral.landmarks is None:
        return 0.0
    if rigid_homography(signal.landmarks, base.neutral.landmarks) is None:
        return 0.0
    return rectify(signal.landmarks, base.neutral.landmarks)[1]


def find_action(
    action: LivenessAction,
    signals: Sequence[FrameSignal],
    start: int,
    base: Baseline,
    limits: dict[str, Any],
) -> ActionEvidence:
    """The first occurrence of ``action`` in ``signals[start:]``."""
    finders = {
        "blink": _find_blink,
        "open_mouth": _find_mouth,
        "turn_left": lambda *a: _find_pose(action, "yaw", +1, *a),
        "turn_right": lambda *a: _find_pose(action, "yaw", -1, *a),
        "nod": lambda *a: _find_pose(action, "pitch", 0, *a),
    }
    return finders[action](signals, start, base, limits)


def _evidence(
    action: LivenessAction,
    signals: Sequence[FrameSignal],
    first: int,
    peak: int,
    last: int,
    values: dict[str, float],
) -> ActionEvidence:
    return ActionEvidence(
        action=action,
        passed=True,
        start_frame=signals[first].index,
        peak_frame=signals[peak].index,
        end_frame=signals[last].index,
        start_time=signals[first].time,
        end_time=signals[last].time,
        values=tuple((k, round(v, 4)) for k, v in values.items()),
    )


def _find_blink(
    signals: Sequence[FrameSignal], start: int, base: Baseline, limits: dict[str, Any]
) -> ActionEvidence:
    closed = limits["blink_close_fraction"] * base.eye_open
    reopened = limits["blink_reopen_fraction"] * base.eye_open
    best = float("inf")
    for i in range(max(start, 1), len(signals)):
        s = signals[i]
        best = min(best, s.eye_aspect / base.eye_open)
        frontal = abs(s.yaw - base.yaw) < limits["max_pose_for_eyes"]
        if s.eye_aspect > closed or not frontal or signals[i - 1].eye_aspect < reopened:
            continue
        end = _reopen_index(signals, i, reopened, limits["blink_max_seconds"])
        if end is not None:
            peak = min(range(i, end + 1), key=lambda k: signals[k].eye_aspect)
            values = {
                "eye_open": base.eye_open,
                "eye_min": signals[peak].eye_aspect,
                "ratio": signals[peak].eye_aspect / base.eye_open,
            }
            return _evidence("blink", signals, i - 1, peak, end, values)
    return _missing("blink", {"eye_open": base.eye_open, "lowest_ratio": best})


def _reopen_index(
    signals: Sequence[FrameSignal], closed_at: int, reopened: float, max_seconds: float
) -> int | None:
    for k in range(closed_at + 1, len(signals)):
        if signals[k].time - signals[closed_at].time > max_seconds:
            return None
        if signals[k].eye_aspect >= reopened:
            return k
    return None


def _find_mouth(
    signals: Sequence[FrameSignal], start: int, base: Baseline, limits: dict[str, Any]
) -> ActionEvidence:
    needed = max(limits["mouth_open_min"], base.mouth + limits["mouth_open_over_baseline"])
    best = 0.0
    for i in range(start, len(signals)):
        value = signals[i].mouth_open
        best = max(best, value)
        if value >= needed:
            peak = _extent_peak(signals, i, lambda s: s.mouth_open)
            values = {
                "mouth_baseline": base.mouth,
                "mouth_peak": signals[peak].mouth_open,
                "needed": needed,
            }
            return _evidence("open_mouth", signals, i, peak, peak, values)
    return _missing(
        "open_mouth", {"mouth_baseline": base.mouth, "mouth_max": best, "needed": needed}
    )


def _find_pose(
    action: LivenessAction,
    angle: str,
    sign: int,
    signals: Sequence[FrameSignal],
    start: int,
    base: Baseline,
    limits: dict[str, Any],
) -> ActionEvidence:
    """A turn (sign +1 left, -1 right) or a nod (sign 0: chin down or up) with real parallax."""
    needed = limits["turn_min_yaw"] if angle == "yaw" else limits["nod_min_pitch"]
    neutral = base.yaw if angle == "yaw" else base.pitch

    def delta(s: FrameSignal) -> float:
        value = float(getattr(s, angle)) - neutral
        return value * sign if sign else abs(value)

    best_delta, best_parallax = 0.0, 0.0
    for i in range(start, len(signals)):
        if delta(signals[i]) < needed:
            continue
        peak = _extent_peak(signals, i, delta)
        depth = parallax(signals[peak], base)
        best_delta, best_parallax = max(best_delta, delta(signals[peak])), max(best_parallax, depth)
        if depth >= limits["min_parallax"]:
            values = {"angle_change": delta(signals[peak]), "parallax": depth}
            return _evidence(action, signals, i, peak, peak, values)
    reason = "flat_face" if best_delta >= needed else "action_not_seen"
    values = {"max_angle_change": best_delta, "max_parallax": best_parallax}
    return _missing(action, values, reason)


def _extent_peak(signals: Sequence[FrameSignal], first: int, measure: Any) -> int:
    """The frame of the largest ``measure`` while it keeps rising from ``first``."""
    peak = first
    for k in range(first + 1, len(signals)):
        if measure(signals[k]) < measure(signals[peak]):
            break
        peak = k
    return peak


def _missing(
    action: LivenessAction, values: dict[str, float], reason: str = "action_not_seen"
) -> ActionEvidence:
    return ActionEvidence(
        action=action,
        passed=False,
        reason=reason,
        values=tuple((k, round(v, 4)) for k, v in values.items()),
    )
