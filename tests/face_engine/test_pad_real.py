"""Passive PAD on real frames from shared/data (skips with a message when it is absent).

Frames go through what the phone page does (320 px, JPEG quality 75), as in production.
The texture model was trained on NUAA and the dev videos: these tests check the backend works
end to end on real images, not its accuracy (benchmarks/pad.py measures that, person-disjoint).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from training.pad_data import as_sent

from lifecert.face_engine.errors import FaceEngineError
from lifecert.face_engine.interfaces import TimedFrame
from lifecert.face_engine.pad.check import ColourTexturePad, PadResult
from lifecert.face_engine.pad.features import feature_size
from lifecert.face_engine.pad.model import LinearModel, load_model, load_thresholds

from .helpers import image, nuaa_print_sequences, real_engine, side_by_side, video_frames


@functools.cache
def pad() -> ColourTexturePad:
    backend = real_engine().pad_check
    assert isinstance(backend, ColourTexturePad)
    return backend


def sent(frames: list[TimedFrame]) -> list[TimedFrame]:
    return [(as_sent(frame), t) for frame, t in frames]


def still(frame: np.ndarray, count: int = 6) -> list[TimedFrame]:
    return [(frame, i / 8.0) for i in range(count)]


def clip(name: str, start: float = 0.0, end: float = 30.0) -> list[TimedFrame]:
    return sent(video_frames(name, start, end, fps=8.0))


def test_parameters_load_once_with_their_thresholds() -> None:
    model = load_model()
    limits = load_thresholds(model.model_id)
    assert model.weights.shape == model.mean.shape == (feature_size(model.crops),)
    assert 0.0 < limits.review <= limits.attack < 1.0
    assert real_engine().pad_check is real_engine().pad_check  # built once per engine


def test_the_crop_layout_travels_with_the_weights() -> None:
    stored = load_model().to_json()
    assert LinearModel.from_json(stored).crops == load_model().crops
    # weights written for other crops are refused at load, not scored on the wrong features
    with pytest.raises(FaceEngineError, match="crops"):
        LinearModel.from_json({**stored, "crops": [*stored["crops"], [3.0, 64]]})


def test_real_face_frames_score_live() -> None:
    result = pad().check(clip("grid_lwbsza.mpg"))  # the older woman, speaking
    assert result.decision == "live", result
    assert result.texture_score is not None and result.texture_score < pad().limits.review
    assert len(result.frame_scores) >= pad().limits.min_faces


def test_a_real_phone_photo_not_seen_in_training_scores_live() -> None:
    result = pad().check(still(as_sent(image("spoof_stills/image_T1.jpg"))))
    assert result.decision == "live", result


def test_nuaa_print_attack_scores_attack() -> None:
    frames = sent(nuaa_print_sequences()[0])
    result = pad().check(frames)
    assert result.decision == "attack", result
    assert "texture_attack" in result.reasons
    assert result.texture_score is not None and result.texture_score >= pad().limits.attack


def test_multi_face_rule_fires_on_a_composed_two_face_frame() -> None:
    one = video_frames("grid_bbaf2n.mpg", 1.0, 1.1)[0][0]
    other = video_frames("grid_brbk7n.mpg", 1.0, 1.1)[0][0]
    result = pad().check(still(side_by_side(one, other)))
    assert result.multi_face_fraction == 1.0
    assert "multi_face" in result.reasons and result.decision == "attack"
    alone = pad().check(still(one))
    assert alone.multi_face_fraction == 0.0 and "multi_face" not in alone.reasons


def _rigid(result: PadResult) -> bool:
    return "rigid_motion" in result.reasons


def test_rigid_motion_fires_on_a_phone_held_up_and_not_on_a_real_face() -> None:
    replay = pad().check(clip("static_replay.mp4"))
    assert _rigid(replay), replay
    assert replay.rigid_agreement is not None
    assert replay.rigid_agreement >= pad().limits.rigid_agreement
    real = pad().check(clip("turns_real.mp4", 7.0, 14.0))  # head turns: the face moves a lot
    assert real.moving_pairs >= pad().limits.rigid_min_pairs
    assert not _rigid(real), real


def test_no_face_is_uncertain_not_live() -> None:
    blank = np.full((240, 320, 3), 120, dtype=np.uint8)
    result = pad().check(still(blank))
    assert result.decision == "uncertain" and result.reasons == ("pad_too_few_faces",)
    assert result.evidence()["texture_score"] is None
