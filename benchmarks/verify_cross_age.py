"""Cross-age verification on the Large Age-Gap set, as the product behaves.

    .venv/bin/python benchmarks/verify_cross_age.py [--data DIR] [--json PATH] [--refit]
        [--calibrate-bands]

Headline (``shipped``): the engine exactly as configured by default, nothing refitted, on the
*report* half of the identities (split by a hash of the name, _bands.split_of): TAR at FAR
with each threshold chosen on the other (*calibration*) half's impostors; then the ageing
bands through the real decision code: first certification (young photo = the imported ID-card
reference, aged band) and the second a year later (old vs another old photo, default band).
``--calibrate-bands`` chooses the aged band on the calibration half only and writes it to
thresholds.json. Images without a detected face are misses (a retry on the phone), never
embedded from a guessed box. ``--refit`` adds the refitted (identity-disjoint CV) rows of the
cross-age adaptation (training/, slow), labelled as refitted.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

import _bands
from _common import (
    FAR_TARGETS,
    EmbeddingCache,
    base_parser,
    output_paths,
    pair_distances,
    print_table,
    require_folder,
    roc_points,
    shipped_engine,
    tar_at_far,
    write_json,
)
from lifecert.face_engine import FaceEngine
from lifecert.face_engine.matching import AGED_REFERENCE, DEFAULT_THRESHOLDS_PATH, band_key
from lifecert.face_engine.types import Thresholds


def read_manifest(lag: Path) -> list[tuple[str, str, str]]:
    with (lag / "manifest.csv").open(newline="") as handle:
        return [(r["path"], r["identity"], r["age_group"]) for r in csv.DictReader(handle)]


def make_pairs(
    rows: list[tuple[str, str, str]], ratio: int, seed: int = 7
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    young = [(p, i) for p, i, g in rows if g == "young"]
    old = [(p, i) for p, i, g in rows if g != "young"]
    genuine = [(y, o) for y, yi in young for o, oi in old if yi == oi]
    rng = np.random.default_rng(seed)
    wanted, impostor = ratio * len(genuine), set[tuple[str, str]]()
    possible = len(young) * len(old) - len(genuine)
    if wanted >= possible:  # a small folder: every cross-identity pair (sampling never ends)
        return genuine, sorted((y, o) for y, yi in young for o, oi in old if yi != oi)
    while len(impostor) < wanted:
        (y, yi), (o, oi) = young[rng.integers(len(young))], old[rng.integers(len(old))]
        if yi != oi:
            impostor.add((y, o))
    return genuine, sorted(impostor)


def plot(png: Path, curves: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    for name, (far, tar) in curves.items():
        ax.semilogx(np.maximum(far, 1e-5), tar, label=name)
    ax.set(xlabel="FAR", ylabel="TAR", title="Large age gap: young vs old", xlim=(1e-4, 1))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(png, dpi=120)
    print(f"PNG: {png}")


def split_distances(
    rows: list[tuple[str, str, str]], vectors: dict[str, np.ndarray], split: str | None, old: bool
) -> tuple[np.ndarray, np.ndarray]:
    genuine, impostor = _bands.cross_pairs(rows, split, old_vs_old=old)
    return pair_distances(genuine, vectors), pair_distances(impostor, vectors)


def shipped_report(
    engine: FaceEngine, rows: list[tuple[str, str, str]], vectors: dict[str, np.ndarray]
) -> dict[str, Any]:
    """The engine as shipped, nothing refitted: TAR at FAR with the distance chosen on the
    calibration identities' impostors and measured on the report identities."""
    cal_g, cal_i = split_distances(rows, vectors, "calibration", old=False)
    rep_g, rep_i = split_distances(rows, vectors, "report", old=False)
    tars, fars = {}, {}
    for far in FAR_TARGETS:
        _, threshold = tar_at_far(cal_g, cal_i, far)
        tars[f"{far:g}"] = float(np.mean(rep_g < threshold))
        fars[f"{far:g}"] = float(np.mean(rep_i < threshold))
    return {
        "model_id": engine.model_id,
        "tar_at_far": tars,
        "far_achieved": fars,
        "protocol": "threshold at each FAR chosen on the calibration identities' impostor pairs, "
        "TAR and FAR measured on the disjoint report identities (all young x old pairs)",
        "genuine_pairs": len(rep_g),
        "impostor_pairs": len(rep_i),
    }


