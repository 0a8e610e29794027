import subprocess
import sys

import numpy as np
import pytest

from lifecert.face_engine import Embedding, FaceEngine, FaceEngineConfig, ModelMismatchError
from lifecert.face_engine.errors import FaceEngineError, UnknownBackendError
from lifecert.face_engine.matching import decide, load_thresholds
from lifecert.face_engine.messages import MESSAGES, QUALITY_REASONS, message
from lifecert.face_engine.registry import available, register
from lifecert.face_engine.types import Thresholds

from .helpers import fake_engine


def noisy_image(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (120, 100, 3), dtype=np.uint8)


def test_import_loads_no_model() -> None:
    code = (
        "import sys, lifecert.face_engine as fe; fe.FaceEngine();"
        "heavy = [m for m in ('mediapipe', 'dlib', 'onnxruntime') if m in sys.modules];"
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_fake_engine_same_image_accepts_and_other_rejects() -> None:
    engine = fake_engine()
    a, b = noisy_image(1), noisy_image(2)
    first, again, other = engine.embed(a), engine.embed(a.copy()), engine.embed(b)
    assert first.model_id == "fake-v1" and first.vector.shape == (128,)
    assert engine.compare(first, again).decision == "accept"
    match = engine.compare(first, other)
    assert match.decision == "reject" and match.distance > 1.0


def test_fake_detector_finds_no_face_in_flat_image() -> None:
    engine = fake_engine()
    assert engine.detect(np.full((50, 50, 3), 128, dtype=np.uint8)) == []
    assert engine.quality(np.full((50, 50, 3), 128, dtype=np.uint8)).reasons == ("no_face",)


def test_comparing_different_models_raises() -> None:
    a = Embedding(np.zeros(128, dtype=np.float32), "dlib-resnet-v1")
    b = Embedding(np.zeros(128, dtype=np.float32), "fake-v1")
    with pytest.raises(ModelMismatchError, match="re-embed"):
        fake_engine().compare(a, b)


def test_unknown_model_thresholds_raise() -> None:
    a = Embedding(np.zeros(4, dtype=np.float32), "nobody-v9")
    with pytest.raises(FaceEngineError) as error:
        fake_engine().compare(a, a)
    assert error.value.code == "no_thresholds"


def test_decision_bands() -> None:
    limits = Thresholds("m", accept=0.4, review=0.55)
    assert [decide(d, limits) for d in (0.3, 0.4, 0.5, 0.56)] == [
        "accept",
        "accept",
        "review",
        "reject",
    ]


def test_packaged_thresholds_have_a_review_band_for_dlib() -> None:
    dlib = load_thresholds()["dlib-resnet-v1"]
    assert 0.3 < dlib.accept <= dlib.review < 0.7


def test_registry_rejects_unknown_and_accepts_new_backends() -> None:
    with pytest.raises(UnknownBackendError):
        FaceEngine(FaceEngineConfig(detector="no-such")).detect(noisy_image(3))
    register(
        "detector",
        "test-none",
        lambda _ctx: type("D", (), {"name": "x", "detect": lambda s, i: []})(),
        replace=True,
    )
    assert "test-none" in available("detector")
    engine = FaceEngine(FaceEngineConfig(detector="test-none", fallback_detector=None))
    assert engine.detect(noisy_image(4)) == []


def test_every_reason_has_both_messages() -> None:
    for code in QUALITY_REASONS:
        assert MESSAGES[code]["zh-CN"] and MESSAGES[code]["en"]
    assert message("face_too_small", "zh-CN") == "请靠近一点"
    assert message("too_dark", "en") == "Too dark. Please move to a brighter place"


def test_views_change_the_model_id_and_keep_unit_length() -> None:
    from lifecert.face_engine.backends.fake import FakeEmbedder
    from lifecert.face_engine.views import embed_with_views, model_suffix

    chips = np.random.default_rng(9).integers(0, 255, (2, 32, 32, 3), dtype=np.uint8)
    vectors = embed_with_views(FakeEmbedder(), chips, "jitter6")
    assert vectors.shape == (2, 128)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert model_suffix("jitter6") == "+jitter6" and model_suffix("none") == ""
    with pytest.raises(FaceEngineError):
        model_suffix("sideways")


def test_default_engine_model_has_calibrated_thresholds() -> None:
    engine = FaceEngine()  # builds backend objects only; no model file is read
    limits = engine.thresholds[engine.model_id]
    assert engine.model_id == "dlib-resnet-v1+jitter6"  # cross-age adaptation is opt-in
    assert 0.2 < limits.accept < limits.review < 0.6
