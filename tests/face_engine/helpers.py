"""Plain builders for face-engine tests: the shared data folder, a real engine, real frames."""

from __future__ import annotations

import functools
import glob
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from lifecert.face_engine import FaceEngine, FaceEngineConfig
from lifecert.face_engine.interfaces import TimedFrame
from lifecert.face_engine.registry import available
from lifecert.face_engine.shared_data import default_data_dir
from lifecert.face_engine.video import read_video


def data_dir() -> Path:
    """The shared data folder, or skip the test with a message saying how to provide it."""
    folder = default_data_dir()
    if not folder.is_dir():
        pytest.skip(f"shared data not found at {folder}: set LIFECERT_SHARED_DATA to run this test")
    return folder


@functools.cache
def real_engine() -> FaceEngine:
    """One engine with the real backends for the whole session (models load once).

    Uses the ONNX port of dlib's embedder when it is installed: same descriptors, ~20x faster.
    """
    fast = "onnx_resnet" in available("embedder")
    return FaceEngine(FaceEngineConfig(embedder="onnx_resnet") if fast else FaceEngineConfig())


def fake_engine() -> FaceEngine:
    return FaceEngine(FaceEngineConfig.fake())


def image(relative: str) -> np.ndarray:
    return real_engine().load(data_dir() / relative)


@functools.cache
def _video(name: str, start: float, end: float, fps: float) -> tuple[TimedFrame, ...]:
    frames = read_video(
        data_dir() / "video" / name, target_fps=fps, start_seconds=start, max_seconds=end
    )
    return tuple(frames)


def video_frames(
    name: str, start: float = 0.0, end: float = 30.0, fps: float = 30.0
) -> list[TimedFrame]:
    return list(_video(name, start, end, fps))


def video_frame(name: str, at: float) -> np.ndarray:
    return video_frames(name, at, at + 0.04)[0][0]


@functools.cache
def nuaa_print_sequences(min_frames: int = 10) -> list[list[TimedFrame]]:
    """NUAA print-attack captures as timed sequences (frame number / 20 fps). Cached: ~840 JPEGs."""
    root = data_dir() / "nuaa" / "ImposterRaw"
    groups: dict[str, list[tuple[int, str]]] = {}
    for path in glob.glob(str(root / "*" / "*.jpg")):
        match = re.match(r"(.*)_(\d+)\.jpg$", Path(path).name)
        if match:
            groups.setdefault(match.group(1), []).append((int(match.group(2)), path))
    sequences = []
    for _, items in sorted(groups.items()):
        if len(items) >= min_frames:
            frames = [(real_engine().load(p), n / 20.0) for n, p in sorted(items)]
            sequences.append(frames)
    return sequences


def side_by_side(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    height = max(left.shape[0], right.shape[0])
    pad = [np.pad(i, ((0, height - i.shape[0]), (0, 0), (0, 0))) for i in (left, right)]
    return np.ascontiguousarray(np.hstack(pad))


def tilted_photo_frames(photo: np.ndarray, angles: list[float], axis: str) -> list[TimedFrame]:
    """A planar photo rotated about its vertical ("yaw") or horizontal ("pitch") axis.

    Pure perspective warps of a real printed-photo image: what a camera sees when someone
    turns or tilts a photo in front of it.
    """
    height, width = photo.shape[:2]
    focal = float(width)
    camera = np.array([[focal, 0, width / 2], [0, focal, height / 2], [0, 0, 1]])
    frames = []
    for index, degrees in enumerate(angles):
        theta = np.radians(degrees)
        c, s = np.cos(theta), np.sin(theta)
        rotation = (
            np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
            if axis == "yaw"
            else np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
        )
        # Rotate the photo plane (z = depth) about its own centre, not the camera about itself.
        depth, centre, normal = focal, np.array([0.0, 0.0, focal]), np.array([0.0, 0.0, 1.0])
        plane_motion = rotation + np.outer(centre - rotation @ centre, normal) / depth
        homography = camera @ plane_motion @ np.linalg.inv(camera)
        warped = cv2.warpPerspective(photo, homography, (width, height), borderValue=(90, 90, 90))
        frames.append((np.ascontiguousarray(warped), index / 15.0))
    return frames
