"""The FaceEngine: backends chosen by name, loaded lazily once, safe to share between threads."""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import adaptation, images, matching, views
from .errors import FaceEngineError, NoFaceError
from .interfaces import (
    Aligner,
    Detector,
    Embedder,
    Landmarker,
    LivenessCheck,
    PresentationAttackCheck,
    TimedFrame,
)
from .memo import FrameMemo
from .pad.check import PadResult
from .quality import QualityThresholds, assess
from .registry import BackendContext, Kind, create
from .types import Challenge, Embedding, Face, Landmarks, LivenessResult, Match, Quality, RGBImage


@dataclass(frozen=True)
class FaceEngineConfig:
    """Which backends to use and the limits to enforce. Build it from the app's settings."""

    detector: str = "blazeface"
    fallback_detector: str | None = "dlib_hog"
    landmarker: str = "facemesh"
    aligner: str = "dlib5"
    embedder: str = "onnx_resnet"  # dlib_resnet: the slower reference (same model_id)
    liveness: str = "active"
    pad: str = "lbpcolour"  # passive presentation-attack detection (pad/), "fake" in tests
    thresholds_path: str | None = None  # None: the packaged thresholds.json
    max_image_bytes: int = images.DEFAULT_MAX_BYTES
    max_image_pixels: int = images.DEFAULT_MAX_PIXELS
    threads: int = 1
    cache_dir: str | None = None  # where backends may keep converted models
    # Test-time views averaged into one descriptor (see views.py): "none", "flip" (chip and
    # mirror) or "jitter6" (flip x zoom 0.95/1/1.05, L2-normalised; like dlib's num_jitters but
    # deterministic). Changes the descriptors, so the model id gets a suffix.
    augment: str = "jitter6"
    # Cross-age adaptation on top of the views (issue 8, see adaptation/): a learned metric for
    # old ID photos against aged faces, "+xage1" to use it; appends its suffix to the model id.
    # Off by default because it costs same-age accuracy: cross-validated on LAG it lifts
    # young/old TAR at FAR 1e-3 from 0.291 to 0.380, but LFW falls from 99.10 % to 98.57 %,
    # and after the first certification most comparisons are against recent, same-age captures.
    adaptation: str = ""
    quality: QualityThresholds = field(default_factory=QualityThresholds)
    # The frame budget (issue 16): landmarks on every n-th frame of a check, the frames around
    # a possible blink filled in, every frame only when those do not show the challenge.
    landmark_stride: int = 1

    @classmethod
    def fake(cls) -> FaceEngineConfig:
        """All-fake backends: deterministic, no models, for unit tests of other domains."""
        return cls(
            detector="fake",
            fallback_detector=None,
            landmarker="fake",
            aligner="fake",
            embedder="fake",
            liveness="fake",
            pad="fake",
            augment="none",
        )


