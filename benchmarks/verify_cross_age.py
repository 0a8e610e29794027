"""Cross-age verification on the Large Age-Gap set: young <-> old genuine vs impostor pairs.

    .venv/bin/python benchmarks/verify_cross_age.py [--data DIR] [--json PATH] [--impostor-ratio 20]

Genuine: every (young, adult_or_old) photo pair of the same person. Impostor: young of one
person vs adult_or_old of another, sampled (fixed seed) at ``--impostor-ratio`` x the genuine
count. Each *configuration* (an embedder plus an optional transform of its descriptors) is one
row. Then the cross-age adaptation of issue 8 (training/): raw descriptor and each
improvement under identity-disjoint 5-fold CV (all young<->old pairs of the test identities,
~180x impostors per genuine pair), with the same-age LFW accuracy beside it. ``--json`` adds
``tar_at_far`` and ``lfw_accuracy`` of the best cross-validated configuration.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from _common import (
    FAR_TARGETS,
    EmbeddingCache,
    base_parser,
    make_engine,
    output_paths,
    print_table,
    require_folder,
    roc_points,
    tar_at_far,
    write_json,
)

Transform = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Configuration:
    name: str
    embedder: str | None  # None: the engine's default embedder
    augment: str | None = None  # test-time views (None: the engine's default)
    transform: Transform | None = None  # applied to (N, D) descriptors, e.g. a learnt projection


CONFIGURATIONS = [
    Configuration("engine default (jitter6 views)", None),
    Configuration("single view (no test-time jitter)", None, augment="none"),
]


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
    wanted, impostor = ratio * len(genuine), set()
    while len(impostor) < wanted:
        (y, yi), (o, oi) = young[rng.integers(len(young))], old[rng.integers(len(old))]
        if yi != oi:
            impostor.add((y, o))
    return genuine, sorted(impostor)


def evaluate(
    config: Configuration,
    args_data: Path,
    rows: list[tuple[str, str, str]],
    pairs: tuple[list[tuple[str, str]], list[tuple[str, str]]],
) -> dict[str, object]:
    engine = make_engine(config.embedder, config.augment)
    cache = EmbeddingCache(engine, "lag", fallback_fraction=0.7)
    vectors = cache.embed_all(args_data / "lag" / "images", [p for p, _, _ in rows])
    names = sorted(vectors)
    matrix = np.array([vectors[n] for n in names])
    if config.transform is not None:
        matrix = config.transform(matrix)
    index = {n: i for i, n in enumerate(names)}

    def dist(pair_list: list[tuple[str, str]]) -> np.ndarray:
        a = matrix[[index[x] for x, _ in pair_list]]
        b = matrix[[index[y] for _, y in pair_list]]
        return np.linalg.norm(a - b, axis=1)

    genuine, impostor = dist(pairs[0]), dist(pairs[1])
    result: dict[str, object] = {
        "configuration": config.name,
        "model_id": engine.model_id,
        "genuine_pairs": len(genuine),
        "impostor_pairs": len(impostor),
        "undetected_images": len(cache.undetected),
        "tar_at_far": {f"{far:g}": tar_at_far(genuine, impostor, far)[0] for far in FAR_TARGETS},
        "engine_decisions": _decision_rates(engine, genuine, impostor),
    }
    result["_roc"] = roc_points(genuine, impostor)
    return result


def _decision_rates(engine: object, genuine: np.ndarray, impostor: np.ndarray) -> dict[str, float]:
    """How the engine's calibrated bands (thresholds.json) treat these pairs."""
    limits = engine.thresholds[engine.model_id]  # type: ignore[attr-defined]
    return {
        "genuine_accept": float(np.mean(genuine <= limits.accept)),
        "genuine_reject": float(np.mean(genuine > limits.review)),
        "impostor_accept": float(np.mean(impostor <= limits.accept)),
        "impostor_review": float(np.mean((impostor > limits.accept) & (impostor <= limits.review))),
    }


def plot(png: Path, results: list[dict[str, object]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    for result in results:
        far, tar = result["_roc"]  # type: ignore[misc]
        ax.semilogx(np.maximum(far, 1e-5), tar, label=str(result["configuration"]))
    ax.set(xlabel="FAR", ylabel="TAR", title="Large age gap: young vs old", xlim=(1e-4, 1))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(png, dpi=120)
    print(f"PNG: {png}")


def main() -> None:
    parser = base_parser(__doc__.split("\n")[0])
    parser.add_argument("--impostor-ratio", type=int, default=20)
    args = parser.parse_args()
    require_folder(args.data / "lag")
    json_path, png_path = output_paths(args, "verify_cross_age")
    rows = read_manifest(args.data / "lag")
    pairs = make_pairs(rows, args.impostor_ratio)
    configs = CONFIGURATIONS
    if args.embedder or args.augment:  # one explicit configuration instead of the list
        name = f"{args.embedder or 'default'} / {args.augment or 'default'}"
        configs = [Configuration(name, args.embedder, args.augment)]
    results = [evaluate(c, args.data, rows, pairs) for c in configs]
    table = [
        [
            r["configuration"],
            r["model_id"],
            r["genuine_pairs"],
            r["impostor_pairs"],
            *(r["tar_at_far"][f"{far:g}"] for far in FAR_TARGETS),
        ]  # type: ignore[index]
        for r in results
    ]
    header = [
        "configuration",
        "model",
        "genuine",
        "impostor",
        *(f"TAR@FAR={f:g}" for f in FAR_TARGETS),
    ]
    print_table("Cross-age verification (LAG, young vs adult/old)", header, table)
    for r in results:
        print(f"engine bands on {r['configuration']}: {r['engine_decisions']}")
    cv_rows, summary = cross_validated(args.data)
    plot(png_path, results + cv_rows)
    write_json(
        json_path,
        {
            **summary,
            "configurations": [{k: v for k, v in r.items() if k != "_roc"} for r in results],
        },
    )


def cross_validated(data: Path) -> tuple[list[dict[str, object]], dict[str, object]]:
    """Issue 8 rows (training/xage_report.py): printed, with the JSON summary of the best."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/ is not installed
    from training.xage_report import best_row, cross_validated_rows, without_curves

    rows = cross_validated_rows(data)
    print_table(
        "Cross-age adaptation: identity-disjoint 5-fold CV (mean over folds), LFW accuracy",
        ["configuration", *(f"TAR@FAR={f:g}" for f in FAR_TARGETS), "LFW accuracy"],
        [[r["configuration"], *(r["tar_at_far"][f"{f:g}"] for f in FAR_TARGETS),
          r["lfw_accuracy"]] for r in rows],
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
    sys.exit(main())
