"""Shared helpers of the benchmark scripts: data folder, cached embeddings, ROC maths, output."""

from __future__ import annotations

import argparse
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
from lifecert.face_engine.shared_data import default_data_dir, repo_root
from lifecert.face_engine.types import BBox, Face, RGBImage

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


def fallback_face(image: RGBImage, fraction: float) -> Face:
    """When no detector finds the face of a centred crop, assume it fills ``fraction`` of it."""
    height, width = image.shape[:2]
    margin_x, margin_y = width * (1 - fraction) / 2, height * (1 - fraction) / 2
    box = BBox(margin_x, margin_y, width - margin_x, height - margin_y)
    return Face(bbox=box, score=0.0, keypoints=(), detector="dlib_hog")


class EmbeddingCache:
    """Descriptors of dataset images, one .npz per (model, detector, dataset) under var/cache."""

    def __init__(self, engine: FaceEngine, dataset: str, fallback_fraction: float) -> None:
        # The aligner's version (its start-box rule) changes descriptors but not the model id.
        version = getattr(engine.aligner, "version", "")
        aligner = f"{engine.config.aligner}-{version}" if version else engine.config.aligner
        key = f"{engine.model_id}__{engine.config.detector}__{aligner}"
        self.path = repo_root() / "var" / "cache" / "embeddings" / key / f"{dataset}.npz"
        self.engine = engine
        self.fallback_fraction = fallback_fraction
        self.vectors: dict[str, np.ndarray] = {}
        self.undetected: set[str] = set()
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
            names=np.array(names),
            vectors=np.array([self.vectors[n] for n in names], dtype=np.float32),
            undetected=np.array(sorted(self.undetected)),
        )

    def embed_all(self, root: Path, relative_paths: Iterable[str]) -> dict[str, np.ndarray]:
        todo = [p for p in dict.fromkeys(relative_paths) if p not in self.vectors]
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
            return
        face = central_face(self.engine.detect(image), image)
        if face is None:
            self.undetected.add(rel)
            face = fallback_face(image, self.fallback_fraction)
        self.vectors[rel] = self.engine.embed_faces(image, [face])[0].vector


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
