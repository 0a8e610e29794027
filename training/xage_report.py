"""The cross-validated rows of benchmarks/verify_cross_age.py (issue 8), one call.

Each row: TAR at FAR 1e-3 / 1e-2 on young<->old LAG pairs (mean over 5 identity-disjoint
folds, hyper-parameters chosen by an inner CV), LFW k-fold accuracy of the model fitted on all
LAG training identities, and the pooled out-of-fold ROC.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from training.xage_eval import roc_points
from training.xage_rows import ROWS, SHIPPED, evaluate_row, load_data


def cross_validated_rows(data_dir: Path) -> list[dict[str, Any]]:
    data = load_data(data_dir)
    rows = []
    for row in ROWS:
        result, final, lfw = evaluate_row(data, row)
        rows.append({
            "configuration": row.name,
            "genuine_pairs": len(result.genuine),
            "impostor_pairs": len(result.impostor),
            "tar_at_far": result.tar_at_far,
            "lfw_accuracy": lfw,
            "final_config": final.config.__dict__,
            "undetected_images": int((~data.lag[row.variant].detected).sum()),
            "_roc": roc_points(result.genuine, result.impostor),
        })
    return rows


def best_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The shipped configuration (the engine default), flagged with whether its LFW accuracy
    is at least the raw descriptor's (first row). Not simply the highest TAR: see SHIPPED."""
    best = next(r for r in rows if r["configuration"] == SHIPPED.name)
    return {**best, "lfw_not_below_raw": best["lfw_accuracy"] >= rows[0]["lfw_accuracy"]}


def without_curves(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


