"""LifeCert face engine: detection, landmarks, quality, embeddings, matching and liveness.

A pure library (imports nothing else from lifecert). Importing it loads no model: models load
once, on first use or at ``FaceEngine.warm_up()``.

    from lifecert import face_engine as fe
    image = fe.load_image("photo.jpg")
    faces = fe.detect(image)
    match = fe.compare(fe.embed(image, faces[0]), enrolled_embedding)
"""

from __future__ import annotations

from collections.abc import Sequence

from .backends import register_builtin
from .engine import FaceEngine, FaceEngineConfig, default_engine, set_default_engine
from .errors import FaceEngineError, ImageError, ModelMismatchError, NoFaceError
from .images import decode_image, load_image
from .interfaces import TimedFrame
from .liveness.challenge import new_challenge
from .messages import message
from .quality import QualityThresholds
from .registry import add_loader
from .types import (
    ActionEvidence,
    BBox,
    Challenge,
    Embedding,
    Face,
    Landmarks,
    LivenessResult,
    Match,
    Quality,
    RGBImage,
    Thresholds,
)

add_loader(register_builtin)  # the registry itself imports no backend


def detect(image: RGBImage) -> list[Face]:
    return default_engine().detect(image)


def landmarks(image: RGBImage, face: Face | None = None) -> Landmarks | None:
    return default_engine().landmarks(image, face)


def quality(image: RGBImage, face: Face | None = None) -> Quality:
    return default_engine().quality(image, face)


def embed(image: RGBImage, face: Face | None = None) -> Embedding:
    return default_engine().embed(image, face)


def compare(a: Embedding, b: Embedding) -> Match:
    return default_engine().compare(a, b)


def check_liveness(frames: Sequence[TimedFrame], challenge: Challenge) -> LivenessResult:
    return default_engine().check_liveness(frames, challenge)


__all__ = [
    "ActionEvidence",
    "BBox",
    "Challenge",
    "Embedding",
    "Face",
    "FaceEngine",
    "FaceEngineConfig",
    "FaceEngineError",
    "ImageError",
    "Landmarks",
    "LivenessResult",
    "Match",
    "ModelMismatchError",
    "NoFaceError",
    "Quality",
    "QualityThresholds",
    "Thresholds",
    "TimedFrame",
    "check_liveness",
    "compare",
    "decode_image",
    "default_engine",
    "detect",
    "embed",
    "landmarks",
    "load_image",
    "message",
    "new_challenge",
    "quality",
    "set_default_engine",
]
