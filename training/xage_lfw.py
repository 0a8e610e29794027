"""LFW View 2 pairs (``lfw/pairs.txt``) and k-fold verification accuracy, as verify_lfw.py does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

Pair = tuple[str, str, bool]


def read_pairs(pairs_file: Path) -> list[list[Pair]]:
    lines = pairs_file.read_text().split("\n")
    folds, per_fold = (int(x) for x in lines[0].split())
    rows = [line.split() for line in lines[1:] if line.strip()]
    return [
        [_pair(r) for r in rows[f * 2 * per_fold : (f + 1) * 2 * per_fold]] for f in range(folds)
    ]


def _pair(row: list[str]) -> Pair:
    def image(name: str, number: str) -> str:
        return f"{name}/{name}_{int(number):04d}.jpg"

    if len(row) == 3:
        return image(row[0], row[1]), image(row[0], row[2]), True
    return image(row[0], row[1]), image(row[2], row[3]), False


def lfw_pair_images(lfw_dir: Path) -> list[str]:
    folds = read_pairs(lfw_dir / "pairs.txt")
    return list(dict.fromkeys(p for fold in folds for a, b, _ in fold for p in (a, b)))


FoldScores = tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]


def kfold_accuracy(fold_scores: list[FoldScores]) -> float:
    """Mean accuracy; each fold's distance threshold is the best one on the other folds."""
    accuracies = []
    for index, (d, same) in enumerate(fold_scores):
        train_d = np.concatenate([f[0] for i, f in enumerate(fold_scores) if i != index])
        train_same = np.concatenate([f[1] for i, f in enumerate(fold_scores) if i != index])
        threshold = _best_threshold(train_d, train_same)
        accuracies.append(float(np.mean((d <= threshold) == same)))
    return float(np.mean(accuracies))


def _best_threshold(d: npt.NDArray[np.float64], same: npt.NDArray[np.bool_]) -> float:
    order = np.argsort(d)
    d_sorted, same_sorted = d[order], same[order]
    # Accepting the first k pairs: correct = genuine among them + impostors after them.
    genuine_in = np.cumsum(same_sorted)
    impostor_after = (~same_sorted).sum() - np.cumsum(~same_sorted)
    best = int(np.argmax(genuine_in + impostor_after))
    return float(d_sorted[best])
