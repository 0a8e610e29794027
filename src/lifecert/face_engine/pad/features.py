"""Colour-texture features of a face: uniform LBP histograms of H, S, V, Y, Cr, Cb.

Crops of every frame, listed in the model file as (factor, size): the tight face (skin
texture, print dots, screen moire, colour gamut of a print or a display) and a wider one around
it (the edge of a photo or a phone, the fingers holding it). Pure NumPy/OpenCV, vectorised; the
same code trains and serves.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from ..types import BBox, RGBImage

CHANNELS = ("H", "S", "V", "Y", "Cr", "Cb")
BINS = 59  # uniform patterns of 8 neighbours (58) + one bin for all others
# (side of the square over the face box's larger side, pixels it is resized to)
Crop = tuple[float, int]

# The 8 neighbours at radius 1, in circular order (dy, dx).
_NEIGHBOURS = ((-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1))


@functools.cache
def _uniform_table() -> npt.NDArray[np.int64]:
    """Maps each 8-bit code to its uniform-pattern bin (<= 2 circular 0/1 transitions)."""
    table = np.full(256, BINS - 1, dtype=np.int64)
    next_bin = 0
    for code in range(256):
        bits = [(code >> i) & 1 for i in range(8)]
        transitions = sum(bits[i] != bits[(i + 1) % 8] for i in range(8))
        if transitions <= 2:
            table[code] = next_bin
            next_bin += 1
    assert next_bin == BINS - 1
    return table


def lbp_histogram(channel: np.ndarray) -> npt.NDArray[np.float64]:
    """Normalised histogram of uniform LBP(8, 1) codes of one channel (borders excluded).

    Codes are built in 8-bit integers (8 neighbours, 8 bits) and counted over all 256 codes
    before they are folded into the uniform bins: the same histogram as building them in
    64-bit integers and looking each pixel up, in half the time (the frame budget, issue 16)."""
    centre = channel[1:-1, 1:-1]
    height, width = channel.shape
    codes = np.zeros(centre.shape, dtype=np.uint8)
    for bit, (dy, dx) in enumerate(_NEIGHBOURS):
        neighbour = channel[1 + dy : height - 1 + dy, 1 + dx : width - 1 + dx]
        codes |= (neighbour >= centre).view(np.uint8) << np.uint8(bit)
    per_code = np.bincount(codes.ravel(), minlength=256)
    counts = np.bincount(_uniform_table(), weights=per_code, minlength=BINS)
    return counts / max(1.0, counts.sum())


def square_crop(image: RGBImage, box: BBox, factor: float, size: int) -> np.ndarray:
    """A square around the box's centre, ``factor`` times its larger side, resized to size.

    The square is shrunk and shifted to stay inside the image: padding (repeated or black
    borders) would add texture no camera saw, and a close-up face often fills a phone's frame.
    """
    height, width = image.shape[:2]
    # int(): detector boxes may hold NumPy floats, whose round() stays a float
    side = max(2, min(int(round(max(box.width, box.height) * factor)), height, width))  # noqa: RUF046
    cx, cy = box.center
    left = int(min(max(0, round(cx - side / 2)), width - side))
    top = int(min(max(0, round(cy - side / 2)), height - side))
    crop = image[top : top + side, left : left + side]
    return cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)


def colour_channels(crop: np.ndarray) -> list[np.ndarray]:
    hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
    ycrcb = cv2.cvtColor(crop, cv2.COLOR_RGB2YCrCb)
    return [*cv2.split(hsv), *cv2.split(ycrcb)]  # contiguous planes: faster to shift and compare


def feature_size(crops: Sequence[Crop]) -> int:
    return len(crops) * len(CHANNELS) * BINS


def frame_features(image: RGBImage, box: BBox, crops: Sequence[Crop]) -> npt.NDArray[np.float64]:
    """The feature vector of one face: each crop in turn, six channels each.

    Square roots of the histograms (Hellinger mapping): linear models separate them better.
    """
    parts = []
    for factor, size in crops:
        crop = square_crop(image, box, factor, size)
        parts += [lbp_histogram(channel) for channel in colour_channels(crop)]
    return np.sqrt(np.concatenate(parts))
