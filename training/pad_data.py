"""Frames for PAD training and scoring: NUAA stills and dev-video frames, as the phone sends them.

Every frame goes through what certify.js does to a camera frame (320 px wide, JPEG quality 75)
before the face is found and described, so training, benchmark and service see the same
images. Features are cached under var/cache/pad (delete the folder after changing features).
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from lifecert.face_engine import FaceEngine, FaceEngineConfig
from lifecert.face_engine.pad.features import Crop, feature_size, frame_features
from lifecert.face_engine.shared_data import data_fingerprint, repo_root
from lifecert.face_engine.types import RGBImage
from lifecert.face_engine.video import read_video

PHONE_WIDTH, PHONE_QUALITY = 320, 75  # web/static/certify.js
VIDEO_TRAIN_FPS = 5.0  # frames of a dev video used for training (one clip's frames are one group)
CACHE_VERSION = "v3"


def as_sent(image: RGBImage) -> RGBImage:
    """The frame as the phone page uploads it: scaled to 320 px wide, JPEG quality 75."""
    height, width = image.shape[:2]
    scaled: np.ndarray = image
    if width != PHONE_WIDTH:
        size = (PHONE_WIDTH, round(height * PHONE_WIDTH / width))
        scaled = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(scaled, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, PHONE_QUALITY]
    )
    assert ok
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return np.ascontiguousarray(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB))


@dataclass(frozen=True)
class Samples:
    """One row per frame with a face: features, label (1 = attack), person group, clip, source."""

    features: np.ndarray
    labels: np.ndarray
    groups: np.ndarray  # "nuaa:0001", "video:young_man": splits never cut a group
    clips: np.ndarray
    names: np.ndarray
    sources: np.ndarray  # "nuaa" or "video"

    def subset(self, mask: np.ndarray) -> Samples:
        return Samples(*(getattr(self, f)[mask] for f in self.__dataclass_fields__))


def detection_engine() -> FaceEngine:
    return FaceEngine(FaceEngineConfig(adaptation=""))


def nuaa_rows(data: Path) -> list[tuple[str, str, int, str]]:
    """(path, subject, label, clip): a clip is one capture session of one subject."""
    rows = []
    with (data / "nuaa" / "labels.csv").open() as fh:
        for row in csv.DictReader(fh):
            name = Path(row["path"]).name
            match = re.match(r"(\d+_\d+_\d+_\d+)_\d+\.jpg$", name)
            clip = f"{row['label']}:{match.group(1) if match else name}"
            label = 0 if row["label"] == "real" else 1
            rows.append((row["path"], row["subject"], label, clip))
    return rows


def video_rows(data: Path) -> list[dict[str, str]]:
    with (data / "video" / "labels.csv").open() as fh:
        return list(csv.DictReader(fh))


def video_frames(path: Path, fps: float) -> list[tuple[RGBImage, float]]:
    """Frames as sent, at about ``fps`` (the full video, up to 30 s)."""
    frames = read_video(path, target_fps=30.0)
    duration = frames[-1][1] - frames[0][1]
    rate = (len(frames) - 1) / duration if duration > 0 else 30.0
    step = max(1, round(rate / fps))
    return [(as_sent(image), t) for image, t in frames[::step]]


def _describe(engine: FaceEngine, image: RGBImage, crops: Sequence[Crop]) -> np.ndarray | None:
    faces = engine.detect(image)
    return frame_features(image, faces[0].bbox, crops) if faces else None


def load_samples(data: Path, crops: Sequence[Crop], refresh: bool = False) -> Samples:
    """Features of every NUAA image and of the dev videos' frames (cached per crop layout)."""
    layout = "_".join(f"{factor:g}x{size}" for factor, size in crops)
    key = data_fingerprint(data / "nuaa", data / "video")  # another folder, another cache
    cache = repo_root() / "var" / "cache" / "pad" / f"samples-{CACHE_VERSION}-{layout}-{key}.npz"
    if cache.exists() and not refresh:
        with np.load(cache, allow_pickle=False) as stored:
            return Samples(**{k: stored[k] for k in Samples.__dataclass_fields__})
    engine = detection_engine()
    rows: list[tuple[np.ndarray, int, str, str, str, str]] = []
    for path, subject, label, clip in nuaa_rows(data):
        image = engine.load(data / "nuaa" / path)
        vector = _describe(engine, as_sent(image), crops)
        if vector is not None:
            rows.append((vector, label, f"nuaa:{subject}", f"nuaa:{subject}:{clip}", path, "nuaa"))
    print(f"  NUAA: {len(rows)} frames with a face", file=sys.stderr)
    for video in video_rows(data):
        label = 0 if video["label"] == "real" else 1
        frames = video_frames(data / "video" / video["file"], VIDEO_TRAIN_FPS)
        for index, (image, _) in enumerate(frames):
            vector = _describe(engine, image, crops)
            if vector is not None:
                name = f"{video['file']}#{index}"
                rows.append(
                    (
                        vector,
                        label,
                        f"video:{video['identity']}",
                        f"video:{video['file']}",
                        name,
                        "video",
                    )
                )
    samples = Samples(
        features=np.array([r[0] for r in rows], dtype=np.float64).reshape(-1, feature_size(crops)),
        labels=np.array([r[1] for r in rows], dtype=np.int64),
        groups=np.array([r[2] for r in rows]),
        clips=np.array([r[3] for r in rows]),
        names=np.array([r[4] for r in rows]),
        sources=np.array([r[5] for r in rows]),
    )
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(cache, **{k: getattr(samples, k) for k in Samples.__dataclass_fields__})
    return samples
