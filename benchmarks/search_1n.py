"""1:N face search at scale: latency, recall of the true mate, memory (FAISS index).

    .venv/bin/python benchmarks/search_1n.py [--data DIR] [--json PATH] [--sizes 100000,1000000]

Real mates come from LFW (``lfw/pairs.txt``, same-person pairs): the first photo of each pair is
planted in the gallery, the second is the query. The rest of the gallery is synthetic
distractors drawn from a Gaussian fitted to the real LFW descriptors (mean + full covariance),
each rescaled to a norm drawn from the real descriptors' norms. Descriptors are computed by the
face engine and cached under var/cache/embeddings.

For each size: build time, query latency p50/p95 (one query at a time, one thread, as a request
is served) for the approximate index (IVF-SQ8 + exact re-ranking) and for exact search, recall@1
of the true mate for both, how often the approximate top-1 equals the exact top-1, and memory.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import EmbeddingCache, base_parser, make_engine, print_table, write_json
from lifecert.face_engine.shared_data import repo_root
from lifecert.fraud.index import FaceIndex, IndexOptions


def read_mate_pairs(pairs_file: Path) -> list[tuple[str, str]]:
    """Same-person pairs of LFW View 2, one per person (the first listed)."""
    pairs: dict[str, tuple[str, str]] = {}
    for line in pairs_file.read_text().splitlines()[1:]:
        row = line.split()
        if len(row) == 3:
            name = row[0]
            image = f"{name}/{name}_{{:04d}}.jpg"
            pairs.setdefault(name, (image.format(int(row[1])), image.format(int(row[2]))))
    return list(pairs.values())


def all_pair_images(pairs_file: Path) -> list[str]:
    images = []
    for line in pairs_file.read_text().splitlines()[1:]:
        row = line.split()
        if len(row) == 3:
            images += [f"{row[0]}/{row[0]}_{int(n):04d}.jpg" for n in row[1:]]
        elif len(row) == 4:
            images += [
                f"{row[0]}/{row[0]}_{int(row[1]):04d}.jpg",
                f"{row[2]}/{row[2]}_{int(row[3]):04d}.jpg",
            ]
    return list(dict.fromkeys(images))


class Distractors:
    """Samples like the real descriptors: Gaussian (mean, covariance), real norm distribution."""

    def __init__(self, real: np.ndarray, seed: int) -> None:
        self.mean = real.mean(axis=0)
        cov = np.cov(real, rowvar=False) + 1e-6 * np.eye(real.shape[1])
        self.chol = np.linalg.cholesky(cov)
        self.norms = np.linalg.norm(real, axis=1)
        self.rng = np.random.default_rng(seed)

    def sample(self, n: int) -> np.ndarray:
        z = self.rng.standard_normal((n, len(self.mean))).astype(np.float32)
        x = z @ self.chol.T.astype(np.float32) + self.mean.astype(np.float32)
        target = self.rng.choice(self.norms, n).astype(np.float32)
        return x * (target / np.linalg.norm(x, axis=1))[:, None]


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def latencies(fn, queries: np.ndarray) -> tuple[np.ndarray, list[int]]:  # type: ignore[no-untyped-def]
    times, top = [], []
    for q in queries:
        start = time.perf_counter()
        result = fn(q)
        times.append((time.perf_counter() - start) * 1000)
        top.append(result)
    return np.array(times), top


def run_size(
    size: int, gallery_real: np.ndarray, queries: np.ndarray, args: argparse.Namespace, seed: int
) -> dict[str, object]:
    n_mates = len(queries)
    distractors = Distractors(args.fit_on, seed)
    before = rss_mb()
    options = IndexOptions(exact_max=0, nprobe=args.nprobe, refine_factor=args.refine)
    index = FaceIndex("bench", options)
    started = time.perf_counter()
    index.add(np.arange(n_mates), gallery_real[:n_mates])  # mate i has id i
    extra = gallery_real[n_mates:]
    index.add(np.arange(n_mates, n_mates + len(extra)), extra)
    next_id, chunk = n_mates + len(extra), 200_000
    while next_id < size:
        n = min(chunk, size - next_id)
        index.add(np.arange(next_id, next_id + n), distractors.sample(n))
        next_id += n
    faiss.omp_set_num_threads(args.threads)
    index.build_approximate()
    build_s = time.perf_counter() - started
    gc.collect()
    memory_mb = rss_mb() - before
    index_mb = {
        "exact_store": size * (args.dim * 4 + 8) / 2**20,
        "ivf_sq8": len(faiss.serialize_index(index._approx)) / 2**20,  # type: ignore[arg-type]
    }
    # Ground truth: exact search for all queries in one batch.
    assert index._exact is not None
    _, exact_ids = index._exact.search(queries, 1)
    faiss.omp_set_num_threads(1)
    approx_ms, approx_top = latencies(lambda q: index.search(q, 1)[0][0], queries)
    sample = queries[: args.exact_latency_queries]
    exact_ms, _ = latencies(lambda q: int(index._exact.search(q[None, :], 1)[1][0, 0]), sample)
    faiss.omp_set_num_threads(args.threads)
    truth = np.arange(n_mates)
    approx_top_arr = np.array(approx_top)
    result = {
        "gallery": size,
        "real_in_gallery": len(gallery_real),
        "queries": n_mates,
        "build_s": round(build_s, 1),
        "approx_p50_ms": round(float(np.percentile(approx_ms, 50)), 3),
        "approx_p95_ms": round(float(np.percentile(approx_ms, 95)), 3),
        "exact_p50_ms": round(float(np.percentile(exact_ms, 50)), 3),
        "exact_p95_ms": round(float(np.percentile(exact_ms, 95)), 3),
        "recall1_approx": round(float(np.mean(approx_top_arr == truth)), 4),
        "recall1_exact": round(float(np.mean(exact_ids[:, 0] == truth)), 4),
        "agreement_with_exact": round(float(np.mean(approx_top_arr == exact_ids[:, 0])), 4),
        "rss_mb": round(memory_mb, 0),
        "index_mb": {k: round(v, 1) for k, v in index_mb.items()},
        "nlist": int(index._approx.nlist) if index._approx is not None else 0,
        "nprobe": args.nprobe,
        "refine_factor": args.refine,
    }
    return result


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--nprobe", type=int, default=IndexOptions().nprobe)
    parser.add_argument("--refine", type=int, default=IndexOptions().refine_factor)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-queries", type=int, default=1000)
    parser.add_argument("--exact-latency-queries", type=int, default=100)
    args = parser.parse_args()
    lfw = args.data / "lfw"
    if not (lfw / "pairs.txt").exists():
        sys.exit(f"LFW is missing under {args.data}: pass --data DIR (layout of shared/data).")
    engine = make_engine(args.embedder, args.augment)
    cache = EmbeddingCache(engine, "lfw", fallback_fraction=0.45)
    vectors = cache.embed_all(lfw / "images", all_pair_images(lfw / "pairs.txt"))
    mates = [
        (a, b) for a, b in read_mate_pairs(lfw / "pairs.txt") if a in vectors and b in vectors
    ][: args.max_queries]
    # Other real faces join the gallery, except more photos of a query's person (a second
    # "mate" would make recall@1 ambiguous).
    people = {a.split("/")[0] for a, _ in mates}
    others = [name for name in sorted(vectors) if name.split("/")[0] not in people]
    gallery_real = np.array(
        [vectors[a] for a, _ in mates] + [vectors[o] for o in others], dtype=np.float32
    )
    queries = np.ascontiguousarray(np.array([vectors[b] for _, b in mates], dtype=np.float32))
    args.fit_on = np.array(list(vectors.values()), dtype=np.float64)
    args.dim = queries.shape[1]
    results = []
    for number, size in enumerate(int(s) for s in args.sizes.split(",")):
        print(f"gallery {size:,}: building…", file=sys.stderr)
        results.append(run_size(size, gallery_real, queries, args, seed=number))
        print(f"  {results[-1]}", file=sys.stderr)
    print_table(
        f"1:N search, model {engine.model_id}, {len(mates)} LFW mates planted "
        f"(IVF-SQ8 nprobe={args.nprobe}, re-rank top {args.refine}, 1 thread per query)",
        [
            "gallery",
            "p50 ms",
            "p95 ms",
            "exact p50",
            "exact p95",
            "recall@1",
            "exact recall@1",
            "top-1 = exact",
            "RSS MB",
            "build s",
        ],
        [
            [
                f"{r['gallery']:,}",
                r["approx_p50_ms"],
                r["approx_p95_ms"],
                r["exact_p50_ms"],
                r["exact_p95_ms"],
                r["recall1_approx"],
                r["recall1_exact"],
                r["agreement_with_exact"],
                r["rss_mb"],
                r["build_s"],
            ]
            for r in results
        ],
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the whole run: {peak:.0f} MB")
    out = args.json or repo_root() / "benchmarks" / "out" / "search_1n.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_json(
        out,
        {
            "model_id": engine.model_id,
            "mates": len(mates),
            "peak_rss_mb": round(peak),
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
