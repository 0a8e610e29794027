"""Closed-form fits of cross-age scorers on labelled descriptors (NumPy only).

A scorer maps (probe descriptors, reference descriptors) to a distance matrix; probes are
adult/old photos (today's face), references young ones (the old ID photo).

* ``raw``: Euclidean distance of the descriptors, as the engine compares them today.
* ``wccn``: within-class covariance normalisation, then cosine.
* ``jb``: the linear part of a Joint-Bayesian model (Chen et al. 2012): with identity scatter
  S_mu and cross-age scatter S_eps, G = -(2 S_mu + S_eps)^-1 S_mu S_eps^-1, and the metric
  sqrt(-G) weighs directions by how much they separate people relative to how much ageing
  moves them. Not centred: centring on the mean face cost TAR (the mean direction carries
  identity information in dlib's space).
* ``+snorm``: role-aware AS-norm against the training images as cohort (adaptation/snorm.py).

Within-class scatter comes from young-old differences of the same person, the variation the
pension case must ignore. Shrinkage towards a scaled identity keeps the metric near the base one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lifecert.face_engine.adaptation import snorm
from lifecert.face_engine.adaptation.transform import project

FloatArray = npt.NDArray[np.float64]
Scorer = Callable[[FloatArray, FloatArray], FloatArray]


@dataclass(frozen=True)
class FitConfig:
    method: str = "jb"  # "raw" | "wccn" | "jb"
    shrinkage: float = 0.7  # 0: pure sample scatter; 1: identity (plain cosine)
    snorm_k: int = 0  # 0: no score normalisation; else the cohort's top-K


@dataclass(frozen=True)
class Fitted:
    """A fitted scorer: the linear metric (None for raw) and, with s-norm, its cohorts."""

    config: FitConfig
    mean: FloatArray | None = None
    projection: FloatArray | None = None
    cohort_young: FloatArray | None = None
    cohort_old: FloatArray | None = None

    def embed(self, x: FloatArray) -> FloatArray:
        if self.projection is None or self.mean is None:
            return x
        return project(x, self.mean, self.projection)

    def distances(self, probes: FloatArray, references: FloatArray) -> FloatArray:
        p, r = self.embed(probes), self.embed(references)
        if self.cohort_young is None or self.cohort_old is None:
            return pairwise(p, r)
        if self.projection is None:  # s-norm on raw descriptors: cosine of the unit vectors
            p, r = unit(p), unit(r)
        k = self.config.snorm_k
        score = snorm.normalise(p @ r.T, snorm.cohort_stats(p, self.cohort_young, k),
                                snorm.cohort_stats(r, self.cohort_old, k))
        return snorm.score_to_distance(score)


def fit(x: FloatArray, identity: npt.NDArray[np.str_], young: npt.NDArray[np.bool_],
        config: FitConfig) -> Fitted:
    mean, projection = None, None
    if config.method != "raw":
        mean = np.zeros(x.shape[1])  # see the module docstring: no centring
        within = shrink(within_scatter(x, identity, young), config.shrinkage)
        if config.method == "wccn":
            projection = matrix_power(within, -0.5)
        elif config.method == "jb":
            projection = jb_metric(within, shrink(between_scatter(x, identity), 0.01))
        else:
            raise ValueError(f"unknown method {config.method!r}")
    fitted = Fitted(config, mean, projection)
    if not config.snorm_k:
        return fitted
    z = unit(fitted.embed(x))
    return Fitted(config, mean, projection, cohort_young=z[young], cohort_old=z[~young])


def jb_metric(within: FloatArray, between: FloatArray) -> FloatArray:
    """sqrt(-G) of the Joint-Bayesian cross term (symmetric positive semi-definite)."""
    g = -np.linalg.inv(2 * between + within) @ between @ np.linalg.inv(within)
    return matrix_power(-(g + g.T) / 2, 0.5)


def within_scatter(x: FloatArray, identity: npt.NDArray[np.str_],
                   young: npt.NDArray[np.bool_]) -> FloatArray:
    """Covariance of same-person young-old differences, each person weighing the same."""
    rows = []
    for person in np.unique(identity):
        members = identity == person
        ys, olds = x[members & young], x[members & ~young]
        if len(ys) and len(olds):
            diffs = (ys[:, None, :] - olds[None, :, :]).reshape(-1, x.shape[1])
            # /2: a difference of two samples has twice the variance of one deviation.
            rows.append(diffs / np.sqrt(2.0 * len(diffs)))
    stacked = np.concatenate(rows)
    return np.asarray(stacked.T @ stacked / len(rows))


def between_scatter(x: FloatArray, identity: npt.NDArray[np.str_]) -> FloatArray:
    means = np.stack([x[identity == p].mean(axis=0) for p in np.unique(identity)])
    centred = means - means.mean(axis=0)
    return np.asarray(centred.T @ centred / len(centred))


def shrink(scatter: FloatArray, amount: float) -> FloatArray:
    scale = np.trace(scatter) / len(scatter)
    return np.asarray((1 - amount) * scatter + amount * scale * np.eye(len(scatter)))


def matrix_power(matrix: FloatArray, power: float) -> FloatArray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    values = np.maximum(values, 1e-12)
    return np.asarray(vectors @ np.diag(values**power) @ vectors.T)


def pairwise(a: FloatArray, b: FloatArray) -> FloatArray:
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.asarray(np.sqrt(np.maximum(sq, 0.0)))


def unit(x: FloatArray) -> FloatArray:
    return np.asarray(x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12))
