"""Shared helpers of the benchmark scripts: data folder, cached embeddings, ROC maths, output."""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from lifecert.face_engine import FaceEngine, FaceEngineConfig
from lifecert.face_engine.errors import FaceEngineError
from lifecert.face_engine.registry import available
from lifecert.face_engine.shared_data import data_fingerprint, default_data_dir, repo_root
from lifecert.face_engine.types import Face, RGBImage

FAR_TARGETS = (1e-2, 1e-3)


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", type=Path, default=default_data_dir(), help="shared data folder")
    parser.add_argument("--json", type=Path, default=None, help="write results here")
    parser.add_argument("--png", type=Path, default=None, help="write the figure here")
    parser.add_argument("--embedder", default=None, help="embedder backend (default: engine's)")
    parser.add_argument(
        "--augment", default=None, help="test-time views: none, flip, jitter6 (default: engine's)"
    )
    return parser


def require_folder(path: Path) -> None:
    if not path.is_dir():
        sys.exit(f"Data folder {path} is missing: pass --data DIR (layout of shared/data).")


def output_paths(args: argparse.Namespace, stem: str) -> tuple[Path, Path]:
    out = repo_root() / "benchmarks" / "out"
    json_path = args.json or out / f"{stem}.json"
    png_path = args.png or json_path.with_suffix(".png")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    return json_path, png_path


# The ONNX port computes the same descriptors as dlib (same model_id) ~20x faster: benchmarks
# use it when it is installed, else the engine's default embedder.
FAST_EMBEDDER = "onnx_resnet"


def make_engine(
    embedder: str | None, augment: str | None = None, aligner: str | None = None
) -> FaceEngine:
    """The default engine, with the fast embedder when installed and optional views / aligner."""
    if embedder is None and FAST_EMBEDDER in available("embedder"):
        embedder = FAST_EMBEDDER
    # Benchmarks here measure the base descriptors with Euclidean distances; the cross-age
    # adaptation (scored by normalised distance, "asnorm") is measured by the identity-disjoint
    # CV rows of verify_cross_age.py (training/), so it is off for these engines.
    config = FaceEngineConfig(adaptation="")
    if embedder:
        config = replace(config, embedder=embedder)
    if augment:
        config = replace(config, augment=augment)
    if aligner:
        config = replace(config, aligner=aligner)
    return FaceEngine(config)


def central_face(faces: Sequence[Face], image: RGBImage) -> Face | None:
    """The face nearest the image centre (dataset crops are centred on their subject)."""
    if not faces:
        return None
    cy, cx = image.shape[0] / 2, image.shape[1] / 2
    return min(faces, key=lambda f: (f.bbox.center[0] - cx) ** 2 + (f.bbox.center[1] - cy) ** 2)


def shipped_engine() -> FaceEngine:
    """The engine exactly as the product configures it by default (models, views, adaptation,
    thresholds from thresholds.json); only the embedder is the ONNX port of the same network
    (same model id, same descriptors) when installed."""
    config = FaceEngineConfig()
    if FAST_EMBEDDER in available("embedder"):
        config = replace(config, embedder=FAST_EMBEDDER)
    return FaceEngine(config)


@functools.cache
def _fingerprint(root: Path) -> str:
    """The data's content hash, once per folder and run (it reads every file; benchmarks
    such as verify_lfw's nested report embed the same folder several times)."""
    return data_fingerprint(root)


class EmbeddingCache:
    """Descriptors of dataset images under var/cache, keyed by the engine (model, detector,
    aligner) and by the data (folder and content hash): another folder never reuses them.

    An image whose face is not detected has no descriptor: it is a failure (``undetected``),
    never embedded from a guessed box; callers count it as a miss."""

    def __init__(self, engine: FaceEngine, dataset: str) -> None:
        # The aligner's version (its start-box rule) changes descriptors but not the model id.
        version = getattr(engine.aligner, "version", "")
        aligner = f"{engine.config.aligner}-{version}" if version else engine.config.aligner
        key = f"{engine.model_id}__{engine.config.detector}__{aligner}"
        self.folder = repo_root() / "var" / "cache" / "embeddings" / key
        self.dataset = dataset
        self.path = self.folder / f"{dataset}.npz"
        self.engine = engine
        self.vectors: dict[str, np.ndarray] = {}
        self.undetected: set[str] = set()

    def _load(self, root: Path) -> None:
        self.path = self.folder / f"{self.dataset}-{_fingerprint(root.resolve())}.npz"
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as data:
                names = [str(n) for n in data["names"]]
                self.vectors = dict(zip(names, data["vectors"], strict=True))
                self.undetected = {str(n) for n in data["undetected"]}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        names = sorted(self.vectors)
        np.savez(
            self.path,
            names=np.array(names, dtype=str),
            vectors=np.array([self.vectors[n] for n in names], dtype=np.float32).reshape(
                len(names), -1
            ),
            undetected=np.array(sorted(self.undetected), dtype=str),
        )

    def embed_all(self, root: Path, relative_paths: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(relative_paths))
        self._load(root)
        todo = [p for p in wanted if p not in self.vectors and p not in self.undetected]
        started = time.perf_counter()
        for count, rel in enumerate(todo, 1):
            self._embed_one(root, rel)
            if count % 250 == 0 or count == len(todo):
                self.save()
                rate = count / (time.perf_counter() - started)
                print(f"  embedded {count}/{len(todo)} ({rate:.1f}/s)", file=sys.stderr)
        return self.vectors

    def _embed_one(self, root: Path, rel: str) -> None:
        try:
            image = self.engine.load(root / rel)
        except FaceEngineError as exc:
            print(f"  skip {rel}: {exc}", file=sys.stderr)
            self.undetected.add(rel)
            return
        face = central_face(self.engine.detect(image), image)
        if face is None:
            self.undetected.add(rel)
            return
        self.vectors[rel] = self.engine.embed_faces(image, [face])[0].vector


def pair_distances(pairs: Sequence[tuple[str, str]], vectors: dict[str, np.ndarray]) -> np.ndarray:
    """Euclidean distance of each pair; a pair with an undetected face scores +inf (a miss:
    rejected, whether genuine or impostor)."""
    out = np.full(len(pairs), np.inf)
    for i, (a, b) in enumerate(pairs):
        if a in vectors and b in vectors:
            out[i] = float(np.linalg.norm(vectors[a] - vectors[b]))
    return out


def roc_points(genuine: np.ndarray, impostor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(FAR, TAR) at every distance threshold, accepting distance <= threshold."""
    thresholds = np.unique(np.concatenate([genuine, impostor]))
    genuine_sorted, impostor_sorted = np.sort(genuine), np.sort(impostor)
    tar = np.searchsorted(genuine_sorted, thresholds, side="right") / len(genuine)
    far = np.searchsorted(impostor_sorted, thresholds, side="right") / len(impostor)
    return far, tar


def tar_at_far(genuine: np.ndarray, impostor: np.ndarray, far_target: float) -> tuple[float, float]:
    """Best TAR with FAR <= target, and the distance threshold that gives it."""
    impostor_sorted = np.sort(impostor)
    allowed = int(np.floor(far_target * len(impostor)))  # impostors we may accept
    threshold = impostor_sorted[allowed] if allowed < len(impostor) else np.inf
    # Accept strictly below the first impostor we may not accept.
    tar = float(np.mean(genuine < threshold))
    return tar, float(threshold)


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [list(map(str, header))] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * w for w in widths))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def write_json(path: Path, payload: dict[str, object]) -> None:
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nJSON: {path}")
