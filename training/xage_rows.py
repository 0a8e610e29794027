"""The measured configurations of issue 8: raw descriptor, each improvement, the shipped model.

Shared by training/train_cross_age.py (which also writes the parameters) and
benchmarks/verify_cross_age.py (which reports them), so both print the same numbers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lifecert.face_engine.adaptation.robust import SMALL_IMAGE_SIDE
from training.xage_descriptors import DescriptorSet, load_or_embed, make_engine, read_lag_manifest
from training.xage_eval import CVResult, Lag, cross_validate, fit_on, select
from training.xage_fit import FitConfig, Fitted
from training.xage_lfw import kfold_accuracy, lfw_pair_images, read_pairs

SEED = 20261126
FOLDS = 5
SHRINKAGE = (0.5, 0.7, 0.85)
SNORM_K = (100, 200)


@dataclass(frozen=True)
class Row:
    name: str
    variant: str  # "plain" | "upscaled" (small photos upscaled before detection/alignment)
    augment: str  # the engine's test-time views: "none" | "flip" | "jitter6"
    grid: tuple[FitConfig, ...]


def _grid(method: str, snorm: bool) -> tuple[FitConfig, ...]:
    shrinkages = (0.0,) if method == "raw" else SHRINKAGE
    ks = SNORM_K if snorm else (0,)
    return tuple(FitConfig(method, a, k) for a in shrinkages for k in ks)


ROWS = (
    Row("raw descriptor (1 view)", "plain", "none", _grid("raw", False)),
    Row("+ flip views", "plain", "flip", _grid("raw", False)),
    Row("+ jitter6 views (engine default)", "plain", "jitter6", _grid("raw", False)),
    Row(f"+ upscale photos < {SMALL_IMAGE_SIDE}px", "upscaled", "jitter6", _grid("raw", False)),
    Row("jitter6 + s-norm only", "plain", "jitter6", _grid("raw", True)),
    Row("jitter6 + WCCN", "plain", "jitter6", _grid("wccn", False)),
    Row("jitter6 + JB metric (xage1, shipped)", "plain", "jitter6", _grid("jb", False)),
    Row("jitter6 + JB metric + s-norm", "plain", "jitter6", _grid("jb", True)),
)
# The shipped parameters (opt-in: LIFECERT_FACE__ADAPTATION=+xage1; off by default because LFW
# falls from 99.10 % to 98.57 % with it). s-norm scores higher on LAG at matched FAR, but its
# LAG cohort calibrates badly on same-age, better-quality pairs: at the engine's LFW-calibrated
# thresholds it accepts fewer genuine pairs in both sets (see the closing note of issue 8), so
# it is not shipped.
SHIPPED = ROWS[-2]


@dataclass
class Data:
    lag: dict[str, DescriptorSet]  # by variant
    identity: npt.NDArray[np.str_]
    young: npt.NDArray[np.bool_]
    trainable: npt.NDArray[np.bool_]
    lfw: DescriptorSet
    lfw_folds: list[list[tuple[str, str, bool]]]
    base_model_id: str

    def lag_for(self, row: Row) -> Lag:
        s = self.lag[row.variant]
        return Lag(s.mode(row.augment), self.identity, self.young, s.detected, self.trainable)


def load_data(data_dir: Path) -> Data:
    engine = make_engine()
    rows = read_lag_manifest(data_dir / "lag")
    names = [p for p, _, _ in rows]
    identity = np.array([i for _, i, _ in rows])
    lfw_people = {d.lower() for d in os.listdir(data_dir / "lfw" / "images")}
    lag = {v: load_or_embed(engine, data_dir / "lag" / "images", names, "lag", v)
           for v in ("plain", "upscaled")}
    lfw_names = lfw_pair_images(data_dir / "lfw")
    return Data(
        lag=lag,
        identity=identity,
        young=np.array([g == "young" for _, _, g in rows]),
        trainable=np.array([i not in lfw_people for i in identity]),
        lfw=load_or_embed(engine, data_dir / "lfw" / "images", lfw_names, "lfw", "plain"),
        lfw_folds=read_pairs(data_dir / "lfw" / "pairs.txt"),
        base_model_id=engine.embedder.model_id,
    )


def evaluate_row(data: Data, row: Row) -> tuple[CVResult, Fitted, float]:
    """Nested-CV cross-age result, the model fitted on all trainable LAG, its LFW accuracy."""
    lag = data.lag_for(row)
    result = cross_validate(lag, row.grid, FOLDS, SEED)
    final = fit_on(lag, select(lag, row.grid, FOLDS, SEED))
    return result, final, lfw_accuracy(data, row, final)


def lfw_accuracy(data: Data, row: Row, fitted: Fitted) -> float:
    """k-fold LFW accuracy (LFW images are >= 200 px: no variant upscales them)."""
    x = data.lfw.mode(row.augment)
    folds = []
    for fold in data.lfw_folds:
        a = x[data.lfw.rows([p for p, _, _ in fold])]
        b = x[data.lfw.rows([q for _, q, _ in fold])]
        d = np.diag(fitted.distances(a, b))  # first image: probe, second: reference
        folds.append((d, np.array([s for _, _, s in fold])))
    return kfold_accuracy(folds)
