"""Further cross-age attempts of issue 8 beyond xage1, measured and *not shipped*.

    .venv/bin/python -m training.xage_explore [--data DIR]

Same protocol as training/train_cross_age.py: identity-disjoint 5-fold CV on LAG (seed and
folds of xage_rows), hyper-parameters picked by an inner CV on the training identities only
when a row has a grid (rows marked "fixed" were run with one setting), the final model fitted on
all trainable LAG and scored on LFW View 2 (10-fold accuracy, LFW never trained on). No row
reached TAR@1e-3 >= 1.5x raw with LFW >= raw; the printed table is the one in issue 8's note.

Scorers that stay a per-embedding transform + Euclidean distance (what the engine, thresholds
and the 1:N index support): local centring against a cohort (hubness reduction, optionally
age-aware via a young/old classifier on the descriptor), JB with same-age within-class pairs,
PCA before JB, fusion of raw and JB, a linear metric trained with a softmax over young<->old
pairs. Pair-level scorers (would need a new compare in the engine): an asymmetric Joint
Bayesian log-likelihood ratio, AS-norm with several cohorts, s-norm only when the reference
looks young.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import numpy as np
import numpy.typing as npt

from lifecert.face_engine.adaptation import snorm
from lifecert.face_engine.shared_data import default_data_dir
from training.xage_eval import Lag, cross_age_distances, identity_folds, tars
from training.xage_fit import (
    FitConfig,
    Fitted,
    between_scatter,
    fit,
    jb_metric,
    pairwise,
    shrink,
    unit,
    within_scatter,
)
from training.xage_lfw import kfold_accuracy
from training.xage_rows import FOLDS, SEED, Data, load_data

FloatArray = npt.NDArray[np.float64]


class Scorer(Protocol):
    def distances(self, probes: FloatArray, references: FloatArray) -> FloatArray: ...


Fitter = Callable[[Lag, Any], Scorer]


# -- per-embedding scorers (Euclidean-compatible) ------------------------------------------------
@dataclass
class Embedded:
    """Any per-embedding map followed by Euclidean distance."""

    embed: Callable[[FloatArray], FloatArray]

    def distances(self, probes: FloatArray, references: FloatArray) -> FloatArray:
        return pairwise(self.embed(probes), self.embed(references))


def top_k_mean(z: FloatArray, cohort: FloatArray, k: int) -> FloatArray:
    scores = z @ cohort.T
    k = min(k, scores.shape[1])
    index = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return np.asarray(cohort[index].mean(axis=1))


def logistic(z: FloatArray, y: FloatArray, l2: float = 1.0) -> tuple[FloatArray, float]:
    """L2-regularised logistic regression by Newton steps (young=1 vs adult/old=0)."""
    w, b = np.zeros(z.shape[1]), 0.0
    z1 = np.hstack([z, np.ones((len(z), 1))])
    reg = l2 * np.diag(np.r_[np.ones(z.shape[1]), 0.0])
    for _ in range(100):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        grad = z1.T @ (p - y) + reg @ np.r_[w, b]
        step = np.linalg.solve(z1.T @ (z1 * (p * (1 - p))[:, None]) + reg, grad)
        w, b = w - step[:-1], b - float(step[-1])
        if np.abs(step).max() < 1e-9:
            break
    return w, b


def fit_local_centring(train: Lag, cfg: tuple[float, int, float, str]) -> Scorer:
    """z -> unit(z - alpha * mean of its k nearest cohort faces), z the JB-projected vector.

    cohort "all": every training image; "same"/"opposite": the young or old images, weighted
    by a young/old classifier's probability for z (the engine knows no ages).
    """
    shrinkage, k, alpha, cohort = cfg
    base = fit(train.x, train.identity, train.young, FitConfig("jb", shrinkage, 0))
    z_train = unit(base.embed(train.x))
    young, old = z_train[train.young], z_train[~train.young]
    w, b = logistic(z_train, train.young.astype(np.float64))

    def embed(x: FloatArray) -> FloatArray:
        z = unit(base.embed(x))
        if cohort == "all":
            return unit(z - alpha * top_k_mean(z, z_train, k))
        p = (1 / (1 + np.exp(-(z @ w + b))))[:, None]
        if cohort == "opposite":
            p = 1 - p
        return unit(z - alpha * (p * top_k_mean(z, young, k) + (1 - p) * top_k_mean(z, old, k)))

    return Embedded(embed)


def within_same_age(x: FloatArray, identity: npt.NDArray[np.str_],
                    young: npt.NDArray[np.bool_]) -> FloatArray:
    """Covariance of same-person, same-age-group differences (each person and group equal)."""
    rows = []
    for person in np.unique(identity):
        for group in (young, ~young):
            m = x[(identity == person) & group]
            if len(m) > 1:
                d = (m[:, None] - m[None]).reshape(-1, x.shape[1])
                rows.append(d / np.sqrt(2.0 * len(m) * (len(m) - 1)))
    stacked = np.concatenate(rows)
    return np.asarray(stacked.T @ stacked / len(rows))


def fit_jb_variant(train: Lag, cfg: tuple[float, float, int]) -> Scorer:
    """JB metric with a share of same-age within-class scatter, optionally after PCA to dims."""
    shrinkage, same_age, dims = cfg
    basis = np.eye(train.x.shape[1])
    if dims:
        _, vectors = np.linalg.eigh(train.x.T @ train.x / len(train.x))
        basis = vectors[:, ::-1][:, :dims]
    z = train.x @ basis
    within = (1 - same_age) * within_scatter(z, train.identity, train.young)
    if same_age:
        within = within + same_age * within_same_age(z, train.identity, train.young)
    projection = basis @ jb_metric(shrink(within, shrinkage),
                                   shrink(between_scatter(z, train.identity), 0.01))
    return Embedded(lambda x: unit(x @ projection))


def fit_fusion(train: Lag, cfg: tuple[float, float]) -> Scorer:
    """[sqrt(1-w) raw, sqrt(w) JB] concatenated: squared distances add, weight w on JB."""
    shrinkage, weight = cfg
    base = fit(train.x, train.identity, train.young, FitConfig("jb", shrinkage, 0))
    return Embedded(lambda x: np.concatenate(
        [np.sqrt(1 - weight) * unit(x), np.sqrt(weight) * unit(base.embed(x))], axis=1))


def _softmax_grad(a: FloatArray, b: FloatArray, positive: npt.NDArray[np.bool_],
                  scale: float) -> tuple[FloatArray, FloatArray]:
    s = scale * a @ b.T
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    has = positive.any(axis=1)
    mass = (p * positive).sum(axis=1, keepdims=True)
    q = np.where(has[:, None], p * positive / np.maximum(mass, 1e-30), 0.0)
    g = scale * (p * has[:, None] - q) / max(int(has.sum()), 1)
    return g @ b, g.T @ a


def fit_learned_linear(train: Lag, cfg: tuple[float, float, float, int, float]) -> Scorer:
    """Linear map from the JB metric, Adam on a softmax over young<->old pairs (both ways),
    pulled towards the JB start by lam (NumPy, full batch, deterministic)."""
    shrinkage, scale, lam, iterations, rate = cfg
    w0 = np.asarray(fit(train.x, train.identity, train.young,
                        FitConfig("jb", shrinkage, 0)).projection)
    w, m, v, norm0 = w0.copy(), np.zeros_like(w0), np.zeros_like(w0), float(np.linalg.norm(w0))
    xo, xy = train.x[~train.young], train.x[train.young]
    positive = train.identity[~train.young][:, None] == train.identity[train.young][None, :]
    for t in range(1, iterations + 1):
        zo, zy = xo @ w, xy @ w
        no = np.linalg.norm(zo, axis=1, keepdims=True)
        ny = np.linalg.norm(zy, axis=1, keepdims=True)
        uo, uy = zo / no, zy / ny
        go, gy = _softmax_grad(uo, uy, positive, scale)
        gy2, go2 = _softmax_grad(uy, uo, positive.T, scale)
        go, gy = go + go2, gy + gy2
        dzo = (go - uo * (uo * go).sum(1, keepdims=True)) / no
        dzy = (gy - uy * (uy * gy).sum(1, keepdims=True)) / ny
        grad = xo.T @ dzo + xy.T @ dzy + lam * (w - w0) / norm0**2
        m, v = 0.9 * m + 0.1 * grad, 0.999 * v + 0.001 * grad**2
        step = (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        w = w - rate * norm0 / np.sqrt(w.size) * step
    return Embedded(lambda x: unit(x @ w))


# -- pair-level scorers (not a per-embedding transform) ------------------------------------------
@dataclass
class SNorm:
    embed: Callable[[FloatArray], FloatArray]
    cohort_probe: FloatArray
    cohort_reference: FloatArray
    k: int

    def scores(self, probes: FloatArray, references: FloatArray) -> FloatArray:
        p, r = unit(self.embed(probes)), unit(self.embed(references))
        return snorm.normalise(p @ r.T, snorm.cohort_stats(p, self.cohort_probe, self.k),
                               snorm.cohort_stats(r, self.cohort_reference, self.k))

    def distances(self, probes: FloatArray, references: FloatArray) -> FloatArray:
        return snorm.score_to_distance(self.scores(probes, references))


def fit_snorm(train: Lag, cfg: tuple[float, int, str]) -> SNorm:
    """AS-norm on the JB metric. role: probe vs young cohort, reference vs old (xage1+s-norm);
    mixed: both vs all images; old: both vs the adult/old images (closer to LFW faces)."""
    shrinkage, k, cohort = cfg
    base = fit(train.x, train.identity, train.young, FitConfig("jb", shrinkage, 0))
    z = unit(base.embed(train.x))
    young, old = z[train.young], z[~train.young]
    pick = {"role": (young, old), "mixed": (z, z), "old": (old, old)}[cohort]
    return SNorm(base.embed, pick[0], pick[1], k)


@dataclass
class AdaptiveSNorm:
    """s-norm where the reference looks young (classifier), else raw cosine as a z-score."""

    normed: SNorm
    w: FloatArray
    b: float
    mean: float
    std: float

    def distances(self, probes: FloatArray, references: FloatArray) -> FloatArray:
        raw = (unit(probes) @ unit(references).T - self.mean) / self.std
        young = (unit(references) @ self.w + self.b) > 0
        s = np.where(young[None, :], self.normed.scores(probes, references), raw)
        return snorm.score_to_distance(s)


def fit_adaptive(train: Lag, cfg: tuple[float, int]) -> Scorer:
    shrinkage, k = cfg
    u = unit(train.x)
    w, b = logistic(u, train.young.astype(np.float64))
    old, who = u[~train.young], train.identity[~train.young]
    cos = np.where(who[:, None] != who[None, :], old @ old.T, -np.inf)
    top = -np.sort(-cos, axis=1)[:, :k]  # the stranger tail s-norm standardises against
    return AdaptiveSNorm(fit_snorm(train, (shrinkage, k, "role")), w, b,
                         float(top.mean()), float(top.std()))


@dataclass
class PairLLR:
    """Log-likelihood ratio of a Gaussian pair model: (old, young) of one person vs two."""

    mean_old: FloatArray
    mean_young: FloatArray
    q_old: FloatArray
    q_young: FloatArray
    q_cross: FloatArray

    def distances(self, probes: FloatArray, references: FloatArray) -> FloatArray:
        a, b = probes - self.mean_old, references - self.mean_young
        qa = np.einsum("ij,jk,ik->i", a, self.q_old, a)
        qb = np.einsum("ij,jk,ik->i", b, self.q_young, b)
        return np.asarray(0.5 * (qa[:, None] + qb[None, :] + 2 * a @ self.q_cross @ b.T))


def _psd(matrix: FloatArray) -> FloatArray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return np.asarray(vectors @ np.diag(np.maximum(values, 1e-6 * values.max())) @ vectors.T)


def fit_asymmetric_jb(train: Lag, shrinkage: float) -> Scorer:
    """Joint Bayesian with age-specific means and noise: old = mu + e_o, young = mu + e_y;
    S_mu from the cross-covariance of a person's old and young means, the full LLR."""
    x, young = train.x, train.young
    mean_old, mean_young = x[~young].mean(0), x[young].mean(0)
    pairs = [(x[(train.identity == p) & ~young].mean(0) - mean_old,
              x[(train.identity == p) & young].mean(0) - mean_young)
             for p in np.unique(train.identity)
             if ((train.identity == p) & young).any() and ((train.identity == p) & ~young).any()]
    a, b = np.array([o for o, _ in pairs]), np.array([y for _, y in pairs])
    s_mu = _psd(a.T @ b / len(a))
    j_old = s_mu + shrink(_psd(np.cov(x[~young].T) - s_mu), shrinkage)
    j_young = s_mu + shrink(_psd(np.cov(x[young].T) - s_mu), shrinkage)
    inverse, d = np.linalg.inv(np.block([[j_old, s_mu], [s_mu, j_young]])), x.shape[1]
    return PairLLR(mean_old, mean_young, inverse[:d, :d] - np.linalg.inv(j_old),
                   inverse[d:, d:] - np.linalg.inv(j_young), inverse[:d, d:])


