"""Test-time robustness: mirror/jitter views of a chip and upscaling of small photos.

Old ID photos are often small scans; the LAG set is 100x100. Each helper here is measured
by training/train_cross_age.py before the engine uses it.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from ..types import RGBImage

# Photos whose longer side is below this are upscaled before detection and alignment.
SMALL_IMAGE_SIDE = 200
# (dx, dy, scale) of the jittered views, in chip pixels: a few pixels of alignment noise.
JITTERS: tuple[tuple[float, float, float], ...] = (
    (3.0, 0.0, 1.0), (-3.0, 0.0, 1.0), (0.0, 0.0, 0.95), (0.0, 0.0, 1.05),
)


def upscale_small(image: RGBImage, min_side: int = SMALL_IMAGE_SIDE) -> RGBImage:
    """Upscale (bicubic, integer factor) an image whose longer side is below ``min_side``."""
    longest = max(image.shape[:2])
    if longest >= min_side:
        return image
    factor = int(np.ceil(min_side / longest))
    resized = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(resized, dtype=np.uint8)


def mirrored(chips: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Left-right mirror of (N, H, W, 3) chips."""
    return np.ascontiguousarray(chips[:, :, ::-1, :])


def jitter_chips(chip: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """(len(JITTERS), H, W, 3) shifted/scaled copies of one chip, borders replicated."""
    size = chip.shape[0]
    centre = (size - 1) / 2.0
    out = []
    for dx, dy, scale in JITTERS:
        matrix = cv2.getRotationMatrix2D((centre, centre), 0.0, scale)
        matrix[:, 2] += (dx, dy)
        out.append(cv2.warpAffine(chip, matrix, (size, size), flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_REPLICATE))
    return np.stack(out).astype(np.uint8)