def bands_report(
    engine: FaceEngine, rows: list[tuple[str, str, str]], vectors: dict[str, np.ndarray]
) -> dict[str, Any]:
    """First certification (young reference, aged band) and the second one a year later
    (old photo vs another old photo, the model's default band), report identities."""
    model = engine.model_id
    aged = engine.thresholds.get(band_key(model, AGED_REFERENCE), engine.thresholds[model])
    first = _bands.band_rates(*split_distances(rows, vectors, "report", old=False), aged)
    second = _bands.band_rates(
        *split_distances(rows, vectors, "report", old=True), engine.thresholds[model]
    )
    tuned = _bands.tune_bands(*split_distances(rows, vectors, "calibration", old=False))
    return {
        "bands_first_certification": first,
        "bands_second_certification": second,
        "bands_tuned_on_calibration": {"accept": tuned[0], "review": tuned[1]},
        "bands_before_this_policy": _bands.band_rates(
            *split_distances(rows, vectors, "report", old=False), engine.thresholds[model]
        ),
    }


def refitted_metric_bands(
    rows: list[tuple[str, str, str]], vectors: dict[str, np.ndarray]
) -> dict[str, Any]:
    """Refitted, not shipped: the Joint-Bayesian cross-age metric of training/xage_fit.py fitted
    on the calibration identities only, its bands tuned on out-of-fold distances (2 folds of
    the calibration identities), then scored on the report identities as the product would."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/ is not installed
    from training.xage_fit import FitConfig, fit

    def fitted_on(subset: list[tuple[str, str, str]]) -> Any:
        kept = [r for r in subset if r[0] in vectors]
        x = np.array([vectors[p] for p, _, _ in kept], dtype=np.float64)
        ident = np.array([i for _, i, _ in kept])
        young = np.array([g == "young" for _, _, g in kept])
        return fit(x, ident, young, FitConfig())

    def distances(model: Any, subset: list[tuple[str, str, str]]) -> tuple[np.ndarray, ...]:
        kept = [p for p, _, _ in subset if p in vectors]
        embedded = model.embed(np.array([vectors[p] for p in kept], dtype=np.float64))
        mapped = dict(zip(kept, embedded, strict=True))
        genuine, impostor = _bands.cross_pairs(subset, None)
        return pair_distances(genuine, mapped), pair_distances(impostor, mapped)

    calibration = [r for r in rows if _bands.split_of(r[1]) == "calibration"]
    inner = [hashlib.sha1(r[1].encode()).digest()[1] % 2 for r in calibration]
    halves = [[r for r, k in zip(calibration, inner, strict=True) if k == h] for h in (0, 1)]
    oof = [distances(fitted_on(halves[1 - h]), halves[h]) for h in (0, 1)]
    accept, review = _bands.tune_bands(
        np.concatenate([g for g, _ in oof]), np.concatenate([i for _, i in oof])
    )
    report = [r for r in rows if _bands.split_of(r[1]) == "report"]
    genuine, impostor = distances(fitted_on(calibration), report)
    limits = Thresholds("jb-refit", accept, review)
    return {
        "note": "refitted on the calibration identities (not shipped)",
        "tar_at_far": {f"{far:g}": tar_at_far(genuine, impostor, far)[0] for far in FAR_TARGETS},
        "bands_first_certification": _bands.band_rates(genuine, impostor, limits),
    }


def calibrate_bands(model_id: str, tuned: dict[str, float], identities: int) -> None:
    data = json.loads(DEFAULT_THRESHOLDS_PATH.read_text(encoding="utf-8"))
    entry = data["models"][model_id]
    entry.setdefault("bands", {})[AGED_REFERENCE] = {
        **tuned,
        "calibration": f"LAG calibration split ({identities} identities, sha1(identity)[0] even; "
        "the report split is the other half): all young x old pairs; accept at impostor "
        f"auto-pass <= {_bands.AUTO_FAR:g}, review up to genuine refused <= "
        f"{_bands.REFUSE_SHARE:g} (benchmarks/verify_cross_age.py --calibrate-bands)",
    }
    DEFAULT_THRESHOLDS_PATH.write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"thresholds.json: {model_id} {AGED_REFERENCE} band = {tuned}")


def main() -> None:
    parser = base_parser(__doc__.split("\n")[0])
    parser.add_argument("--impostor-ratio", type=int, default=20)
    parser.add_argument("--refit", action="store_true", help="also the refitted CV rows (slow)")
    parser.add_argument(
        "--refit-metric", action="store_true", help="also a cross-age metric refitted (not shipped)"
    )
    parser.add_argument("--calibrate-bands", action="store_true", help="update thresholds.json")
    args = parser.parse_args()
    require_folder(args.data / "lag")
    json_path, png_path = output_paths(args, "verify_cross_age")
    rows = read_manifest(args.data / "lag")
    engine = shipped_engine()
    cache = EmbeddingCache(engine, "lag")
    vectors = cache.embed_all(args.data / "lag" / "images", [p for p, _, _ in rows])
    shipped = shipped_report(engine, rows, vectors)
    shipped["undetected_images"] = len(cache.undetected)
    bands = bands_report(engine, rows, vectors)
    shipped.update(bands)
    print_table(
        f"Shipped engine ({engine.model_id}), report identities",
        ["FAR target", "TAR", "FAR measured"],
        [[k, v, shipped["far_achieved"][k]] for k, v in shipped["tar_at_far"].items()],
    )
    keys = ["genuine_refused", "genuine_review", "genuine_auto", "impostor_auto"]
    keys += ["impostor_review", "accept", "review", "officer_minutes_per_10k_retirees"]
    print_table(
        "Bands through the decision code (report identities)",
        ["policy", *keys],
        [[name, *(bands[name][k] for k in keys)] for name in bands if "tuned" not in name],
    )
    print(f"undetected LAG images (counted as misses): {len(cache.undetected)}")
    if args.calibrate_bands:
        ids = len({i for _, i, _ in rows if _bands.split_of(i) == "calibration"})
        calibrate_bands(engine.model_id, bands["bands_tuned_on_calibration"], ids)
    pairs = make_pairs(rows, args.impostor_ratio)
    genuine, impostor = pair_distances(pairs[0], vectors), pair_distances(pairs[1], vectors)
    curves = {"shipped engine, all pairs": roc_points(genuine, impostor)}
    payload: dict[str, object] = {
        "shipped": shipped,
        "bands_first_certification": bands["bands_first_certification"],
        "bands_second_certification": bands["bands_second_certification"],
    }
    if args.refit_metric:
        payload["refitted_metric_on_calibration"] = refitted = refitted_metric_bands(rows, vectors)
        print("\nrefitted (not shipped) JB metric on calibration identities:", refitted)
    if args.refit:
        cv_rows, summary = cross_validated(args.data)
        payload["refitted_cross_validation"] = summary
        curves.update({str(r["configuration"]): r["_roc"] for r in cv_rows})  # type: ignore[misc]
    plot(png_path, curves)
    write_json(json_path, payload)


def cross_validated(data: Path) -> tuple[list[dict[str, object]], dict[str, object]]:
    """Issue 8 rows (training/xage_report.py): printed, with the JSON summary of the best."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/ is not installed
    from training.xage_report import best_row, cross_validated_rows, without_curves

    rows = cross_validated_rows(data)
    print_table(
        "Cross-age adaptation: identity-disjoint 5-fold CV (mean over folds), LFW accuracy",
        ["configuration", *(f"TAR@FAR={f:g}" for f in FAR_TARGETS), "LFW accuracy"],
        [
            [
                r["configuration"],
                *(r["tar_at_far"][f"{f:g}"] for f in FAR_TARGETS),
                r["lfw_accuracy"],
            ]
            for r in rows
        ],
    )
    best = best_row(rows)
    print(f"best configuration: {best['configuration']}")
    summary: dict[str, object] = {
        "tar_at_far": best["tar_at_far"],
        "lfw_accuracy": best["lfw_accuracy"],
        "best_configuration": best["configuration"],
        "lfw_not_below_raw": best["lfw_not_below_raw"],
        "cross_validated": [without_curves(r) for r in rows],
    }
    return [{**r, "configuration": f"CV: {r['configuration']}"} for r in rows], summary


if __name__ == "__main__":
    main()