def fit_base(train: Lag, cfg: FitConfig) -> Scorer:
    return fit(train.x, train.identity, train.young, cfg)


# -- protocol ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attempt:
    name: str
    variant: str
    augment: str
    fitter: Fitter
    grid: Sequence[Any]


def _score(data: Lag, fitter: Fitter, cfg: Any, fold_of: npt.NDArray[np.int64],
           fold: int) -> dict[str, float]:
    model = fitter(data.subset((fold_of != fold) & data.trainable), cfg)
    return tars(*cross_age_distances(data.subset(fold_of == fold), cast(Fitted, model)))


def choose(data: Lag, fitter: Fitter, grid: Sequence[Any], folds: int, seed: int) -> Any:
    """Inner CV: the grid entry with the best mean of TAR@1e-3 and TAR@1e-2."""
    if len(grid) == 1:
        return grid[0]
    fold_of = identity_folds(data.identity, folds, seed)
    means = [np.mean([np.mean(list(_score(data, fitter, c, fold_of, f).values()))
                      for f in range(folds)]) for c in grid]
    return grid[int(np.argmax(means))]


def nested_cv(data: Lag, fitter: Fitter, grid: Sequence[Any]) -> dict[str, float]:
    fold_of = identity_folds(data.identity, FOLDS, SEED)
    per_fold = []
    for fold in range(FOLDS):
        config = choose(data.subset(fold_of != fold), fitter, grid, FOLDS - 1, SEED + 1 + fold)
        per_fold.append(_score(data, fitter, config, fold_of, fold))
    return {k: float(np.mean([f[k] for f in per_fold])) for k in per_fold[0]}


