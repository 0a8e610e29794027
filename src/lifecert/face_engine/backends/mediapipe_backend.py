"""MediaPipe backends: BlazeFace detection and FaceMesh (468/478-point) landmarks.

The .tflite weights ship inside the mediapipe wheel; graphs are built on first use, never at
import. MediaPipe solution graphs are not thread-safe, so each call holds the backend's lock.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from ..types import BBox, Face, Landmarks, RGBImage

_KEYPOINT_NAMES = ("right_eye", "left_eye", "nose_tip", "mouth_center", "right_ear", "left_ear")


class BlazeFaceDetector:
    """BlazeFace short-range (selfie) model, with the full-range model as a second try.

    Tight crops where the face fills the frame (aligned datasets) defeat BlazeFace, so a last
    try pads the image with a grey border and maps boxes back.
    """

    name = "blazeface"

    def __init__(self, min_confidence: float = 0.5) -> None:
        self._min_confidence = min_confidence
        self._graphs: dict[int, Any] = {}
        self._lock = threading.Lock()

    def _graph(self, model_selection: int) -> Any:
        if model_selection not in self._graphs:
            import mediapipe as mp

            self._graphs[model_selection] = mp.solutions.face_detection.FaceDetection(
                model_selection=model_selection, min_detection_confidence=self._min_confidence
            )
        return self._graphs[model_selection]

    def detect(self, image: RGBImage) -> list[Face]:
        with self._lock:
            for model_selection in (0, 1):
                faces = self._run(image, model_selection, pad=0)
                if faces:
                    return faces
            pad = max(image.shape[:2]) // 3
            return self._run(image, 0, pad=pad)

    def _run(self, image: RGBImage, model_selection: int, pad: int) -> list[Face]:
        source = image
        if pad:
            source = np.pad(image, ((pad, pad), (pad, pad), (0, 0)), constant_values=127)
        result = self._graph(model_selection).process(source)
        height, width = source.shape[:2]
        faces = [_to_face(d, width, height, pad) for d in (result.detections or [])]
        return sorted(faces, key=lambda f: -f.score)


def _to_face(detection: Any, width: int, height: int, pad: int) -> Face:
    data = detection.location_data
    box = data.relative_bounding_box
    bbox = BBox(
        left=box.xmin * width - pad,
        top=box.ymin * height - pad,
        right=(box.xmin + box.width) * width - pad,
        bottom=(box.ymin + box.height) * height - pad,
    )
    keypoints = tuple(
        (name, kp.x * width - pad, kp.y * height - pad)
        for name, kp in zip(_KEYPOINT_NAMES, data.relative_keypoints, strict=False)
    )
    return Face(
        bbox=bbox, score=float(detection.score[0]), keypoints=keypoints, detector="blazeface"
    )


class FaceMeshLandmarker:
    """FaceMesh on a square crop around the detected face (refined: 478 points with irises)."""

    name = "facemesh"
    crop_scale = 1.8

    def __init__(self, refine: bool = True) -> None:
        self._refine = refine
        self._graph: Any = None
        self._lock = threading.Lock()

    def _mesh(self) -> Any:
        if self._graph is None:
            import mediapipe as mp

            self._graph = mp.solutions.face_mesh.FaceMesh(
                static_image_mode=True,
                max_num_faces=1,
                refine_landmarks=self._refine,
                min_detection_confidence=0.3,
            )
        return self._graph

    def landmarks(self, image: RGBImage, face: Face) -> Landmarks | None:
        crop, x0, y0 = _square_crop(image, face.bbox, self.crop_scale)
        with self._lock:
            result = self._mesh().process(crop)
        if not result.multi_face_landmarks:
            return None
        height, width = crop.shape[:2]
        raw = result.multi_face_landmarks[0].landmark
        points = np.array([(p.x * width + x0, p.y * height + y0, p.z * width) for p in raw])
        return Landmarks(points=points.astype(np.float32), model=self.name)


def _square_crop(image: RGBImage, bbox: BBox, scale: float) -> tuple[RGBImage, int, int]:
    """Square crop centred on the box, padded with black where it leaves the image."""
    cx, cy = bbox.center
    half = round(max(bbox.width, bbox.height) * scale / 2)
    x0, y0 = round(cx) - half, round(cy) - half
    size = 2 * half
    crop = np.zeros((size, size, 3), dtype=np.uint8)
    height, width = image.shape[:2]
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(width, x0 + size), min(height, y0 + size)
    if sx1 > sx0 and sy1 > sy0:
        crop[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = image[sy0:sy1, sx0:sx1]
    return crop, x0, y0
