"""Descriptors of the LAG and LFW images through the engine's own pipeline, cached under var/.

Every image goes detect -> 5-point align -> 150x150 chip -> embed exactly as a certification
does (FaceEngine, default detector and fallback), so a transform learned on these vectors
applies to real captures. Per image we keep the descriptors of the six test-time views of
``views.py`` (chip, mirror, both at zoom 0.95 and 1.05), so the engine's "none", "flip" and
"jitter6" modes are all measured from one pass (``DescriptorSet.mode``).
"""

from __future__ import annotations

import csv
import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lifecert.face_engine import FaceEngine, FaceEngineConfig, views
from lifecert.face_engine.adaptation.robust import upscale_small
from lifecert.face_engine.shared_data import repo_root
from lifecert.face_engine.types import BBox, Face, RGBImage

# Variant name -> whether small images are upscaled before detection and alignment.
VARIANTS = {"plain": False, "upscaled": True}
# Order of views.embed_with_views("jitter6"): chip, mirror, chip@0.95, chip@1.05, mirror@...
VIEWS = ("chip", "mirror", "chip95", "chip105", "mirror95", "mirror105")
# Share of a centred dataset crop assumed to be the face when no detector finds one.
FALLBACK_FRACTION = {"lag": 0.7, "lfw": 0.45}


@dataclass
class DescriptorSet:
    """Descriptors (N, views, 128) of ``names``, and which images needed the centre-box fallback."""

    names: list[str]
    vectors: npt.NDArray[np.float32]
    detected: npt.NDArray[np.bool_]

    def mode(self, augment: str) -> npt.NDArray[np.float64]:
        """Descriptors as the engine's ``augment`` mode gives them ("none", "flip", "jitter6")."""
        x = self.vectors.astype(np.float64)
        if augment == "none":
            return x[:, 0]
        if augment == "flip":
            return x[:, :2].mean(axis=1)
        mean = x.mean(axis=1)
        return np.asarray(mean / np.linalg.norm(mean, axis=1, keepdims=True))

    def rows(self, wanted: list[str]) -> npt.NDArray[np.int64]:
        position = {n: i for i, n in enumerate(self.names)}
        return np.array([position[n] for n in wanted], dtype=np.int64)


def read_lag_manifest(lag_dir: Path) -> list[tuple[str, str, str]]:
    """(path, identity, age_group) rows of ``lag/manifest.csv``."""
    with (lag_dir / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        return [(r["path"], r["identity"], r["age_group"]) for r in csv.DictReader(handle)]


def cache_path(engine: FaceEngine, images_dir: Path, dataset: str, variant: str) -> Path:
    """One file per pipeline, data folder (--data DIR), dataset and variant."""
    # The aligner's version (its start-box rule) changes descriptors but not the model id.
    version = getattr(engine.aligner, "version", "")
    aligner = f"{engine.config.aligner}-{version}" if version else engine.config.aligner
    key = f"{engine.embedder.model_id}__{engine.config.detector}__{aligner}"
    folder = hashlib.sha256(str(images_dir.resolve()).encode()).hexdigest()[:10]
    return repo_root() / "var" / "cache" / "xage2" / key / f"{dataset}__{variant}__{folder}.npz"


def load_or_embed(
    engine: FaceEngine, images_dir: Path, names: list[str], dataset: str, variant: str
) -> DescriptorSet:
    """Cached descriptors of ``names`` (paths relative to ``images_dir``); embeds missing ones."""
    path = cache_path(engine, images_dir, dataset, variant)
    vectors: dict[str, npt.NDArray[np.float32]] = {}
    detected: dict[str, bool] = {}
    if path.exists():
        with np.load(path, allow_pickle=False) as data:
            for n, v, d in zip(data["names"], data["vectors"], data["detected"], strict=True):
                vectors[str(n)], detected[str(n)] = v, bool(d)
    todo = [n for n in dict.fromkeys(names) if n not in vectors]
    started = time.perf_counter()
    for count, name in enumerate(todo, 1):
        image = engine.load(images_dir / name)
        vectors[name], detected[name] = embed_views(engine, image, dataset, VARIANTS[variant])
        if count % 500 == 0 or count == len(todo):
            _save(path, vectors, detected)
            rate = count / (time.perf_counter() - started)
            print(f"  {dataset}/{variant}: {count}/{len(todo)} ({rate:.1f}/s)", file=sys.stderr)
    return DescriptorSet(
        names=list(names),
        vectors=np.stack([vectors[n] for n in names]),
        detected=np.array([detected[n] for n in names]),
    )


def embed_views(
    engine: FaceEngine, image: RGBImage, dataset: str, upscale: bool
) -> tuple[npt.NDArray[np.float32], bool]:
    if upscale:
        image = upscale_small(image)
    faces = engine.detect(image)
    face = _central(faces, image) if faces else _centre_box(image, FALLBACK_FRACTION[dataset])
    return engine.embedder.embed_chips(six_views(engine.chips(image, [face]))), bool(faces)


def six_views(chip: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """(6, S, S, 3): the views of ``views.embed_with_views(..., "jitter6")``, same order."""
    mirrored = np.ascontiguousarray(chip[:, :, ::-1])
    parts = [chip, mirrored]
    parts += [views._zoom(c, z) for c in (chip, mirrored) for z in views._ZOOMS]
    return np.ascontiguousarray(np.concatenate(parts))


def make_engine() -> FaceEngine:
    """The engine's default detection and alignment with the fast ONNX port of dlib's ResNet."""
    return FaceEngine(FaceEngineConfig(embedder="onnx_resnet"))


def _central(faces: list[Face], image: RGBImage) -> Face:
    """The face nearest the image centre (dataset crops are centred on their subject)."""
    cy, cx = image.shape[0] / 2, image.shape[1] / 2
    return min(faces, key=lambda f: (f.bbox.center[0] - cx) ** 2 + (f.bbox.center[1] - cy) ** 2)


def _centre_box(image: RGBImage, fraction: float) -> Face:
    height, width = image.shape[:2]
    mx, my = width * (1 - fraction) / 2, height * (1 - fraction) / 2
    return Face(BBox(mx, my, width - mx, height - my), 0.0, (), "dlib_hog")


def _save(
    path: Path, vectors: dict[str, npt.NDArray[np.float32]], detected: dict[str, bool]
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    names = sorted(vectors)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        names=np.array(names),
        vectors=np.stack([vectors[n] for n in names]).astype(np.float32),
        detected=np.array([detected[n] for n in names]),
    )
    tmp.replace(path)

