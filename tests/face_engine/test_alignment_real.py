"""The 5-point predictor's start box: a dlib HOG box (what it was trained on), else a mapped box."""

import numpy as np

from lifecert.face_engine import FaceEngine, FaceEngineConfig
from lifecert.face_engine.backends.dlib_backend import Dlib5PointAligner, mapped_hog_box
from lifecert.face_engine.types import BBox, Face

from .helpers import image, real_engine

FRAME = "nuaa/ClientRaw/0001/0001_00_00_01_0.jpg"  # one frontal face, 640x480


def test_mapped_box_is_a_square_on_the_detector_box() -> None:
    box = mapped_hog_box(BBox(100, 100, 200, 220))
    assert abs(box.width - box.height) < 1e-9
    assert 80 < box.width < 120
    assert abs(box.center[0] - 150) < 10 and abs(box.center[1] - 160) < 15


def test_start_box_is_the_hog_box_of_the_face() -> None:
    import dlib

    picture = image(FRAME)
    face = real_engine().detect(picture)[0]
    assert face.detector == "blazeface"
    start = Dlib5PointAligner().predictor_box(picture, face)
    hog = dlib.get_frontal_face_detector()(picture, 0)[0]
    reference = BBox(hog.left(), hog.top(), hog.right(), hog.bottom())
    assert start.iou(reference) > 0.8  # found on the rescaled crop, mapped back
    assert start != mapped_hog_box(face.bbox)


def test_mapped_box_when_hog_finds_nothing() -> None:
    picture = np.full((300, 300, 3), 127, dtype=np.uint8)  # no face for HOG
    face = Face(BBox(100, 100, 200, 200), 0.9, (), "blazeface")
    assert Dlib5PointAligner().predictor_box(picture, face) == mapped_hog_box(face.bbox)


def test_hog_faces_keep_their_box_and_the_rule_names_the_cache() -> None:
    face = Face(BBox(10, 20, 90, 100), 1.0, (), "dlib_hog")
    picture = np.zeros((120, 120, 3), dtype=np.uint8)
    assert Dlib5PointAligner().predictor_box(picture, face) == face.bbox
    new = FaceEngine(FaceEngineConfig(aligner="dlib5"))
    old = FaceEngine(FaceEngineConfig(aligner="dlib5_shift"))
    assert new.model_id == old.model_id  # alignment is not part of the model
    assert new.aligner.version != old.aligner.version  # type: ignore[attr-defined]
