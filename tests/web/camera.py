"""A real recording as Chromium's camera: frames read from a video (``../shared/data/video``),
written as Y4M (raw YUV 4:2:0, the format ``--use-file-for-fake-video-capture`` plays)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def read_frames(path: Path, width: int = 288) -> tuple[list[np.ndarray], float]:
    """Every frame of the video at ``path``, resized to ``width`` (even height), and its fps."""
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        height = int(round(frame.shape[0] * width / frame.shape[1] / 2) * 2)
        frames.append(cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA))
    capture.release()
    return frames, fps


def write_y4m(frames: list[np.ndarray], fps: float, out: Path) -> Path:
    """The raw format Chromium's fake camera plays (YUV 4:2:0); it loops the file."""
    height, width = frames[0].shape[:2]
    with out.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{width} H{height} F{round(fps * 1000)}:1000 Ip A1:1 C420jpeg\n"
                 .encode())
        for frame in frames:
            fh.write(b"FRAME\n")
            fh.write(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    return out


def camera_args(y4m: Path) -> list[str]:
    """Chromium flags that grant the camera without asking and play ``y4m`` as its picture."""
    return ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={y4m}"]
