"""The application's face engine, built once from settings (models load on first use)."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from lifecert.core.settings import get_settings
from lifecert.face_engine import FaceEngine, FaceEngineConfig

_override: FaceEngine | None = None


@lru_cache
def _configured_engine() -> FaceEngine:
    settings = get_settings()
    face = settings.face
    if face.embedder == "fake":  # unit tests of other domains: deterministic, no models
        return FaceEngine(replace(FaceEngineConfig.fake(), max_image_bytes=face.max_image_bytes,
                                  max_image_pixels=face.max_image_pixels))
    overrides = {"augment": face.augment} if face.augment else {}
    config = FaceEngineConfig(
        **overrides,  # type: ignore[arg-type]
        detector=face.detector,
        fallback_detector=face.fallback_detector or None,
        landmarker=face.landmarker,
        aligner=face.aligner,
        embedder=face.embedder,
        liveness=face.liveness,
        max_image_bytes=face.max_image_bytes,
        max_image_pixels=face.max_image_pixels,
        adaptation=face.adaptation,
        threads=face.threads,
        landmark_stride=settings.certification.landmark_stride,
        cache_dir=str(settings.data_dir / "models"),
    )
    return FaceEngine(config)


def get_face_engine() -> FaceEngine:
    return _override or _configured_engine()


def use_face_engine(engine: FaceEngine | None) -> None:
    """Swap the engine (tests use a fake or a real one explicitly); None restores settings."""
    global _override
    _override = engine
