"""Every quality reason on real faces from shared/data (derived by cropping, blurring, ...)."""

import cv2
import numpy as np
import pytest

from lifecert.face_engine.messages import QUALITY_REASONS

from .helpers import image, real_engine, side_by_side, video_frame

GOOD = "nuaa/ClientRaw/0001/0001_00_00_01_0.jpg"  # frontal webcam frame, face ~175 px


def reasons(picture: np.ndarray) -> tuple[str, ...]:
    return real_engine().quality(picture).reasons


def test_good_real_frame_has_no_reason() -> None:
    quality = real_engine().quality(image(GOOD))
    assert quality.ok, quality
    assert quality.measure("face_width_px") > 150


def test_no_face_in_background_crop() -> None:
    background = cv2.resize(image(GOOD)[:150, :150], (400, 400))
    assert reasons(background) == ("no_face",)


def test_multiple_faces_side_by_side() -> None:
    pair = side_by_side(image(GOOD), image("nuaa/ClientRaw/0003/" + _first_client("0003")))
    assert "multiple_faces" in reasons(pair)


def _first_client(subject: str) -> str:
    from .helpers import data_dir

    return sorted(p.name for p in (data_dir() / "nuaa" / "ClientRaw" / subject).glob("*.jpg"))[0]


def test_face_too_small_when_far_away() -> None:
    small = cv2.resize(image(GOOD), (256, 192), interpolation=cv2.INTER_AREA)
    assert "face_too_small" in reasons(small)


def test_too_blurry() -> None:
    blurred = cv2.GaussianBlur(image(GOOD), (0, 0), 4)
    assert "too_blurry" in reasons(blurred)


def test_too_dark() -> None:
    dark = (image(GOOD).astype(np.float32) * 0.35).astype(np.uint8)
    assert "too_dark" in reasons(dark)


def test_too_bright() -> None:
    bright = np.clip(image(GOOD).astype(np.float32) * 2.4 + 60, 0, 255).astype(np.uint8)
    assert "too_bright" in reasons(bright)


def test_turn_to_camera_on_real_head_turn() -> None:
    quality = real_engine().quality(video_frame("app_blink_left_smile.mp4", 6.4))
    assert "turn_to_camera" in quality.reasons
    assert quality.measure("yaw") > 30


def test_head_tilted_when_rotated() -> None:
    picture = image(GOOD)
    height, width = picture.shape[:2]
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), 25, 1.0)
    assert "head_tilted" in reasons(cv2.warpAffine(picture, rotation, (width, height)))


def test_look_straight_on_real_chin_up() -> None:
    quality = real_engine().quality(video_frame("turns_real.mp4", 13.3))
    assert "look_straight" in quality.reasons
    assert quality.measure("pitch") > 20


def test_eyes_closed_on_real_blink_frame() -> None:
    quality = real_engine().quality(video_frame("app_blink_left_smile.mp4", 4.8))
    assert "eyes_closed" in quality.reasons
    assert quality.measure("eye_aspect") < 0.1


@pytest.mark.parametrize("code", QUALITY_REASONS)
def test_each_reason_is_tested_here(code: str) -> None:
    tested = {
        "no_face",
        "multiple_faces",
        "face_too_small",
        "too_blurry",
        "too_dark",
        "too_bright",
        "turn_to_camera",
        "head_tilted",
        "look_straight",
        "eyes_closed",
    }
    assert code in tested
