"""Fitting and cross-validating the linear PAD model (NumPy only, deterministic).

L2-regularised logistic regression by Newton's method on standardised features: a convex
problem with one answer, so re-running gives the same weights bit for bit (no random start).
Splits are by person (``Samples.groups``): one NUAA subject or one dev-video identity is
never both trained on and scored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lifecert.face_engine.pad.features import Crop
from lifecert.face_engine.pad.model import LinearModel
from training.pad_data import Samples

L2 = 30.0  # ridge strength on standardised features (total sample weight is len(samples))
ITERATIONS = 25


def sample_weights(samples: Samples) -> np.ndarray:
    """Every clip weighs the same within its (source, class) and every (source, class) the same:
    120 frames of one NUAA session are one piece of evidence, not 120."""
    weights = np.zeros(len(samples.labels))
    clip_sizes = {c: n for c, n in zip(*np.unique(samples.clips, return_counts=True), strict=True)}
    for index, clip in enumerate(samples.clips):
        weights[index] = 1.0 / clip_sizes[clip]
    for source in np.unique(samples.sources):
        for label in (0, 1):
            mask = (samples.sources == source) & (samples.labels == label)
            if mask.any():
                weights[mask] /= weights[mask].sum()
    return weights * len(weights) / weights.sum()


def fit(samples: Samples, model_id: str, crops: Sequence[Crop], l2: float = L2) -> LinearModel:
    x, y = samples.features, samples.labels.astype(np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-3  # constant bins stay harmless
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = sample_weights(samples)
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -50, 50)))
        gradient = z.T @ (w * (p - y)) + penalty * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return LinearModel(model_id, tuple(crops), mean, scale, beta[:-1], float(beta[-1]))


Fitter = Callable[[Samples], LinearModel]


def out_of_fold(samples: Samples, fitter: Fitter) -> np.ndarray:
    """Each frame's attack score from a model trained without that frame's person."""
    scores = np.zeros(len(samples.labels))
    for group in np.unique(samples.groups):
        held = samples.groups == group
        model = fitter(samples.subset(~held))
        scores[held] = model.scores(samples.features[held])
    return scores


REVIEW_BPCER, ATTACK_BPCER = 0.05, 0.01  # share of real frames (clip-weighted) above each


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][min(len(values) - 1, int(np.searchsorted(cumulative, q)))])


def choose_thresholds(samples: Samples, scores: np.ndarray) -> tuple[float, float]:
    """(review, attack) from out-of-fold scores of TRAINING people only: the frame scores that
    REVIEW_BPCER and ATTACK_BPCER of their real frames (each clip weighing the same) exceed."""
    real = samples.labels == 0
    weights = sample_weights(samples)[real]
    review = weighted_quantile(scores[real], weights, 1.0 - REVIEW_BPCER)
    attack = weighted_quantile(scores[real], weights, 1.0 - ATTACK_BPCER)
    return round(review, 4), round(max(attack, review), 4)


@dataclass(frozen=True)
class HeldOut:
    """One person's frames scored by a model (and thresholds) that never saw them."""

    group: str
    model: LinearModel
    review: float
    attack: float


def nested(samples: Samples, fitter: Fitter) -> dict[str, HeldOut]:
    """For each person: a model fitted without them, and thresholds chosen on the out-of-fold
    scores of the other people only (an inner leave-one-person-out)."""
    result = {}
    for group in np.unique(samples.groups):
        train = samples.subset(samples.groups != group)
        review, attack = choose_thresholds(train, out_of_fold(train, fitter))
        result[str(group)] = HeldOut(str(group), fitter(train), review, attack)
    return result
