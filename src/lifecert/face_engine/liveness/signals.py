"""Per-frame signals of one face: landmarks, eye/mouth opening (rectified), head pose.

Eye and mouth opening are measured after mapping the frame's landmarks onto the reference
frame with the homography of the *rigid* face points (outline, nose, brows). A photo moved or
tilted in front of the camera is a plane, so that homography explains all of its motion and the
rectified opening does not change; a real blink or mouth opening is non-rigid and survives it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from ..geometry import (
    eye_aspect_ratio,
    head_pose,
    interocular_distance,
    mouth_open_ratio,
)
from ..interfaces import Detector, Landmarker, TimedFrame
from ..types import Face, Landmarks

# Upper face oval (forehead, temples, cheekbones down to ear level), nose bridge/tip and brows:
# points that move rigidly with the head. The jaw line is left out: it moves when the mouth opens.
RIGID_POINTS = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 93, 234, 127, 162, 21, 54, 103, 67, 109,
    168, 6, 197, 195, 5, 4, 1, 70, 63, 105, 66, 107, 336, 296, 334, 293, 300,
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class FrameSignal:
    index: int
    time: float
    face: Face | None
    landmarks: Landmarks | None
    eye_aspect: float = float("nan")
    mouth_open: float = float("nan")
    yaw: float = float("nan")
    pitch: float = float("nan")
    roll: float = float("nan")
    rigid_residual: float = float("nan")  # homography misfit of rigid points, / eye distance


def track_face(
    frames: Sequence[TimedFrame],
    detector: Detector,
    landmarker: Landmarker,
    indices: Sequence[int] | None = None,
) -> list[FrameSignal]:
    """Follow the main face: in each frame the detection nearest the previous face.
    ``indices`` (ascending): only these frames are measured (the frame budget)."""
    signals: list[FrameSignal] = []
    previous: Face | None = None
    reference: Landmarks | None = None
    for index in range(len(frames)) if indices is None else indices:
        image, time = frames[index]
        face = _nearest(detector.detect(image), previous)
        marks = landmarker.landmarks(image, face) if face is not None else None
        if face is None or marks is None:
            signals.append(FrameSignal(index, time, face, None))
            continue
        previous = face
        reference = reference or marks
        size = (image.shape[0], image.shape[1])
        signals.append(_measure(index, time, face, marks, reference, size))
    return signals


def _nearest(faces: list[Face], previous: Face | None) -> Face | None:
    if not faces:
        return None
    if previous is None:
        return faces[0]
    px, py = previous.bbox.center
    return min(faces, key=lambda f: (f.bbox.center[0] - px) ** 2 + (f.bbox.center[1] - py) ** 2)


def _measure(
    index: int,
    time: float,
    face: Face,
    marks: Landmarks,
    reference: Landmarks,
    size: tuple[int, int],
) -> FrameSignal:
    rectified, residual = rectify(marks, reference)
    pose = head_pose(marks, size)
    return FrameSignal(
        index,
        time,
        face,
        marks,
        eye_aspect=eye_aspect_ratio(rectified),
        mouth_open=mouth_open_ratio(rectified),
        yaw=pose.yaw,
        pitch=pose.pitch,
        roll=pose.roll,
        rigid_residual=residual,
    )


def rigid_homography(source: Landmarks, target: Landmarks) -> npt.NDArray[np.float64] | None:
    rigid = list(RIGID_POINTS)
    src = source.points[rigid, :2].astype(np.float64)
    dst = target.points[rigid, :2].astype(np.float64)
    homography, _ = cv2.findHomography(src, dst, 0)
    return None if homography is None else np.asarray(homography, dtype=np.float64)


def rectify(marks: Landmarks, reference: Landmarks) -> tuple[Landmarks, float]:
    """``marks`` mapped into the reference frame by the rigid-point homography, and its misfit."""
    homography = rigid_homography(marks, reference)
    if homography is None:
        return marks, float("nan")
    mapped = cv2.perspectiveTransform(marks.points[None, :, :2].astype(np.float64), homography)[0]
    rigid = list(RIGID_POINTS)
    misfit = np.linalg.norm(mapped[rigid] - reference.points[rigid, :2], axis=1).mean()
    points = marks.points.copy()
    points[:, :2] = mapped
    scale = max(interocular_distance(reference), 1e-6)
    return Landmarks(points=points, model=marks.model), float(misfit / scale)
