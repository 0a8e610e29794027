"""Test-time views of a face chip averaged into one descriptor.

dlib's own LFW figure uses jittered copies of each chip (``num_jitters``); this is a fixed,
deterministic version: the chip and its mirror at zoom 0.95, 1.0 and 1.05. The mean is
L2-normalised. Every mode gives different descriptors, hence a model-id suffix per mode.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from .errors import FaceEngineError
from .interfaces import Embedder

SUFFIXES = {"none": "", "flip": "+flip", "jitter6": "+jitter6"}
_ZOOMS = (0.95, 1.05)


def model_suffix(mode: str) -> str:
    try:
        return SUFFIXES[mode]
    except KeyError:
        raise FaceEngineError(
            f"Unknown augment mode {mode!r}; use one of {sorted(SUFFIXES)}."
        ) from None


def embed_with_views(
    embedder: Embedder, chips: npt.NDArray[np.uint8], mode: str
) -> npt.NDArray[np.float32]:
    model_suffix(mode)
    if mode == "none" or len(chips) == 0:
        return embedder.embed_chips(chips)
    mirrored = np.ascontiguousarray(chips[:, :, ::-1])
    if mode == "flip":
        return (embedder.embed_chips(chips) + embedder.embed_chips(mirrored)) / 2
    variants = [chips, mirrored]
    variants += [_zoom(c, z) for c in (chips, mirrored) for z in _ZOOMS]
    stacked = np.concatenate(variants)  # one batch: fast backends run it at once
    vectors = embedder.embed_chips(stacked).reshape(len(variants), len(chips), -1).mean(axis=0)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _zoom(chips: npt.NDArray[np.uint8], factor: float) -> npt.NDArray[np.uint8]:
    size = chips.shape[1]
    matrix = cv2.getRotationMatrix2D((size / 2, size / 2), 0, factor)
    return np.stack(
        [cv2.warpAffine(c, matrix, (size, size), borderMode=cv2.BORDER_REFLECT) for c in chips]
    )
