"""Small backend interfaces of the face engine.

Backends register by name (see ``registry``) and are loaded once by an engine, never at import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from .types import Challenge, Face, Landmarks, LivenessResult, RGBImage

# A face chip: an aligned RGB crop, uint8, shape (size, size, 3). dlib's ResNet uses 150x150.
Chip = npt.NDArray[np.uint8]
# A video frame with its capture time in seconds (relative to the first frame or absolute).
TimedFrame = tuple[RGBImage, float]


@runtime_checkable
class Embedder(Protocol):
    """Turns aligned face chips into descriptors.

    ``model_id`` names the exact weights and preprocessing: descriptors from different ids are never
    compared. ``chip_size`` and ``chip_padding`` tell the aligner which chip this model expects.
    """

    model_id: str
    chip_size: int
    chip_padding: float

    def embed_chips(self, chips: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        """chips: (N, chip_size, chip_size, 3) uint8 RGB -> (N, D) float32 descriptors."""
        ...


@runtime_checkable
class Detector(Protocol):
    """Finds faces in an RGB image (H, W, 3) uint8; best score first."""

    name: str

    def detect(self, image: RGBImage) -> list[Face]: ...


@runtime_checkable
class Landmarker(Protocol):
    """Dense landmarks (FaceMesh topology) of one detected face."""

    name: str

    def landmarks(self, image: RGBImage, face: Face) -> Landmarks | None: ...


@runtime_checkable
class Aligner(Protocol):
    """Cuts aligned chips (N, size, size, 3) for the embedder from detected faces."""

    name: str

    def chips(
        self, image: RGBImage, faces: Sequence[Face], size: int, padding: float
    ) -> npt.NDArray[np.uint8]: ...


@runtime_checkable
class LivenessCheck(Protocol):
    """Decides whether timed frames perform a challenge's actions, with evidence."""

    name: str

    def check(self, frames: Sequence[TimedFrame], challenge: Challenge) -> LivenessResult: ...


@runtime_checkable
class PresentationAttackCheck(Protocol):
    """Passive PAD: scores timed frames for a photo, screen or mask instead of a live face.

    Returns a ``pad.check.PadResult`` (decision live/uncertain/attack, every signal, model id
    and thresholds). Loads its parameters when built, never at import.
    """

    name: str

    def check(self, frames: Sequence[TimedFrame]) -> Any: ...