class FaceEngine:
    def __init__(self, config: FaceEngineConfig | None = None) -> None:
        self.config = config or FaceEngineConfig()
        self._context = BackendContext(self.config.threads, self.config.cache_dir, engine=self)
        self._backends: dict[str, Any] = {}
        self._lock = threading.RLock()  # re-entrant: composite backends build their parts
        self._thresholds: dict[str, matching.Thresholds] | None = None
        self.memo: FrameMemo | None = None  # set on a view made by for_one_check()

    # -- backends, created once on first use -------------------------------------------------
    def _backend(self, kind: Kind, name: str) -> Any:
        key = f"{kind}:{name}"
        backend = self._backends.get(key)
        if backend is None:
            with self._lock:
                backend = self._backends.get(key)
                if backend is None:
                    backend = create(kind, name, self._context)
                    self._backends[key] = backend
        return backend

    @property
    def detector(self) -> Detector:
        return self._backend("detector", self.config.detector)

    @property
    def landmarker(self) -> Landmarker:
        return self._backend("landmarker", self.config.landmarker)

    @property
    def aligner(self) -> Aligner:
        return self._backend("aligner", self.config.aligner)

    @property
    def embedder(self) -> Embedder:
        return self._backend("embedder", self.config.embedder)

    @property
    def liveness_check(self) -> LivenessCheck:
        return self._backend("liveness", self.config.liveness)

    @property
    def pad_check(self) -> PresentationAttackCheck:
        return self._backend("pad", self.config.pad)

    @property
    def thresholds(self) -> dict[str, matching.Thresholds]:
        if self._thresholds is None:
            self._thresholds = matching.load_thresholds(self.config.thresholds_path)
        return self._thresholds

    def warm_up(self) -> None:
        """Load every model now (at start-up) instead of on the first request."""
        import cv2

        # OpenCV's own pool gets ``threads`` like ONNX Runtime: the face-work pool already
        # runs one check per core, and more threads per check only contend for the same cores.
        cv2.setNumThreads(self.config.threads)
        blank = np.full((240, 240, 3), 127, dtype=np.uint8)
        self.detect(blank)
        self.embedder.embed_chips(np.zeros((1, *self._chip_shape()), dtype=np.uint8))
        _ = self.landmarker, self.aligner, self.thresholds, self.pad_check
        warm_aligner = getattr(self.aligner, "warm_up", None)
        if callable(warm_aligner):
            warm_aligner()

    # -- the API ------------------------------------------------------------------------------
    def decode(self, data: bytes) -> RGBImage:
        return images.decode_image(
            data, max_bytes=self.config.max_image_bytes, max_pixels=self.config.max_image_pixels
        )

    def load(self, path: str | Path) -> RGBImage:
        return images.load_image(
            path, max_bytes=self.config.max_image_bytes, max_pixels=self.config.max_image_pixels
        )

    def detect(self, image: RGBImage) -> list[Face]:
        """Faces, best first. Falls back to the second detector when the first finds none."""
        image = images.ensure_rgb(image)
        faces = self.detector.detect(image)
        if not faces and self.config.fallback_detector:
            faces = self._backend("detector", self.config.fallback_detector).detect(image)
        return list(faces)

    def landmarks(self, image: RGBImage, face: Face | None = None) -> Landmarks | None:
        return self.landmarker.landmarks(image, face or self._main_face(image))

    def quality(self, image: RGBImage, face: Face | None = None) -> Quality:
        faces = self.detect(image)
        main = face or (faces[0] if faces else None)
        marks = self.landmarker.landmarks(image, main) if main is not None else None
        return assess(image, faces, main, marks, self.config.quality)

    def chips(self, image: RGBImage, faces: Sequence[Face]) -> np.ndarray:
        embedder = self.embedder
        return self.aligner.chips(image, faces, embedder.chip_size, embedder.chip_padding)

    def embed(self, image: RGBImage, face: Face | None = None) -> Embedding:
        face = face or self._main_face(image)
        return self.embed_faces(image, [face])[0]

    @property
    def base_model_id(self) -> str:
        """Id of the descriptors before adaptation: the embedder's plus the views' suffix."""
        return self.embedder.model_id + views.model_suffix(self.config.augment)

    @property
    def adaptation(self) -> adaptation.CrossAgeModel | None:
        if not self.config.adaptation:
            return None
        return adaptation.model_for(self.base_model_id + self.config.adaptation)

    @property
    def model_id(self) -> str:
        """Id of the descriptors this engine produces (adapted when parameters ship)."""
        model = self.adaptation
        return model.model_id if model is not None else self.base_model_id

    def embed_faces(self, image: RGBImage, faces: Sequence[Face]) -> list[Embedding]:
        return self.embed_chips(self.chips(image, faces))

    def embed_chips(self, chips: np.ndarray) -> list[Embedding]:
        vectors = views.embed_with_views(self.embedder, chips, self.config.augment)
        model = self.adaptation
        if model is not None and len(vectors):
            vectors = model.apply(vectors)
        model_id = self.model_id
        return [Embedding(vector=v.astype(np.float32), model_id=model_id) for v in vectors]

    def compare(self, a: Embedding, b: Embedding, band: str | None = None) -> Match:
        return matching.compare(a, b, self.thresholds, band)

    def check_liveness(self, frames: Sequence[TimedFrame], challenge: Challenge) -> LivenessResult:
        return self.liveness_check.check(frames, challenge)

    def check_presentation(self, frames: Sequence[TimedFrame]) -> PadResult:
        """Passive PAD over a check's frames: live, uncertain or attack, with every signal."""
        result: PadResult = self.pad_check.check(frames)
        return result

    def for_one_check(self) -> FaceEngine:
        """A view of this engine for the frames of one check: each frame's detection,
        landmarks and chip are computed once and shared by liveness, PAD, quality and
        matching (``memo`` counts what was computed and what reused)."""
        view = copy.copy(self)
        view.memo = memo = FrameMemo()
        config = self.config
        detector = memo.detector(self.detector)
        landmarker = memo.landmarker(self.landmarker)
        aligner = memo.aligner(self.aligner)
        parts = {"detector": detector, "landmarker": landmarker, "aligner": aligner}
        view._backends = dict(self._backends)
        view._backends[f"detector:{config.detector}"] = detector
        view._backends[f"landmarker:{config.landmarker}"] = landmarker
        view._backends[f"aligner:{config.aligner}"] = aligner
        if config.fallback_detector:
            key = f"detector:{config.fallback_detector}"
            view._backends[key] = memo.detector(self._backend("detector", config.fallback_detector))
        for kind, name in (("liveness", config.liveness), ("pad", config.pad)):
            backend = copy.copy(self._backend(kind, name))  # type: ignore[arg-type]
            for attr, part in parts.items():
                if getattr(backend, attr, None) is not None:
                    setattr(backend, attr, part)
            view._backends[f"{kind}:{name}"] = backend
        return view

    def _main_face(self, image: RGBImage) -> Face:
        faces = self.detect(image)
        if not faces:
            raise NoFaceError("No face found in the image.")
        return faces[0]

    def _chip_shape(self) -> tuple[int, int, int]:
        size = self.embedder.chip_size
        return (size, size, 3)


_DEFAULT: FaceEngine | None = None
_DEFAULT_LOCK = threading.Lock()


def default_engine() -> FaceEngine:
    """The shared engine of the module-level functions, created on first use."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = FaceEngine()
        return _DEFAULT


def set_default_engine(engine: FaceEngine | None) -> None:
    """Install the app's engine (built from settings) for the module-level functions."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        _DEFAULT = engine


__all__ = ["FaceEngine", "FaceEngineConfig", "FaceEngineError", "default_engine"]
