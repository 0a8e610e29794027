"""Deterministic fake backends for fast unit tests of other domains. No model, no I/O.

The fake embedder hashes the chip pixels: the same image gives the same vector, any other image
an unrelated one. Its model_id "fake-v1" must be refused by the app in production.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from ..interfaces import TimedFrame
from ..pad.check import PadResult
from ..types import ActionEvidence, BBox, Challenge, Face, Landmarks, LivenessResult, RGBImage

FAKE_MODEL_ID = "fake-v1"


class FakeDetector:
    """One face in the central 60% of any image that is not flat (a flat image has no face)."""

    name = "fake"

    def detect(self, image: RGBImage) -> list[Face]:
        if float(image.std()) < 2.0:
            return []
        height, width = image.shape[:2]
        box = BBox(0.2 * width, 0.2 * height, 0.8 * width, 0.8 * height)
        return [Face(bbox=box, score=0.99, keypoints=(), detector=self.name)]


class FakeLandmarker:
    """Returns no dense landmarks: quality then checks only size, blur and exposure."""

    name = "fake"

    def landmarks(self, image: RGBImage, face: Face) -> Landmarks | None:
        return None


class FakeAligner:
    name = "fake"

    def chips(
        self, image: RGBImage, faces: Sequence[Face], size: int, padding: float
    ) -> npt.NDArray[np.uint8]:
        chips = []
        for face in faces:
            b = face.bbox
            crop = image[max(0, int(b.top)) : int(b.bottom), max(0, int(b.left)) : int(b.right)]
            chips.append(cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA))
        return np.array(chips, dtype=np.uint8).reshape(len(chips), size, size, 3)


class FakeEmbedder:
    name = "fake"
    model_id = FAKE_MODEL_ID
    chip_size = 32
    chip_padding = 0.0
    dimensions = 128

    def embed_chips(self, chips: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        vectors = [self._vector(chip) for chip in chips]
        return np.array(vectors, dtype=np.float32).reshape(len(vectors), self.dimensions)

    def _vector(self, chip: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        seed = int.from_bytes(hashlib.sha256(chip.tobytes()).digest()[:8], "little")
        vector = np.random.default_rng(seed).standard_normal(self.dimensions)
        return (vector / np.linalg.norm(vector)).astype(np.float32)


class FakeLivenessCheck:
    """Passes every challenge that has at least one frame per action. For tests only."""

    name = "fake"

    def check(self, frames: Sequence[TimedFrame], challenge: Challenge) -> LivenessResult:
        passed = len(frames) >= len(challenge.actions)
        evidence = tuple(
            ActionEvidence(action=a, passed=passed, reason="fake") for a in challenge.actions
        )
        reasons = () if passed else ("too_few_frames",)
        return LivenessResult(passed, challenge, evidence, reasons, frames_used=len(frames))


class FakePadCheck:
    """Finds every clip live (model id "fake-pad-v1"). For tests only."""

    name = "fake"

    def check(self, frames: Sequence[TimedFrame]) -> PadResult:
        return PadResult(
            decision="live",
            model_id="fake-pad-v1",
            reasons=(),
            texture_score=0.0,
            frame_scores=(),
            frames_checked=len(frames),
            multi_face_fraction=0.0,
            rigid_agreement=None,
            rigid_pairs=0,
            moving_pairs=0,
        )
