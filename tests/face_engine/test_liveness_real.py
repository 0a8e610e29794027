"""Active liveness on real videos and real print attacks from shared/data."""

import time

import pytest

from lifecert.face_engine.liveness.actions import baseline, find_action
from lifecert.face_engine.liveness.challenge import challenge_from_names, new_challenge
from lifecert.face_engine.liveness.check import load_liveness_thresholds
from lifecert.face_engine.liveness.signals import track_face
from lifecert.face_engine.types import Challenge

from .helpers import nuaa_print_sequences, real_engine, tilted_photo_frames, video_frames

LIMITS = load_liveness_thresholds()


def check(frames, names: str):  # type: ignore[no-untyped-def]
    return real_engine().check_liveness(frames, challenge_from_names(names))


def test_new_challenge_has_two_or_three_distinct_actions() -> None:
    for _ in range(20):
        challenge = new_challenge()
        assert 2 <= len(challenge.actions) <= 3
        assert len(set(challenge.actions)) == len(challenge.actions)
        assert challenge.expires_at > challenge.issued_at and len(challenge.nonce) >= 16


def test_blink_then_turn_left_passes_on_real_app_recording() -> None:
    result = check(video_frames("app_blink_left_smile.mp4", 3.0, 8.0), "blink,turn_left")
    assert result.passed, result
    blink, turn = result.evidence
    assert blink.peak_frame is not None and turn.start_frame is not None
    assert blink.peak_frame < turn.start_frame
    assert dict(blink.values)["ratio"] < 0.5
    assert dict(turn.values)["parallax"] > LIMITS["min_parallax"]


def test_actions_out_of_order_fail() -> None:
    result = check(video_frames("app_blink_left_smile.mp4", 3.0, 8.0), "turn_left,blink")
    assert not result.passed
    assert result.evidence[0].passed and not result.evidence[1].passed


def test_turn_right_and_nod_on_real_head_movements() -> None:
    result = check(video_frames("turns_real.mp4", 7.25, 13.5, fps=15), "turn_right,nod")
    assert result.passed, result
    assert dict(result.evidence[1].values)["angle_change"] >= LIMITS["nod_min_pitch"]


def test_open_mouth_on_real_video() -> None:
    result = check(video_frames("mouth_open.mp4", 0.0, 5.0, fps=15), "open_mouth")
    assert result.passed, result
    assert dict(result.evidence[0].values)["mouth_peak"] > 0.3


def test_static_real_face_does_not_pass_a_turn() -> None:
    result = check(video_frames("static_real.mp4", fps=15), "turn_left")
    assert not result.passed


def test_expired_challenge_fails() -> None:
    frames = video_frames("app_blink_left_smile.mp4", 3.0, 5.2)
    now = time.time()
    stale = Challenge(("blink", "nod"), "nonce-123456789012", now - 300, now - 180)
    absolute = [(f, now + t) for f, t in frames]
    assert real_engine().check_liveness(absolute, stale).reasons == ("challenge_expired",)


def test_face_swap_between_frames_is_caught() -> None:
    first = video_frames("app_blink_left_smile.mp4", 3.5, 5.3, fps=15)
    second = [(f, t + 2.0) for f, t in video_frames("static_real.mp4", 0.0, 1.5, fps=15)]
    result = check(first + second, "blink,open_mouth")
    assert "face_changed" in result.reasons
    assert dict(result.checks)["identity_spread"] > LIMITS["max_identity_distance"]


@pytest.mark.parametrize("action", ["blink", "turn_left", "turn_right", "nod", "open_mouth"])
def test_nuaa_print_attacks_never_perform_an_action(action: str) -> None:
    sequences = _nuaa_signals()
    assert len(sequences) >= 10
    for signals in sequences:
        found = find_action(action, signals, 0, baseline(signals), LIMITS)  # type: ignore[arg-type]
        assert not found.passed, found


def test_nuaa_print_attack_fails_full_challenges() -> None:
    sequence = nuaa_print_sequences()[0]
    for names in ("blink,turn_left", "turn_right,nod", "nod,blink"):
        assert not check(sequence, names).passed


@pytest.mark.parametrize(
    "axis,action", [("yaw", "turn_left"), ("yaw", "turn_right"), ("pitch", "nod")]
)
def test_printed_photo_turned_in_front_of_camera_is_flat(axis: str, action: str) -> None:
    """A real printed photo (a NUAA attack frame) rotated by up to 40 degrees before the camera."""
    photo = nuaa_print_sequences()[0][0][0]
    most = 40 if axis == "yaw" else 30
    angles = [
        most * f
        for f in (0, 0.2, 0.4, 0.6, 0.8, 1, 0.8, 0.5, 0.2, 0, -0.2, -0.5, -0.8, -1, -0.6, -0.3, 0)
    ]
    frames = tilted_photo_frames(photo, angles, axis)
    result = check(frames, action)
    assert not result.passed
    assert dict(result.checks)["tracked_fraction"] >= LIMITS["min_tracked_fraction"]  # was judged
    assert result.evidence[0].reason in ("flat_face", "action_not_seen")
    assert dict(result.evidence[0].values)["max_parallax"] < LIMITS["min_parallax"]


_NUAA_CACHE: list = []


def _nuaa_signals() -> list:
    if not _NUAA_CACHE:
        engine = real_engine()
        for frames in nuaa_print_sequences()[::3]:
            tracked = [
                s
                for s in track_face(frames, engine.detector, engine.landmarker)
                if s.landmarks is not None
            ]
            _NUAA_CACHE.append(tracked)
    return _NUAA_CACHE
