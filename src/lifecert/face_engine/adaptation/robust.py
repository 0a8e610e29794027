"""Upscaling of small photos before detection and alignment (measured, see training/).

Old ID photos are often small scans; the LAG set is 100x100. training/train_cross_age.py
measures this against the plain pipeline (row "+ upscale photos < 200px").
"""

from __future__ import annotations

import cv2
import numpy as np

from ..types import RGBImage

# Photos whose longer side is below this are upscaled before detection and alignment.
SMALL_IMAGE_SIDE = 200


def upscale_small(image: RGBImage, min_side: int = SMALL_IMAGE_SIDE) -> RGBImage:
    """Upscale (bicubic, integer factor) an image whose longer side is below ``min_side``."""
    longest = max(image.shape[:2])
    if longest >= min_side:
        return image
    factor = int(np.ceil(min_side / longest))
    resized = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(resized, dtype=np.uint8)
