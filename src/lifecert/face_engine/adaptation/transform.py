"""The learned cross-age metric: x -> normalise((x - mean) @ projection). NumPy only.

Parameters ship as ``params/<model_id>.npz`` (``mean`` (D,), ``projection`` (D, K)) with a
JSON model card beside it (base model id, method, seed, cross-validated results).
``training/train_cross_age.py`` reproduces both exactly from the data and a fixed seed.
Adapted descriptors are unit vectors compared by Euclidean distance, like the base ones, so
thresholds.json, matching.py and the 1:N index work on them unchanged.
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
class CrossAgeModel:
    model_id: str
    base_model_id: str
    mean: FloatArray
    projection: FloatArray
    card: dict[str, Any]

    @property
    def input_size(self) -> int:
        return int(self.projection.shape[0])

    def apply(self, vectors: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """(N, D) base descriptors -> (N, K) unit-length adapted descriptors, float32."""
        x = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
        if x.shape[-1] != self.input_size:
            raise FaceEngineError(
                f"{self.model_id} expects {self.input_size}-d descriptors of "
                f"{self.base_model_id}, got shape {x.shape}."
            )
        return project(x, self.mean, self.projection).astype(np.float32)


def project(x: FloatArray, mean: FloatArray, projection: FloatArray) -> FloatArray:
    """Centre, project and L2-normalise the rows of ``x``; the maths shared with training."""
    y = (np.atleast_2d(x) - mean) @ projection
    return np.asarray(y / np.maximum(np.linalg.norm(y, axis=-1, keepdims=True), 1e-12))


def save(model: CrossAgeModel, folder: Path = PARAMS_DIR) -> Path:
    """Write ``<model_id>.npz`` and ``<model_id>.json``; returns the .npz path."""
    folder.mkdir(parents=True, exist_ok=True)
    npz = folder / f"{model.model_id}.npz"
    # float32: small, and the loader applies exactly these values every time.
    with npz.open("wb") as handle:
        np.savez(handle, mean=model.mean.astype(np.float32),
                 projection=model.projection.astype(np.float32))
    card = {"model_id": model.model_id, "base_model_id": model.base_model_id, **model.card}
    npz.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return npz


def load(model_id: str, folder: Path = PARAMS_DIR) -> CrossAgeModel:
    npz, card_path = folder / f"{model_id}.npz", folder / f"{model_id}.json"
    if not npz.exists() or not card_path.exists():
        raise FaceEngineError(f"No cross-age parameters for {model_id!r} in {folder}.")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    with np.load(npz, allow_pickle=False) as data:
        mean = data["mean"].astype(np.float64)
        projection = data["projection"].astype(np.float64)
    if card.get("model_id") != model_id or mean.shape[0] != projection.shape[0]:
        raise FaceEngineError(f"Cross-age parameters of {model_id!r} are inconsistent.")
    extra = {k: v for k, v in card.items() if k not in ("model_id", "base_model_id")}
    return CrossAgeModel(model_id, str(card["base_model_id"]), mean, projection, extra)
