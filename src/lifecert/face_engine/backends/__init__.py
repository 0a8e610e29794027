"""Built-in backends. Registration imports no model library; factories load lazily."""

from __future__ import annotations

import importlib
import pkgutil

from ..registry import BackendContext, Factory, Kind, register

# Optional modules (e.g. the ONNX port of dlib's embedder) register themselves through a
# ``register_backends()`` function; a missing one is simply skipped.
_OPTIONAL_MODULES = ("lifecert.face_engine.dlib_onnx",)


def _mediapipe_detector(_: BackendContext) -> object:
    from .mediapipe_backend import BlazeFaceDetector

    return BlazeFaceDetector()


def _facemesh(_: BackendContext) -> object:
    from .mediapipe_backend import FaceMeshLandmarker

    return FaceMeshLandmarker()


def _dlib_hog(_: BackendContext) -> object:
    from .dlib_backend import DlibHogDetector

    return DlibHogDetector()


def _dlib5(_: BackendContext) -> object:
    from .dlib_backend import Dlib5PointAligner

    return Dlib5PointAligner()


def _dlib5_shift(_: BackendContext) -> object:
    from .dlib_backend import Dlib5PointAligner

    return Dlib5PointAligner(box_source="shift")  # the former rule, for benchmarks


def _dlib_resnet(_: BackendContext) -> object:
    from .dlib_backend import DlibResNetEmbedder

    return DlibResNetEmbedder()


def _active_liveness(context: BackendContext) -> object:
    from ..liveness.check import ActiveLivenessCheck

    engine = context.engine
    return ActiveLivenessCheck(
        engine.detector,
        engine.landmarker,
        engine.aligner,
        engine.embedder,
        landmark_stride=engine.config.landmark_stride,
    )


def _lbpcolour_pad(context: BackendContext) -> object:
    from ..pad.check import ColourTexturePad
    from ..pad.model import load_model, load_thresholds

    model = load_model()
    return ColourTexturePad(context.engine.detector, model, load_thresholds(model.model_id))


def _fake(kind: str) -> object:
    from . import fake

    classes = {
        "detector": fake.FakeDetector,
        "landmarker": fake.FakeLandmarker,
        "aligner": fake.FakeAligner,
        "embedder": fake.FakeEmbedder,
        "liveness": fake.FakeLivenessCheck,
        "pad": fake.FakePadCheck,
    }
    return classes[kind]()


def _fake_factory(kind: Kind) -> Factory:
    return lambda _context: _fake(kind)


def register_builtin() -> None:
    register("detector", "blazeface", _mediapipe_detector)
    register("detector", "dlib_hog", _dlib_hog)
    register("landmarker", "facemesh", _facemesh)
    register("aligner", "dlib5", _dlib5)
    register("aligner", "dlib5_shift", _dlib5_shift)
    register("embedder", "dlib_resnet", _dlib_resnet)
    register("liveness", "active", _active_liveness)
    register("pad", "lbpcolour", _lbpcolour_pad)
    for kind in ("detector", "landmarker", "aligner", "embedder", "liveness", "pad"):
        register(kind, "fake", _fake_factory(kind))
    _register_optional()


def _register_optional() -> None:
    names = list(_OPTIONAL_MODULES)
    names += [f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__) if m.name != "fake"]
    for module_name in names:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        hook = getattr(module, "register_backends", None)
        if callable(hook):
            hook()
