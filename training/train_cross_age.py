"""Train and cross-validate the cross-age adaptation (issue 8); write the shipped parameters.

    .venv/bin/python -m training.train_cross_age [--data DIR] [--no-write]

Deterministic: fixed seed, closed-form fits (no random initialisation), descriptors cached
under var/cache/xage2 from the engine's own pipeline (onnx_resnet, same ids as dlib). Writes
src/lifecert/face_engine/adaptation/params/<model_id>.{npz,json} and the model's thresholds
into thresholds.json, from training data only: out-of-fold LAG impostors (each scored by a
model that never saw that person) and LFW impostors (LFW is never trained on).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from lifecert.face_engine import views
from lifecert.face_engine.adaptation.transform import CrossAgeModel, save
from lifecert.face_engine.matching import DEFAULT_THRESHOLDS_PATH
from lifecert.face_engine.shared_data import default_data_dir
from training.xage_eval import cross_validate, select, threshold_at_far
from training.xage_fit import Fitted
from training.xage_rows import FOLDS, ROWS, SEED, SHIPPED, Data, evaluate_row, load_data
from training.xage_templates import evaluate_rules

SUFFIX = "+xage1"
ACCEPT_FAR, REVIEW_FAR = 1e-4, 1e-2  # the engine's bands (benchmarks/verify_lfw.py)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--no-write", action="store_true", help="evaluate only")
    parser.add_argument("--skip-thresholds", action="store_true", help="leave thresholds.json")
    args = parser.parse_args()
    data = load_data(args.data)
    table = []
    for row in ROWS:
        result, final, lfw = evaluate_row(data, row)
        table.append({"configuration": row.name, "tar_at_far": result.tar_at_far,
                      "per_fold": result.per_fold, "lfw_accuracy": lfw,
                      "chosen": [c.__dict__ for c in result.chosen],
                      "final": final.config.__dict__})
        print(f"{row.name:42s} TAR@1e-3 {result.tar_at_far['0.001']:.3f}  "
              f"TAR@1e-2 {result.tar_at_far['0.01']:.3f}  LFW {lfw:.4f}  {final.config}")
    templates = template_results(data)
    print(json.dumps(templates, indent=1))
    if not args.no_write:
        write_model(data, table, templates, not args.skip_thresholds)


def template_results(data: Data) -> dict[str, dict[str, dict[str, float]]]:
    lag = data.lag_for(SHIPPED)
    config = select(lag, SHIPPED.grid, FOLDS, SEED)
    return {f"ID photos{' + recent' if recent else ''}":
            evaluate_rules(lag, config, FOLDS, SEED, recent) for recent in (False, True)}


def write_model(
    data: Data, table: list[dict[str, object]], templates: object, thresholds: bool
) -> None:
    lag = data.lag_for(SHIPPED)
    config = select(lag, SHIPPED.grid, FOLDS, SEED)
    final = evaluate_row(data, SHIPPED)[1]
    base = data.base_model_id + views.model_suffix(SHIPPED.augment)
    model = CrossAgeModel(
        model_id=base + SUFFIX, base_model_id=base, mean=np.asarray(final.mean),
        projection=np.asarray(final.projection),
        card={"method": "linear metric sqrt(-G) of a Joint-Bayesian model, within-class scatter "
                        "from young-old differences, shrinkage to identity; unit vectors, "
                        "Euclidean distance",
              "config": config.__dict__, "seed": SEED, "folds": FOLDS,
              "training_data": "shared/data/lag (identities not in LFW), engine pipeline "
                               "blazeface/dlib_hog -> dlib5 -> onnx_resnet, jitter6 views",
              "reproduce": ".venv/bin/python -m training.train_cross_age",
              "cross_validated": table, "multi_template": templates})
    path = save(model)
    print(f"parameters: {path}")
    if thresholds:
        write_thresholds(model.model_id, data, final)


def write_thresholds(model_id: str, data: Data, final: Fitted) -> None:
    impostor_lag = cross_validate(data.lag_for(SHIPPED), SHIPPED.grid, FOLDS, SEED).impostor
    impostor_lfw = lfw_impostors(data, final)
    limits = {}
    for name, far in (("accept", ACCEPT_FAR), ("review", REVIEW_FAR)):
        limits[name] = round(min(threshold_at_far(impostor_lag, far),
                                 threshold_at_far(impostor_lfw, far)), 4)
    raw = json.loads(DEFAULT_THRESHOLDS_PATH.read_text(encoding="utf-8"))
    raw["models"][model_id] = {
        **limits,
        "calibration": f"stricter of out-of-fold LAG young/old impostors ({len(impostor_lag)}) "
        f"and LFW cross-identity pairs ({len(impostor_lfw)}): accept at FAR {ACCEPT_FAR:g}, "
        f"review up to FAR {REVIEW_FAR:g} (training/train_cross_age.py)",
    }
    DEFAULT_THRESHOLDS_PATH.write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    print(f"thresholds of {model_id}: {limits}")


def lfw_impostors(data: Data, fitted: Fitted) -> np.ndarray:
    """Every ordered cross-identity pair of the LFW pair images (probe, reference)."""
    x = data.lfw.mode(SHIPPED.augment)
    identity = np.array([n.split("/")[0] for n in data.lfw.names])
    out = []
    for start in range(0, len(x), 1024):
        d = fitted.distances(x[start : start + 1024], x)
        out.append(d[identity[start : start + 1024, None] != identity[None, :]])
    return np.concatenate(out)


if __name__ == "__main__":
    main()
