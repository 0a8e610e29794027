"""Adaptive symmetric score normalisation (AS-norm) against a shipped cohort of strangers.

Measured as a row of the issue-8 table, *not shipped*: it gains TAR on LAG at matched FAR, but
its cohort (LAG photos) calibrates badly on same-age, better-quality pairs, so at the engine's
LFW-calibrated thresholds it accepts fewer genuine pairs (training/xage_rows.py, SHIPPED).

Some faces sit close to many strangers ("hubs": child photos, blurred scans), so one raw
threshold is too strict for some people and too loose for others. AS-norm rescales a score by
how each side scores against its K closest cohort faces. It is role-aware: the probe (today's
face) is normalised against *young* cohort photos (what references look like) and the reference
(enrolment / ID photo) against *old* ones (what probes look like).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def cohort_stats(z: FloatArray, cohort: FloatArray, top_k: int) -> tuple[FloatArray, FloatArray]:
    """Mean and std of each row's ``top_k`` highest cosine scores against ``cohort`` rows.

    ``z`` and ``cohort`` are unit vectors, so the dot product is the cosine similarity.
    """
    scores = np.atleast_2d(z) @ cohort.T
    k = min(top_k, scores.shape[1])
    top = -np.partition(-scores, k - 1, axis=1)[:, :k]
    return top.mean(axis=1), np.maximum(top.std(axis=1), 1e-6)


def normalise(
    cosine: FloatArray,
    probe_stats: tuple[FloatArray, FloatArray],
    reference_stats: tuple[FloatArray, FloatArray],
) -> FloatArray:
    """Normalised score matrix (probes x references) from raw cosines and both sides' stats."""
    (mp, sp), (mr, sr) = probe_stats, reference_stats
    probe_z = (cosine - mp[:, None]) / sp[:, None]
    reference_z = (cosine - mr[None, :]) / sr[None, :]
    return np.asarray(0.5 * (probe_z + reference_z))


# A normalised score s (higher: more alike) is reported as distance exp(-s / SCALE): positive,
# decreasing, readable at 4 decimals, so thresholds.json and "accept if distance <= accept"
# work unchanged. Genuine cross-age pairs score around 2-8, strangers around -2..2.
SCORE_SCALE = 4.0


def score_to_distance(score: FloatArray | float) -> FloatArray:
    return np.asarray(np.exp(-np.asarray(score, dtype=np.float64) / SCORE_SCALE))
