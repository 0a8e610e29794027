"""The shipped linear PAD model and its thresholds: small JSON files, served with NumPy.

``pad-lbpcolour-v3.json`` holds the face crops its features are taken from, the
standardisation and the logistic-regression weights written by ``training/train_pad.py``;
``thresholds.json`` holds the decision thresholds per model id (chosen on training folds by the
same script, never on the data they are scored on).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import FaceEngineError
from .features import Crop, feature_size

PACKAGE_DIR = Path(__file__).parent
DEFAULT_MODEL_ID = "pad-lbpcolour-v3"
THRESHOLDS_PATH = PACKAGE_DIR / "thresholds.json"


@dataclass(frozen=True, eq=False)
class LinearModel:
    """P(attack) = sigmoid(w . (x - mean) / scale + b) for one frame's feature vector x.

    ``crops`` says which face crops x is made of: the layout belongs to the weights, so a
    model file never meets features it was not trained on.
    """

    model_id: str
    crops: tuple[Crop, ...]
    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]
    bias: float

    def __post_init__(self) -> None:
        size = feature_size(self.crops)
        if not self.mean.shape == self.scale.shape == self.weights.shape == (size,):
            raise FaceEngineError(
                f"PAD model {self.model_id!r}: {len(self.weights)} weights for crops "
                f"{list(self.crops)} ({size} features)"
            )

    def scores(self, features: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """(N, D) features -> (N,) attack probabilities."""
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def to_json(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "crops": [[factor, size] for factor, size in self.crops],
            "bias": round(float(self.bias), 8),
            "mean": [round(float(v), 8) for v in self.mean],
            "scale": [round(float(v), 8) for v in self.scale],
            "weights": [round(float(v), 8) for v in self.weights],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        return cls(
            model_id=str(data["model_id"]),
            crops=tuple((float(factor), int(size)) for factor, size in data["crops"]),
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            weights=np.asarray(data["weights"], dtype=np.float64),
            bias=float(data["bias"]),
        )


@dataclass(frozen=True)
class PadThresholds:
    """Per-model decision limits (see thresholds.json for how each was chosen).

    texture score >= attack: confident attack; >= review: uncertain; below: live.
    """

    model_id: str
    review: float
    attack: float
    min_faces: int  # frames with a face needed to judge texture at all
    multi_face_fraction: float  # share of frames with a second face that fires the rule
    second_face_size: float  # a second face counts from this size relative to the main one
    rigid_min_pairs: int  # frame pairs with face motion needed to judge rigidity
    rigid_min_motion: float  # face motion (share of face width) that makes a pair count
    rigid_agreement: float  # median share of surroundings moving with the face that fires

    def as_dict(self) -> dict[str, float]:
        return {k: v for k, v in self.__dict__.items() if k != "model_id"}


def model_path(model_id: str) -> Path:
    return PACKAGE_DIR / f"{model_id}.json"


def load_model(model_id: str = DEFAULT_MODEL_ID) -> LinearModel:
    path = model_path(model_id)
    if not path.exists():
        raise FaceEngineError(
            f"PAD model {model_id!r} not found at {path}: run training/train_pad.py"
        )
    model = LinearModel.from_json(json.loads(path.read_text()))
    if model.model_id != model_id:
        raise FaceEngineError(f"{path} holds model {model.model_id!r}, not {model_id!r}")
    return model


def load_thresholds(
    model_id: str = DEFAULT_MODEL_ID, path: Path = THRESHOLDS_PATH
) -> PadThresholds:
    models = json.loads(path.read_text())["models"]
    if model_id not in models:
        raise FaceEngineError(f"No PAD thresholds for model {model_id!r} in {path}")
    values = {k: v for k, v in models[model_id].items() if not k.startswith("_")}
    fields = PadThresholds.__dataclass_fields__
    return PadThresholds(model_id=model_id, **{k: v for k, v in values.items() if k in fields})


def calibration_groups(model_id: str = DEFAULT_MODEL_ID, path: Path = THRESHOLDS_PATH) -> list[str]:
    """The people ("nuaa:<subject>", "video:<identity>") that chose the model and thresholds:
    benchmarks report the shipped model on everyone else (its out-of-sample figure)."""
    entry = json.loads(path.read_text())["models"].get(model_id, {})
    return list(entry.get("_calibration_split", {}).get("calibration_groups", []))