def lfw_accuracy(data: Data, augment: str, model: Scorer) -> float:
    x = data.lfw.mode(augment)
    folds = []
    for fold in data.lfw_folds:
        a = x[data.lfw.rows([p for p, _, _ in fold])]
        b = x[data.lfw.rows([q for _, q, _ in fold])]
        folds.append((np.diag(model.distances(a, b)), np.array([s for _, _, s in fold])))
    return kfold_accuracy(folds)


def attempts() -> list[Attempt]:
    lc_grid = [(0.7, k, a, "all") for k in (50, 200) for a in (0.3, 0.5)]
    age_grid = [(0.7, k, a, "same") for k in (50, 200) for a in (0.3, 0.6)]
    jb_grid = [FitConfig("jb", s, 0) for s in (0.5, 0.7, 0.85)]
    return [
        Attempt("raw descriptor (1 view)", "plain", "none", fit_base, [FitConfig("raw", 0, 0)]),
        Attempt("raw, flip", "plain", "flip", fit_base, [FitConfig("raw", 0, 0)]),
        Attempt("raw, jitter6", "plain", "jitter6", fit_base, [FitConfig("raw", 0, 0)]),
        Attempt("raw, jitter6, upscale < 200px", "upscaled", "jitter6", fit_base,
                [FitConfig("raw", 0, 0)]),
        Attempt("JB (xage1 recipe)", "plain", "jitter6", fit_base, jb_grid),
        Attempt("JB, upscale < 200px", "upscaled", "jitter6", fit_base, jb_grid),
        Attempt("JB + same-age within pairs 0.3 (fixed)", "plain", "jitter6", fit_jb_variant,
                [(0.7, 0.3, 0)]),
        Attempt("PCA 96 + JB (fixed)", "plain", "jitter6", fit_jb_variant, [(0.7, 0.0, 96)]),
        Attempt("fusion raw + JB, w 0.7 (fixed)", "plain", "jitter6", fit_fusion, [(0.7, 0.7)]),
        Attempt("learned linear from JB (fixed)", "plain", "jitter6", fit_learned_linear,
                [(0.7, 16.0, 10.0, 100, 0.001)]),
        Attempt("JB + local centring", "plain", "jitter6", fit_local_centring, lc_grid),
        Attempt("JB + local centring, upscale", "upscaled", "jitter6", fit_local_centring,
                lc_grid),
        Attempt("JB + age-aware local centring, upscale", "upscaled", "jitter6",
                fit_local_centring, age_grid),
        Attempt("asymmetric JB, full LLR [pair-level]", "plain", "jitter6", fit_asymmetric_jb,
                [0.7, 0.85, 0.9]),
        Attempt("JB + s-norm mixed cohort (fixed) [pair-level]", "plain", "jitter6", fit_snorm,
                [(0.7, 200, "mixed")]),
        Attempt("JB + s-norm old cohort (fixed) [pair-level]", "plain", "jitter6", fit_snorm,
                [(0.7, 200, "old")]),
        Attempt("JB + s-norm role, upscale [pair-level]", "upscaled", "jitter6", fit_snorm,
                [(s, k, "role") for s in (0.5, 0.7) for k in (100, 200)]),
        Attempt("s-norm if reference looks young (fixed) [pair-level]", "upscaled", "jitter6",
                fit_adaptive, [(0.7, 200)]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    args = parser.parse_args()
    data = load_data(args.data)
    print(f"{'configuration':56s} TAR@1e-3 TAR@1e-2   LFW")
    for attempt in attempts():
        s = data.lag[attempt.variant]
        lag = Lag(s.mode(attempt.augment), data.identity, data.young, s.detected, data.trainable)
        result = nested_cv(lag, attempt.fitter, attempt.grid)
        final = attempt.fitter(lag.subset(lag.trainable),
                               choose(lag, attempt.fitter, attempt.grid, FOLDS, SEED))
        accuracy = lfw_accuracy(data, attempt.augment, final)
        print(f"{attempt.name:56s} {result['0.001']:8.3f} {result['0.01']:8.3f} "
              f"{accuracy:.4f}", flush=True)


if __name__ == "__main__":
    main()
