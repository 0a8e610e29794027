"""Reading short videos into timed RGB frames (OpenCV), down-sampled for liveness checks."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .errors import VideoError
from .interfaces import TimedFrame

MAX_SIDE = 640  # landmarks need no more; keeps a 10 s check under a few seconds of CPU


def read_video(
    path: str | Path,
    *,
    target_fps: float = 30.0,
    max_seconds: float = 30.0,
    start_seconds: float = 0.0,
) -> list[TimedFrame]:
    """Frames from ``start_seconds`` with their times in seconds, at most ``target_fps``.

    Blinks last 100-300 ms, so sampling under ~20 fps can miss them entirely.
    """
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise VideoError(f"Cannot open video {path}.")
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    step = max(1, round(fps / target_fps))
    frames: list[TimedFrame] = []
    index = 0
    try:
        while index / fps <= max_seconds:
            ok, bgr = capture.read()
            if not ok:
                break
            if index % step == 0 and index / fps >= start_seconds:
                frames.append((_to_rgb(bgr), index / fps))
            index += 1
    finally:
        capture.release()
    if not frames:
        raise VideoError(f"No frames could be read from {path}.")
    return frames


def _to_rgb(bgr: np.ndarray) -> np.ndarray:
    height, width = bgr.shape[:2]
    scale = MAX_SIDE / max(height, width)
    if scale < 1:
        bgr = cv2.resize(
            bgr, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
        )
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
