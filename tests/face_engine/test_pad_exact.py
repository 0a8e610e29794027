"""The PAD speed-ups of the frame budget (issue 16) compute exactly what they replaced."""

from __future__ import annotations

import cv2
import numpy as np

from lifecert.face_engine.pad import motion
from lifecert.face_engine.pad.features import BINS, _uniform_table, colour_channels, lbp_histogram
from lifecert.face_engine.types import BBox


def _reference_lbp(channel: np.ndarray) -> np.ndarray:
    """Uniform LBP(8, 1) written out pixel by pixel: the definition, not the fast code."""
    table = _uniform_table()
    order = ((-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1))
    counts = np.zeros(BINS)
    for y in range(1, channel.shape[0] - 1):
        for x in range(1, channel.shape[1] - 1):
            code = sum(
                1 << bit
                for bit, (dy, dx) in enumerate(order)
                if channel[y + dy, x + dx] >= channel[y, x]
            )
            counts[table[code]] += 1
    return counts / counts.sum()


def test_lbp_histogram_matches_the_definition_on_every_colour_plane() -> None:
    rng = np.random.default_rng(7)
    crop = rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)
    crop[:8] = 128  # flat stretches: ties count as "not darker"
    planes = colour_channels(crop)
    assert len(planes) == 6
    for plane in planes:
        assert np.array_equal(lbp_histogram(plane), _reference_lbp(plane))


def _textured_pair() -> tuple[np.ndarray, np.ndarray, BBox]:
    rng = np.random.default_rng(3)
    noise = cv2.GaussianBlur(rng.integers(0, 256, (320, 240), dtype=np.uint8), (5, 5), 0)
    first = np.repeat(noise[:, :, None], 3, axis=2)
    second = np.roll(first, (2, 3), axis=(0, 1))  # everything moves: a held photo
    second[120:200, 80:160] = np.roll(first, (-3, 1), axis=(0, 1))[120:200, 80:160]
    return first, second, BBox(80, 120, 160, 200)


def test_one_optical_flow_call_tracks_each_region_as_its_own_call_did() -> None:
    first, second, box = _textured_pair()
    a, scale = motion._grey(first)
    b, _ = motion._grey(second)
    masks = {
        "face": motion._square_mask(a.shape, box, 0.7, scale),
        "ring": cv2.subtract(
            motion._square_mask(a.shape, box, motion.RING_OUTER, scale),
            motion._square_mask(a.shape, box, motion.RING_INNER, scale),
        ),
        "far": cv2.bitwise_not(motion._square_mask(a.shape, box, motion.FAR, scale)),
    }
    together = motion._track(a, b, masks)
    for name, mask in masks.items():
        alone = motion._track(a, b, {name: mask})[name]
        assert len(alone) > 0
        assert np.array_equal(together[name], alone), name
