"""Convert the installed dlib .dat to ONNX once, cached under a folder, keyed by content hash.

The cached file name carries the .dat's SHA-256 and the converter version, so changed weights or
a changed converter give a new file, never a stale one. Writes go to a temporary file in the same
folder, then ``os.replace``: concurrent processes may convert at the same time and each reader
sees either no file or a complete one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

# Bump when the graph builder changes what it writes for the same weights.
CONVERTER_VERSION = 1
FILE_STEM = "dlib_face_recognition_resnet_model_v1"
CACHE_ENV_VAR = "LIFECERT_MODEL_CACHE"


def default_dat_path() -> Path:
    import face_recognition_models

    return Path(face_recognition_models.face_recognition_model_location())


def default_cache_dir() -> Path:
    """$LIFECERT_MODEL_CACHE, else $XDG_CACHE_HOME/lifecert/models (~/.cache/lifecert/models)."""
    if env := os.environ.get(CACHE_ENV_VAR):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lifecert" / "models"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_onnx_path(cache_dir: Path, dat_sha256: str, *, fold_input: bool = True) -> Path:
    variant = "" if fold_input else "-raw-input"
    return cache_dir / f"{FILE_STEM}-{dat_sha256[:16]}-c{CONVERTER_VERSION}{variant}.onnx"


def convert_dat(dat_bytes: bytes, dat_sha256: str, *, fold_input: bool = True) -> bytes:
    """The serialized ONNX model for these .dat bytes (structure checked while parsing)."""
    from .graph import build_onnx, macs_per_face
    from .network import parse_dat

    net = parse_dat(dat_bytes)
    model = build_onnx(net, fold_input=fold_input)
    metadata = {
        "source_sha256": dat_sha256,
        "converter_version": str(CONVERTER_VERSION),
        "macs_per_face": str(macs_per_face(net)),
        "input": "uint8 RGB chips (N, 150, 150, 3), dlib.get_face_chip(size=150, padding=0.25)",
    }
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    return bytes(model.SerializeToString())


def onnx_model_bytes(dat_path: Path | None = None, *, fold_input: bool = True) -> bytes:
    """The converted model without touching the cache (for read-only deployments)."""
    dat_bytes = (dat_path or default_dat_path()).read_bytes()
    return convert_dat(dat_bytes, hashlib.sha256(dat_bytes).hexdigest(), fold_input=fold_input)


def ensure_onnx_model(
    dat_path: Path | None = None, cache_dir: Path | None = None, *, fold_input: bool = True
) -> Path:
    """Path of the ONNX model for ``dat_path``, converting (well under a second) if not cached."""
    dat_path = dat_path or default_dat_path()
    cache_dir = cache_dir or default_cache_dir()
    dat_bytes = dat_path.read_bytes()
    sha = hashlib.sha256(dat_bytes).hexdigest()
    target = cached_onnx_path(cache_dir, sha, fold_input=fold_input)
    if target.is_file():
        return target
    payload = convert_dat(dat_bytes, sha, fold_input=fold_input)
    _write_atomically(target, payload)
    return target


def _write_atomically(target: Path, payload: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
