"""Ageing bands measured as the product behaves: distances of young/old pairs go through the
real decision code (lifecert.certification.decide) and land in certified / review / retry.

The identities of LAG are split in two by a hash of their name: the *calibration* half chooses
the aged-reference band (``tune_bands``, shipped in thresholds.json), the *report* half is
scored with the shipped band and is the headline. Nothing is chosen on what is reported.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from lifecert.certification.decide import _decide
from lifecert.certification.models import Outcome
from lifecert.face_engine.matching import decide
from lifecert.face_engine.types import Thresholds

# Band targets, chosen on the calibration half: impostors auto-passed at most AUTO_FAR (half the
# product goal of 1e-3, a margin for a new sample), genuine elders refused at most REFUSE_SHARE.
AUTO_FAR = 5e-4
REFUSE_SHARE = 0.035
# Officer time per review case (a look at the frames, the reference photo and the history).
REVIEW_MINUTES = 3.0

Row = tuple[str, str, str]  # path, identity, age_group


def split_of(identity: str) -> str:
    """'calibration' or 'report', fixed by the identity's name (stable across runs)."""
    return "calibration" if hashlib.sha1(identity.encode()).digest()[0] % 2 == 0 else "report"


def cross_pairs(
    rows: Sequence[Row], split: str | None, old_vs_old: bool = False
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Every genuine and every impostor pair within one split (None: all identities).

    First certification: young (the reference) x old (the probe). Second certification
    (``old_vs_old``): old x another old photo of the same person, impostors old x old."""
    chosen = [r for r in rows if split is None or split_of(r[1]) == split]
    old = [(p, i) for p, i, g in chosen if g != "young"]
    refs = old if old_vs_old else [(p, i) for p, i, g in chosen if g == "young"]
    genuine: list[tuple[str, str]] = []
    impostor: list[tuple[str, str]] = []
    for a, ai in refs:
        for b, bi in old:
            if a == b or (old_vs_old and a > b):
                continue
            (genuine if ai == bi else impostor).append((a, b))
    return genuine, impostor


def tune_bands(genuine: np.ndarray, impostor: np.ndarray) -> tuple[float, float]:
    """accept: impostors auto-passed <= AUTO_FAR; review: genuine refused <= REFUSE_SHARE."""
    ordered = np.sort(impostor)
    allowed = int(np.floor(AUTO_FAR * len(ordered)))  # impostors we may auto-pass
    # Written with 4 decimals: accept rounded down (below the first impostor we may not
    # pass), review rounded up (at or above the genuine quantile).
    accept = math.floor(float(np.nextafter(ordered[allowed], 0)) * 1e4) / 1e4
    review = math.ceil(float(np.quantile(genuine, 1 - REFUSE_SHARE, method="higher")) * 1e4) / 1e4
    return accept, max(review, accept)


def outcomes(distances: np.ndarray, limits: Thresholds) -> list[Outcome]:
    """The outcome the certification code gives each pair (a live, good-quality check; an
    undetected face, distance inf, is a quality retry as on the phone)."""
    result = []
    for d in distances:
        if not np.isfinite(d):
            matching: dict[str, Any] = {"deciding_template": None}
            result.append(_decide(True, matching, None, False)[0])
            continue
        matching = {"deciding_template": {"decision": decide(float(d), limits)}}
        result.append(_decide(True, matching, None, True)[0])
    return result


def _share(outcome_list: list[Outcome], outcome: Outcome) -> float:
    return float(np.mean([o == outcome for o in outcome_list])) if outcome_list else 0.0


def band_rates(genuine: np.ndarray, impostor: np.ndarray, limits: Thresholds) -> dict[str, Any]:
    g, i = outcomes(genuine, limits), outcomes(impostor, limits)
    review = _share(g, Outcome.REVIEW)
    return {
        "genuine_refused": _share(g, Outcome.RETRY),
        "genuine_review": review,
        "genuine_auto": _share(g, Outcome.CERTIFIED),
        "impostor_auto": _share(i, Outcome.CERTIFIED),
        "impostor_review": _share(i, Outcome.REVIEW),
        "genuine_pairs": len(g),
        "impostor_pairs": len(i),
        "accept": limits.accept,
        "review": limits.review,
        "officer_minutes_per_10k_retirees": round(review * 10_000 * REVIEW_MINUTES, 1),
    }
