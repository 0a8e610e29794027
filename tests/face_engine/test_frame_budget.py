"""The frame budget (issue 16): fewer landmarks, each frame's work done once, same decisions."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np

from lifecert.face_engine import FaceEngine
from lifecert.face_engine.liveness.challenge import challenge_from_names
from lifecert.face_engine.liveness.plan import refine_indices, sparse_indices
from lifecert.face_engine.liveness.signals import FrameSignal
from lifecert.face_engine.memo import LazyFrames
from lifecert.face_engine.types import Landmarks

from .helpers import real_engine, video_frames


@functools.cache
def budget_engine() -> FaceEngine:
    base = real_engine()
    return FaceEngine(replace(base.config, landmark_stride=2))


def phone_clip(name: str, start: float, end: float) -> list[tuple[np.ndarray, float]]:
    """What the phone page sends: 8 frames a second."""
    return video_frames(name, start, end, fps=8)


def test_sparse_indices_keep_every_nth_and_the_last() -> None:
    assert sparse_indices(7, 2) == [0, 2, 4, 6]
    assert sparse_indices(8, 3) == [0, 3, 6, 7]
    assert sparse_indices(0, 2) == []


def _signal(index: int, eye: float, yaw: float = 0.0) -> FrameSignal:
    marks = Landmarks(points=np.zeros((478, 3), dtype=np.float32), model="test")
    return FrameSignal(index, index / 8, None, marks, eye_aspect=eye, yaw=yaw)


def test_refine_adds_the_neighbours_of_a_dip_facing_the_camera() -> None:
    signals = [_signal(i, 0.3) for i in range(0, 20, 2)]
    signals[3] = _signal(6, 0.2)  # eyes lower than 85 % of open: a blink may start here
    signals[7] = _signal(14, 0.2, yaw=35.0)  # a turned head: eyes are not judged there
    assert refine_indices(signals, 20, 2) == sorted({*range(0, 20, 2), 5, 7})
    assert refine_indices(signals[:3], 20, 2) == [0, 2, 4]


def test_budget_passes_the_same_real_check_with_far_fewer_landmarks() -> None:
    frames = phone_clip("app_blink_left_smile.mp4", 3.0, 12.0)
    challenge = challenge_from_names("blink,turn_left")
    full = real_engine().for_one_check()
    sparse = budget_engine().for_one_check()
    everything = full.check_liveness(frames, challenge)
    budgeted = sparse.check_liveness(frames, challenge)
    assert everything.passed and budgeted.passed, (everything, budgeted)
    assert [e.action for e in budgeted.evidence] == ["blink", "turn_left"]
    assert full.memo is not None and sparse.memo is not None
    assert full.memo.computed["landmarks"] == len(frames)
    assert sparse.memo.computed["landmarks"] <= 0.65 * len(frames)
    assert dict(budgeted.checks)["frames_measured"] < len(frames)
    # The evidence keeps the peak of each action (what a reviewer sees).
    assert all(e.peak_frame is not None for e in budgeted.evidence)


def test_budget_measures_every_frame_before_refusing() -> None:
    """A check the sparse frames do not show is judged on every frame, as before the budget."""
    frames = phone_clip("app_blink_left_smile.mp4", 3.0, 12.0)
    sparse = budget_engine().for_one_check()
    result = sparse.check_liveness(frames, challenge_from_names("turn_left,blink"))
    assert not result.passed
    assert dict(result.checks)["frames_measured"] == len(frames)


def test_one_check_detects_and_marks_each_frame_once() -> None:
    frames = phone_clip("app_blink_left_smile.mp4", 3.0, 9.0)
    engine = budget_engine().for_one_check()
    engine.check_liveness(frames, challenge_from_names("blink,turn_left"))
    engine.check_presentation(frames)
    for index in (0, len(frames) // 2):
        engine.quality(frames[index][0])
    memo = engine.memo
    assert memo is not None
    assert memo.computed["detect:blazeface"] <= len(frames)
    assert memo.computed["landmarks"] <= len(frames)
    assert memo.reused["detect:blazeface"] > 0 and memo.reused["landmarks"] > 0


def test_lazy_frames_decode_only_what_is_looked_at() -> None:
    decoded: list[bytes] = []

    def decode(data: bytes) -> np.ndarray:
        decoded.append(data)
        return np.zeros((4, 4, 3), dtype=np.uint8)

    frames = LazyFrames([b"a", b"b", b"c"], [0.0, 0.1, 0.2], decode)
    assert len(frames) == 3 and frames.time(2) == 0.2 and decoded == []
    image, seconds = frames[1]
    assert seconds == 0.1 and frames[1][0] is image and frames[-2][0] is image
    assert decoded == [b"b"] and frames.decoded == 1
