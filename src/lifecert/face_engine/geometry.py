"""Measurements on FaceMesh landmarks: eye and mouth opening, head pose (solvePnP).

Index choices follow the FaceMesh topology (468 points; 478 with irises). "Right"/"left" are the
subject's own sides; in an unmirrored camera image the subject's right eye is on the image left.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from .types import HeadPose, Landmarks

# (outer corner, inner corner, upper 1, upper 2, lower 1, lower 2), paired upper/lower by column.
RIGHT_EYE = (33, 133, 160, 158, 144, 153)
LEFT_EYE = (263, 362, 387, 385, 373, 380)
MOUTH_INNER_TOP, MOUTH_INNER_BOTTOM = 13, 14
MOUTH_LEFT_CORNER, MOUTH_RIGHT_CORNER = 291, 61
NOSE_TIP, CHIN = 1, 152
# Face outline points used as the "cheek" reference of the parallax check.
CHEEK_RIGHT, CHEEK_LEFT, FOREHEAD = 234, 454, 10

# Generic 3-D head (arbitrary units, x right / y down / z away from the camera, nose tip at the
# origin) so that a frontal face gives an identity rotation. Adapted from the widely used
# 6-point model in OpenCV's head-pose examples.
_PNP_INDICES = (NOSE_TIP, CHIN, 33, 263, MOUTH_RIGHT_CORNER, MOUTH_LEFT_CORNER)
_PNP_MODEL = np.array(
    [
        (0.0, 0.0, 0.0),
        (0.0, 330.0, 65.0),
        (-225.0, -170.0, 135.0),
        (225.0, -170.0, 135.0),
        (-150.0, 150.0, 125.0),
        (150.0, 150.0, 125.0),
    ],
    dtype=np.float64,
)


def _dist(points: npt.NDArray[np.float32], a: int, b: int) -> float:
    return float(np.linalg.norm(points[a, :2] - points[b, :2]))


def eye_aspect_ratios(landmarks: Landmarks) -> tuple[float, float]:
    """Eye aspect ratio of each eye (Soukupová & Čech 2016), right then left."""
    points = landmarks.points
    ratios = []
    for outer, inner, up1, up2, low1, low2 in (RIGHT_EYE, LEFT_EYE):
        vertical = _dist(points, up1, low1) + _dist(points, up2, low2)
        ratios.append(vertical / (2.0 * max(_dist(points, outer, inner), 1e-6)))
    return ratios[0], ratios[1]


def eye_aspect_ratio(landmarks: Landmarks) -> float:
    """Mean eye aspect ratio of both eyes: ~0.25-0.35 open, <0.15 shut."""
    return float(np.mean(eye_aspect_ratios(landmarks)))


def mouth_open_ratio(landmarks: Landmarks) -> float:
    """Inner-lip gap over mouth width: ~0 closed, > 0.3 clearly open."""
    points = landmarks.points
    gap = _dist(points, MOUTH_INNER_TOP, MOUTH_INNER_BOTTOM)
    return gap / max(_dist(points, MOUTH_LEFT_CORNER, MOUTH_RIGHT_CORNER), 1e-6)


def head_pose(landmarks: Landmarks, image_size: tuple[int, int]) -> HeadPose:
    """Yaw/pitch/roll in degrees from solvePnP with a generic head and a pinhole guess.

    Signs: yaw > 0 when the nose points to the image right (the subject turns to their left in
    an unmirrored image); pitch > 0 when the chin goes up; roll > 0 clockwise in the image.
    """
    height, width = image_size
    camera = np.array([[width, 0, width / 2], [0, width, height / 2], [0, 0, 1]], dtype=np.float64)
    image_points = landmarks.points[list(_PNP_INDICES), :2].astype(np.float64)
    # Start from a frontal head at the distance its eye span implies: without a guess the
    # iterative solver sometimes lands on the mirrored (upside-down) solution.
    eye_span = max(float(np.linalg.norm(image_points[3] - image_points[2])), 1.0)
    rvec = np.zeros((3, 1))
    tvec = np.array([[0.0], [0.0], [width * 450.0 / eye_span]])
    ok, rotation_vector, _ = cv2.solvePnP(
        _PNP_MODEL,
        image_points,
        camera,
        np.zeros(4),
        rvec,
        tvec,
        useExtrinsicGuess=True,
        flags=cv2.SOLVEPNP_ITERATIVE,
    )
    if not ok:
        return HeadPose(float("nan"), float("nan"), float("nan"))
    rotation, _ = cv2.Rodrigues(rotation_vector)
    angles, *_ = cv2.RQDecomp3x3(rotation)
    pitch, yaw, roll = (float(a) for a in angles)
    return HeadPose(yaw=-yaw, pitch=pitch, roll=roll)


def interocular_distance(landmarks: Landmarks) -> float:
    return _dist(landmarks.points, 33, 263)
