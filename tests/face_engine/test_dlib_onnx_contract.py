"""Contract: the ONNX Runtime embedder gives dlib's own descriptors on real LFW chips.

This is the evidence that lets both backends share the model id "dlib-resnet-v1": over 200+
real chips the max abs difference must stay <= 1e-5 and no LFW pair may change its decision.
dlib costs ~0.15 s per chip here, so the module takes ~1 minute (marked slow, still run in CI).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from lifecert.face_engine import matching
from lifecert.face_engine.dlib_onnx.embedder import MODEL_ID, OnnxResnetEmbedder
from lifecert.face_engine.types import Thresholds

from .helpers import data_dir

pytestmark = pytest.mark.slow

MAX_ABS_DIFF = 1e-5
MIN_CHIPS = 200
PAIR_STEP = 5  # every 5th pair of LFW fold 1: 60 same + 60 different pairs, up to 240 images


def lfw_pairs(lfw: Path, step: int = PAIR_STEP) -> list[tuple[str, str, bool]]:
    """(relative image a, relative image b, same person) from fold 1 of the official pairs.txt."""
    lines = (lfw / "pairs.txt").read_text().splitlines()[1:601]
    pairs = []
    for line in lines[::step]:
        parts = line.split("\t")
        if len(parts) == 3:
            name, a, b = parts
            pairs.append((_image(name, a), _image(name, b), True))
        else:
            pairs.append((_image(parts[0], parts[1]), _image(parts[2], parts[3]), False))
    return pairs


def _image(name: str, number: str) -> str:
    return f"images/{name}/{name}_{int(number):04d}.jpg"


def dlib_chip(path: Path) -> np.ndarray | None:
    """The 150x150 chip dlib's own pipeline would embed: HOG face, 5 points, get_face_chip."""
    import dlib
    import face_recognition_models as frm

    detector, predictor = _dlib_models(frm.pose_predictor_five_point_model_location())
    image = dlib.load_rgb_image(str(path))
    faces = detector(image, 0) or detector(image, 1)
    if not faces:
        return None
    centre = np.array(image.shape[1::-1]) / 2
    face = min(
        faces, key=lambda r: float(np.hypot(*(np.array([r.center().x, r.center().y]) - centre)))
    )
    chip = dlib.get_face_chip(image, predictor(image, face), size=150, padding=0.25)
    return np.ascontiguousarray(chip, dtype=np.uint8)


@functools.cache
def _dlib_models(shape_model: str) -> tuple[object, object]:
    import dlib

    return dlib.get_frontal_face_detector(), dlib.shape_predictor(shape_model)


def dlib_descriptors(chips: np.ndarray) -> np.ndarray:
    """dlib's reference: compute_face_descriptor on the very same aligned chips."""
    import dlib
    import face_recognition_models as frm

    net = dlib.face_recognition_model_v1(frm.face_recognition_model_location())
    out = net.compute_face_descriptor([np.ascontiguousarray(c) for c in chips])
    return np.array([np.asarray(d) for d in out], dtype=np.float32)


@pytest.fixture(scope="module")
def lfw_case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    lfw = data_dir() / "lfw"
    pairs = lfw_pairs(lfw)
    names = sorted({p for a, b, _ in pairs for p in (a, b)})
    chips = {n: c for n in names if (c := dlib_chip(lfw / n)) is not None}
    stack = np.stack(list(chips.values()))
    onnx = OnnxResnetEmbedder(threads=1, cache_dir=tmp_path_factory.mktemp("models"))
    return {
        "pairs": pairs,
        "index": {n: i for i, n in enumerate(chips)},
        "dlib": dlib_descriptors(stack),
        "onnx": onnx.embed_chips(stack),
    }


def test_enough_real_chips(lfw_case: dict) -> None:
    assert len(lfw_case["index"]) >= MIN_CHIPS


def test_descriptors_equal_dlib(lfw_case: dict) -> None:
    diff = np.abs(lfw_case["onnx"] - lfw_case["dlib"])
    assert diff.max() <= MAX_ABS_DIFF, f"max abs diff {diff.max():.3g} over {len(diff)} chips"


def test_no_pair_decision_changes(lfw_case: dict) -> None:
    bands = [matching.load_thresholds()[MODEL_ID], Thresholds(MODEL_ID, 0.6, 0.6)]
    index, compared = lfw_case["index"], 0
    for a, b, _same in lfw_case["pairs"]:
        if a not in index or b not in index:
            continue
        compared += 1
        distances = [
            float(np.linalg.norm(v[index[a]].astype(np.float64) - v[index[b]]))
            for v in (lfw_case["dlib"], lfw_case["onnx"])
        ]
        for band in bands:
            decisions = [matching.decide(d, band) for d in distances]
            assert decisions[0] == decisions[1], f"{a} vs {b}: {distances} at {band}"
    assert compared >= 100
