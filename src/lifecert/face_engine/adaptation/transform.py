"""The learned cross-age transform: centre, project, L2-normalise. NumPy only.

Parameters ship as ``params/<model_id>.npz`` (arrays ``mean`` (D,), ``projection`` (D, K)) with
a JSON model card beside it (base model id, training data, seed, cross-validated results).
``training/train_cross_age.py`` reproduces both exactly from the data and a fixed seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import FaceEngineError

PARAMS_DIR = Path(__file__).with_name("params")
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class LinearAdaptation:
    """x -> normalise((x - mean) @ projection). Euclidean distance of the outputs is a cosine."""

    model_id: str
    base_model_id: str
    mean: FloatArray
    projection: FloatArray
    card: dict[str, Any]

    @property
    def input_size(self) -> int:
        return int(self.projection.shape[0])

    @property
    def output_size(self) -> int:
        return int(self.projection.shape[1])

    def apply(self, vectors: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """(N, D) or (D,) base descriptors -> unit-length adapted descriptors, float32."""
        x = np.asarray(vectors, dtype=np.float64)
        if x.shape[-1] != self.input_size:
            raise FaceEngineError(
                f"{self.model_id} expects {self.input_size}-d descriptors of "
                f"{self.base_model_id}, got shape {x.shape}."
            )
        return project(x, self.mean, self.projection).astype(np.float32)


def project(x: FloatArray, mean: FloatArray, projection: FloatArray) -> FloatArray:
    """Centre, project and L2-normalise (rows of ``x``); the maths shared with training."""
    y = (x - mean) @ projection
    norm = np.linalg.norm(y, axis=-1, keepdims=True)
    return np.asarray(y / np.maximum(norm, 1e-12))


def save(adaptation: LinearAdaptation, folder: Path = PARAMS_DIR) -> Path:
    """Write ``<model_id>.npz`` and ``<model_id>.json``; returns the .npz path."""
    folder.mkdir(parents=True, exist_ok=True)
    npz = folder / f"{adaptation.model_id}.npz"
    # float32 keeps the file small; loading applies the same float32 values every time.
    np.savez(npz, mean=adaptation.mean.astype(np.float32),
             projection=adaptation.projection.astype(np.float32))
    card = {"model_id": adaptation.model_id, "base_model_id": adaptation.base_model_id,
            **adaptation.card}
    npz.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return npz


def load(model_id: str, folder: Path = PARAMS_DIR) -> LinearAdaptation:
    npz, card_path = folder / f"{model_id}.npz", folder / f"{model_id}.json"
    if not npz.exists() or not card_path.exists():
        raise FaceEngineError(f"No adaptation parameters for {model_id!r} in {folder}.")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    with np.load(npz, allow_pickle=False) as data:
        mean = data["mean"].astype(np.float64)
        projection = data["projection"].astype(np.float64)
    if card.get("model_id") != model_id or mean.shape[0] != projection.shape[0]:
        raise FaceEngineError(f"Adaptation parameters of {model_id!r} are inconsistent.")
    extra = {k: v for k, v in card.items() if k not in ("model_id", "base_model_id")}
    return LinearAdaptation(model_id, str(card["base_model_id"]), mean, projection, extra)
