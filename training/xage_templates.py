"""Multi-template rules measured on LAG, with the shipped scorer under identity-disjoint CV.

A retiree holds several templates: the old ID photo(s) (LAG: the young photos) and, after
verified certifications, recent captures (LAG: the person's *other* adult/old photos). Each
adult/old photo is a probe against every test identity's template set; a rule turns the
per-template distances into one score:

* ``best``: the smallest distance (max similarity) decides, and is recorded;
* ``mean``: the mean distance over the templates;
* ``first ID photo``: one template only (today's single-reference baseline).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from training.xage_eval import Lag, fit_on, identity_folds, tars
from training.xage_fit import FitConfig

FloatArray = npt.NDArray[np.float64]
RULES = ("first ID photo", "mean", "best", "mean of best 2", "newest kind first")


def evaluate_rules(data: Lag, config: FitConfig, folds: int, seed: int,
                   with_recent: bool) -> dict[str, dict[str, float]]:
    fold_of = identity_folds(data.identity, folds, seed)
    genuine: dict[str, list[float]] = {r: [] for r in RULES}
    impostor: dict[str, list[float]] = {r: [] for r in RULES}
    for fold in range(folds):
        test = data.subset(fold_of == fold)
        fitted = fit_on(data.subset(fold_of != fold), config)
        d = fitted.distances(test.x, test.x)  # rows: probes, columns: templates
        d[~test.detected, :] = np.inf
        d[:, ~test.detected] = np.inf
        for p in np.flatnonzero(~test.young):
            for person in np.unique(test.identity):
                scores = _rule_scores(d[p], test, p, person, with_recent)
                if scores is None:
                    continue
                target = genuine if person == test.identity[p] else impostor
                for rule, value in scores.items():
                    target[rule].append(value)
    return {r: tars(np.array(genuine[r]), np.array(impostor[r])) for r in RULES}


def _rule_scores(row: FloatArray, test: Lag, probe: int, person: str,
                 with_recent: bool) -> dict[str, float] | None:
    own = test.identity == person
    id_photos = np.flatnonzero(own & test.young)
    templates = own & (test.young | with_recent)
    templates[probe] = False  # a probe is never its own template
    chosen = row[templates]
    if len(id_photos) == 0 or len(chosen) == 0:
        return None
    recent = row[templates & ~test.young]
    newest = recent if len(recent) else row[templates]  # recent captures outrank ID photos
    return {"first ID photo": float(row[id_photos[0]]), "mean": float(np.mean(chosen)),
            "best": float(np.min(chosen)), "mean of best 2": float(np.mean(np.sort(chosen)[:2])),
            "newest kind first": float(np.min(newest))}
