"""Identity-disjoint evaluation of cross-age matching: folds, young<->old pairs, TAR at FAR.

Genuine pairs: every young photo of a person against every adult/old photo of the same person.
Impostor pairs: young photo of one person against old photo of another (all such pairs among
the test identities of a fold: ~180x the genuine count). A pair involving a photo in which no
detector found a face scores +inf: the engine would refuse it, so it never matches.
Hyper-parameters are chosen by an inner CV on the training identities only (nested CV).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from training.xage_fit import FitConfig, Fitted, fit

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
FAR_TARGETS = (1e-3, 1e-2)


@dataclass(frozen=True)
class Lag:
    """LAG descriptors of one pipeline variant, with labels (rows aligned)."""

    x: FloatArray
    identity: npt.NDArray[np.str_]
    young: BoolArray
    detected: BoolArray
    trainable: BoolArray  # False: identity also in LFW, kept out of every training set

    def subset(self, rows: BoolArray) -> Lag:
        return Lag(self.x[rows], self.identity[rows], self.young[rows], self.detected[rows],
                   self.trainable[rows])


@dataclass
class CVResult:
    tar_at_far: dict[str, float]
    per_fold: list[dict[str, float]]
    chosen: list[FitConfig]
    genuine: FloatArray = field(repr=False)
    impostor: FloatArray = field(repr=False)


def identity_folds(identities: npt.NDArray[np.str_], k: int, seed: int) -> npt.NDArray[np.int64]:
    """Fold (0..k-1) of each row, from a seeded permutation of the sorted identity list."""
    people = np.unique(identities)
    order = np.random.default_rng(seed).permutation(len(people))
    fold_of_person = {str(people[i]): rank % k for rank, i in enumerate(order)}
    return np.array([fold_of_person[str(p)] for p in identities], dtype=np.int64)


def fit_on(data: Lag, config: FitConfig) -> Fitted:
    train = data.subset(data.trainable)
    return fit(train.x, train.identity, train.young, config)


def cross_age_distances(data: Lag, fitted: Fitted) -> tuple[FloatArray, FloatArray]:
    """(genuine, impostor) distances of all old-probe <-> young-reference pairs of ``data``."""
    y, o = data.young, ~data.young
    d = fitted.distances(data.x[o], data.x[y])
    d[~data.detected[o], :] = np.inf
    d[:, ~data.detected[y]] = np.inf
    same = data.identity[o][:, None] == data.identity[y][None, :]
    return d[same], d[~same]


def tar_at_far(genuine: FloatArray, impostor: FloatArray, far: float) -> float:
    """TAR accepting distances strictly below the first impostor we may not accept."""
    ordered = np.sort(impostor)
    allowed = int(np.floor(far * len(ordered)))
    threshold = ordered[allowed] if allowed < len(ordered) else np.inf
    return float(np.mean(genuine < threshold))


def threshold_at_far(impostor: FloatArray, far: float) -> float:
    """Largest distance that accepts at most ``far`` of ``impostor`` (accept: d <= it)."""
    ordered = np.sort(impostor[np.isfinite(impostor)])
    allowed = int(np.floor(far * len(ordered)))
    return float(ordered[allowed - 1]) if allowed else float(ordered[0]) * (1 - 1e-9)


def tars(genuine: FloatArray, impostor: FloatArray) -> dict[str, float]:
    return {f"{far:g}": tar_at_far(genuine, impostor, far) for far in FAR_TARGETS}


def select(data: Lag, grid: Sequence[FitConfig], folds: int, seed: int) -> FitConfig:
    """The grid entry with the best mean of TAR@1e-3 and TAR@1e-2 in a CV on ``data``."""
    if len(grid) == 1:
        return grid[0]
    fold_of = identity_folds(data.identity, folds, seed)
    best, best_score = grid[0], -1.0
    for config in grid:
        scores = []
        for fold in range(folds):
            fitted = fit_on(data.subset(fold_of != fold), config)
            result = tars(*cross_age_distances(data.subset(fold_of == fold), fitted))
            scores.append(np.mean(list(result.values())))
        if float(np.mean(scores)) > best_score:
            best, best_score = config, float(np.mean(scores))
    return best


def cross_validate(data: Lag, grid: Sequence[FitConfig], folds: int, seed: int) -> CVResult:
    """Outer identity-disjoint CV; each outer fold picks its config by an inner CV."""
    fold_of = identity_folds(data.identity, folds, seed)
    per_fold, chosen, genuine, impostor = [], [], [], []
    for fold in range(folds):
        train = data.subset(fold_of != fold)
        config = select(train, grid, folds - 1, seed + 1 + fold)
        g, i = cross_age_distances(data.subset(fold_of == fold), fit_on(train, config))
        per_fold.append(tars(g, i))
        chosen.append(config)
        genuine.append(g)
        impostor.append(i)
    mean = {k: float(np.mean([f[k] for f in per_fold])) for k in per_fold[0]}
    return CVResult(mean, per_fold, chosen, np.concatenate(genuine), np.concatenate(impostor))


def roc_points(genuine: FloatArray, impostor: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(FAR, TAR) at every finite distance threshold, accepting distance <= threshold."""
    scores = np.concatenate([genuine, impostor])
    thresholds = np.unique(scores[np.isfinite(scores)])
    tar = np.searchsorted(np.sort(genuine), thresholds, side="right") / len(genuine)
    far = np.searchsorted(np.sort(impostor), thresholds, side="right") / len(impostor)
    return far, tar
