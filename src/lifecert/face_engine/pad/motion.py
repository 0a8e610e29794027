"""The rigid-motion cue: does the face move with its surroundings, like a photo or a phone
held up to the camera, or on its own, like a head?

Between two frames, corners are tracked (pyramidal Lucas-Kanade) in three regions: the inner
face, a ring around it (where a photo's margin, a phone's frame or the holding hand are) and
the far background. The far background's median motion is the camera's and is subtracted
first, so a shaking phone camera does not make a real face look rigid. A pair counts when the
face moves (relative to the background) by at least ``min_motion`` of its width; its
agreement is the share of ring corners that move like the face. A head moves without most of
its ring (the wall behind it stays still); a held photo or phone carries its ring along.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from ..types import BBox, RGBImage

WORK_WIDTH = 240  # pixels: enough corners, cheap flow
RING_INNER, RING_OUTER = 1.25, 1.9  # ring around the face, in face-box sides
FAR = 2.6  # beyond this (in face-box sides) is background
MIN_RING_POINTS = 8
MAX_CORNERS = 200


@dataclass(frozen=True)
class PairMotion:
    """One frame pair: face motion (share of face width) and ring agreement (0-1)."""

    motion: float
    agreement: float


def _grey(image: RGBImage) -> tuple[np.ndarray, float]:
    scale = min(1.0, WORK_WIDTH / image.shape[1])
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    if scale < 1.0:
        size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    return grey, scale


def _square_mask(shape: tuple[int, ...], box: BBox, factor: float, scale: float) -> np.ndarray:
    cx, cy = box.center[0] * scale, box.center[1] * scale
    half = max(box.width, box.height) * scale * factor / 2.0
    mask = np.zeros(shape[:2], dtype=np.uint8)
    top, left = max(0, int(cy - half)), max(0, int(cx - half))
    mask[top : int(cy + half) + 1, left : int(cx + half) + 1] = 255
    return mask


def _corners(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(N, 1, 2) corners of ``mask`` (each region's strongest, chosen within that region)."""
    corners = cv2.goodFeaturesToTrack(image, MAX_CORNERS, 0.01, 3, mask=mask)
    return np.zeros((0, 1, 2), dtype=np.float32) if corners is None else corners


def _track(first: np.ndarray, second: np.ndarray, masks: dict[str, np.ndarray]) -> dict[str, Any]:
    """Per region, (N, 2, 2): start and end of each of its corners tracked into ``second``.

    One Lucas-Kanade call for all regions (every point is tracked on its own, so this is the
    same result as one call per region, with the image pyramids built once instead of three
    times: the frame budget, issue 16)."""
    corners = {name: _corners(first, mask) for name, mask in masks.items()}
    every = np.concatenate(list(corners.values()))
    tracks: dict[str, Any] = {name: np.zeros((0, 2, 2), dtype=np.float32) for name in masks}
    if not len(every):
        return tracks
    moved, status, _ = cv2.calcOpticalFlowPyrLK(  # type: ignore[call-overload]
        first, second, every, None, winSize=(15, 15), maxLevel=3
    )
    start = 0
    for name, found in corners.items():
        part = slice(start, start + len(found))
        ok = status[part].ravel() == 1
        tracks[name] = np.stack([found[ok, 0], moved[part][ok, 0]], axis=1)
        start += len(found)
    return tracks


def pair_motion(first: RGBImage, second: RGBImage, box: BBox) -> PairMotion | None:
    """The cue on one pair of frames (``box``: the face in ``first``); None: too few corners."""
    a, scale = _grey(first)
    b, _ = _grey(second)
    face = _square_mask(a.shape, box, 0.7, scale)
    inner, outer = (_square_mask(a.shape, box, f, scale) for f in (RING_INNER, RING_OUTER))
    ring = cv2.subtract(outer, inner)
    far = cv2.bitwise_not(_square_mask(a.shape, box, FAR, scale))
    tracks = _track(a, b, {"face": face, "ring": ring, "far": far})
    if len(tracks["face"]) < 4 or len(tracks["ring"]) < MIN_RING_POINTS:
        return None
    shift = {k: v[:, 1] - v[:, 0] for k, v in tracks.items()}
    camera = np.median(shift["far"], axis=0) if len(shift["far"]) >= 8 else np.zeros(2)
    face_motion = np.median(shift["face"], axis=0) - camera
    ring_motion = shift["ring"] - camera
    width = max(box.width, box.height) * scale
    size = float(np.linalg.norm(face_motion))
    tolerance = max(0.5, 0.35 * size)
    agree = np.linalg.norm(ring_motion - face_motion, axis=1) <= tolerance
    return PairMotion(motion=size / width, agreement=float(agree.mean()))


@dataclass(frozen=True)
class RigidMotion:
    """The clip's cue: pairs measured, pairs with face motion, median agreement of those."""

    pairs: int
    moving_pairs: int
    agreement: float | None


def rigid_motion(
    pairs: Sequence[tuple[RGBImage, RGBImage, BBox]], min_motion: float
) -> RigidMotion:
    """``pairs``: (frame, the frame just after it, the face box in the first) of one clip."""
    measured = [pair_motion(first, second, box) for first, second, box in pairs]
    found = [m for m in measured if m is not None]
    moving = [m.agreement for m in found if m.motion >= min_motion]
    agreement = float(np.median(moving)) if moving else None
    return RigidMotion(pairs=len(found), moving_pairs=len(moving), agreement=agreement)
