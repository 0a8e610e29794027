"""Comparing embeddings: distance, similarity and a decision band from per-model thresholds.

Thresholds are data (``thresholds.json``), calibrated by ``benchmarks/verify_lfw.py
--calibrate`` on LFW (the development set); never on the sets we report as tests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .errors import FaceEngineError, ModelMismatchError
from .types import Decision, Embedding, Match, Thresholds

DEFAULT_THRESHOLDS_PATH = Path(__file__).with_name("thresholds.json")
# The band for a reference photo taken years before the check (an imported ID-card photo):
# ageing moves genuine distances up, so it has its own accept/review limits per model.
AGED_REFERENCE = "aged_reference"


def band_key(model_id: str, band: str) -> str:
    return f"{model_id}@{band}"


def load_thresholds(path: str | Path | None = None) -> dict[str, Thresholds]:
    """Read ``{model_id: {"accept": d1, "review": d2, ...}}``; accept <= review is enforced."""
    source = Path(path) if path is not None else DEFAULT_THRESHOLDS_PATH
    raw = json.loads(source.read_text(encoding="utf-8"))
    table: dict[str, Thresholds] = {}
    for model_id, entry in raw.get("models", {}).items():
        accept, review = float(entry["accept"]), float(entry["review"])
        if not 0 <= accept <= review:
            raise FaceEngineError(f"Thresholds of {model_id}: need 0 <= accept <= review.")
        table[model_id] = Thresholds(model_id=model_id, accept=accept, review=review)
        for band, limits in entry.get("bands", {}).items():
            low, high = float(limits["accept"]), float(limits["review"])
            if not 0 <= low <= high:
                raise FaceEngineError(f"Band {band} of {model_id}: need 0 <= accept <= review.")
            table[band_key(model_id, band)] = Thresholds(model_id=model_id, accept=low, review=high)
    for alias, target in raw.get("aliases", {}).items():
        if target in table:
            table[alias] = Thresholds(alias, table[target].accept, table[target].review)
    return table


def distance(a: Embedding, b: Embedding) -> float:
    _require_same_model(a, b)
    return float(np.linalg.norm(a.vector.astype(np.float64) - b.vector.astype(np.float64)))


def cosine_similarity(a: Embedding, b: Embedding) -> float:
    _require_same_model(a, b)
    va, vb = a.vector.astype(np.float64), b.vector.astype(np.float64)
    denominator = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return float(va @ vb / denominator) if denominator > 0 else 0.0


def decide(dist: float, thresholds: Thresholds) -> Decision:
    if dist <= thresholds.accept:
        return "accept"
    if dist <= thresholds.review:
        return "review"
    return "reject"


def compare(
    a: Embedding, b: Embedding, thresholds: Mapping[str, Thresholds], band: str | None = None
) -> Match:
    """Compare two embeddings of the same model with that model's thresholds (those of
    ``band``, e.g. AGED_REFERENCE, where the model has that band; else its default ones)."""
    _require_same_model(a, b)
    try:
        key = band_key(a.model_id, band) if band else a.model_id
        model_thresholds = thresholds.get(key) or thresholds[a.model_id]
    except KeyError:
        raise FaceEngineError(
            f"No thresholds for model {a.model_id!r}; calibrate it with benchmarks/verify_lfw.py.",
            code="no_thresholds",
        ) from None
    dist = distance(a, b)
    return Match(
        distance=dist,
        similarity=cosine_similarity(a, b),
        decision=decide(dist, model_thresholds),
        model_id=a.model_id,
        thresholds=model_thresholds,
    )


def _require_same_model(a: Embedding, b: Embedding) -> None:
    if a.model_id != b.model_id:
        raise ModelMismatchError(
            f"Cannot compare an embedding of {a.model_id!r} with one of {b.model_id!r}: "
            "re-enrol or re-embed both faces with the same model."
        )
    if a.vector.shape != b.vector.shape:
        raise ModelMismatchError(f"Embedding shapes differ: {a.vector.shape} vs {b.vector.shape}.")
