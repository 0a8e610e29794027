"""The 1:N face index: one FAISS gallery per embedding model, ids = face template ids.

Small galleries are searched exactly (``IndexFlatL2``). Above ``fraud.index_exact_max`` an
IVF index with 8-bit scalar quantisation finds candidates fast and the best of them are re-ranked
with exact distances from the full-precision store, so the answer's distances are exact.

The index is a cache of the database (the templates stay the truth): it is updated
incrementally, can be rebuilt from the decrypted templates at any time, and is persisted under
``data_dir/index`` encrypted with the data key (it holds face vectors). All methods are
thread-safe.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import faiss
import numpy as np
import numpy.typing as npt

from lifecert.core.crypto import get_keyring
from lifecert.core.errors import DataIntegrityError
from lifecert.core.settings import get_settings

_CHUNK = 64 * 1024 * 1024  # AES-GCM encrypts the saved file in chunks of this size
_TRAIN_SAMPLE = 100_000

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class IndexOptions:
    exact_max: int = 50_000
    nprobe: int = 128
    refine_factor: int = 16

    @classmethod
    def from_settings(cls) -> IndexOptions:
        fraud = get_settings().fraud
        return cls(fraud.index_exact_max, fraud.index_nprobe, fraud.index_refine_factor)


def _as_matrix(vectors: npt.ArrayLike) -> FloatArray:
    matrix = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
    return matrix.reshape(1, -1) if matrix.ndim == 1 else matrix


def _as_ids(ids: npt.ArrayLike) -> npt.NDArray[np.int64]:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


class FaceIndex:
    """An in-memory gallery of one model's vectors, searchable by Euclidean distance."""

    def __init__(self, model_id: str, options: IndexOptions | None = None) -> None:
        self.model_id = model_id
        self.options = options or IndexOptions.from_settings()
        self.dim: int | None = None
        self.high_water = 0  # highest template id ever synced from the database
        self._exact: faiss.IndexIDMap2 | None = None
        self._approx: faiss.IndexIVFScalarQuantizer | None = None
        self._ids: set[int] = set()
        self._lock = threading.RLock()

    # -- contents ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, template_id: object) -> bool:
        return template_id in self._ids

    @property
    def is_approximate(self) -> bool:
        return self._approx is not None

    def clear(self) -> None:
        with self._lock:
            self.dim, self._exact, self._approx = None, None, None
            self._ids, self.high_water = set(), 0

    def add(self, ids: npt.ArrayLike, vectors: npt.ArrayLike) -> int:
        """Add vectors under their template ids; ids already present are skipped."""
        id_array, matrix = _as_ids(ids), _as_matrix(vectors)
        if len(id_array) == 0:
            return 0
        with self._lock:
            keep = np.array([i not in self._ids for i in id_array.tolist()], dtype=bool)
            id_array, matrix = id_array[keep], matrix[keep]
            if len(id_array) == 0:
                return 0
            if len(set(id_array.tolist())) != len(id_array):
                raise ValueError("duplicate ids in one add")
            exact = self._exact_index(matrix.shape[1])
            exact.add_with_ids(matrix, id_array)
            if self._approx is not None:
                self._approx.add_with_ids(matrix, id_array)
            self._ids.update(id_array.tolist())
            self.high_water = max(self.high_water, int(id_array.max()))
            return len(id_array)

    def remove(self, ids: npt.ArrayLike) -> int:
        id_array = _as_ids(ids)
        with self._lock:
            present = _as_ids([i for i in id_array.tolist() if i in self._ids])
            if self._exact is None or len(present) == 0:
                return 0
            self._exact.remove_ids(present)  # type: ignore[arg-type]
            if self._approx is not None:
                self._approx.remove_ids(present)  # type: ignore[arg-type]
            self._ids.difference_update(present.tolist())
            return len(present)

    def vectors(self, ids: npt.ArrayLike) -> FloatArray:
        with self._lock:
            if self._exact is None:
                return np.zeros((0, self.dim or 0), dtype=np.float32)
            return np.asarray(self._exact.reconstruct_batch(_as_ids(ids)), dtype=np.float32)

    def all_ids(self) -> npt.NDArray[np.int64]:
        with self._lock:
            return np.array(sorted(self._ids), dtype=np.int64)

    # -- search -----------------------------------------------------------------------------
    def search(self, vector: npt.ArrayLike, k: int = 10) -> list[tuple[int, float]]:
        """The k nearest templates as (template id, Euclidean distance), nearest first."""
        distances, ids = self.search_many(_as_matrix(vector), k)
        return [(int(i), float(d)) for i, d in zip(ids[0], distances[0], strict=True) if i >= 0]

    def search_many(
        self, queries: npt.ArrayLike, k: int, *, nprobe: int | None = None
    ) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        """Batch search: (distances, ids), each shaped (queries, k); -1 ids pad short answers."""
        matrix = _as_matrix(queries)
        with self._lock:
            n = len(self._ids)
            if n == 0 or self._exact is None:
                return (
                    np.full((len(matrix), k), np.inf, np.float32),
                    np.full((len(matrix), k), -1, np.int64),
                )
            if self._approx is None and n > self.options.exact_max:
                self.build_approximate()
            if self._approx is None:
                squared, ids = self._exact.search(matrix, min(k, n))
            else:
                squared, ids = self._refined(matrix, k, nprobe or self.options.nprobe)
        return _pad(np.sqrt(np.maximum(squared, 0)), ids, k)

    def _refined(
        self, matrix: FloatArray, k: int, nprobe: int
    ) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        assert self._approx is not None and self._exact is not None
        self._approx.nprobe = nprobe
        wanted = min(len(self._ids), k * self.options.refine_factor)
        _, candidates = self._approx.search(matrix, wanted)
        out_d = np.full((len(matrix), k), np.inf, np.float32)
        out_i = np.full((len(matrix), k), -1, np.int64)
        for row, cand in enumerate(candidates):
            cand = cand[cand >= 0]
            if len(cand) == 0:
                continue
            exact = self._exact.reconstruct_batch(cand)
            d = ((exact - matrix[row]) ** 2).sum(axis=1)
            order = np.argsort(d)[:k]
            out_d[row, : len(order)], out_i[row, : len(order)] = d[order], cand[order]
        return out_d, out_i

    # -- building ---------------------------------------------------------------------------
    def _exact_index(self, dim: int) -> faiss.IndexIDMap2:
        if self._exact is None:
            self.dim = dim
            self._exact = faiss.IndexIDMap2(faiss.IndexFlatL2(dim))
        elif dim != self.dim:
            raise ValueError(f"vector size {dim} differs from the index's {self.dim}")
        return self._exact

    def build_approximate(self) -> None:
        """Train an IVF-SQ8 index on (a sample of) the gallery and fill it. Needs >= 1000."""
        with self._lock:
            n = len(self._ids)
            if self._exact is None or n < 1000 or self.dim is None:
                return
            ids = self.all_ids()
            vectors = self.vectors(ids)
            nlist = int(min(max(math.sqrt(n), 16), 8192))
            quantizer = faiss.IndexFlatL2(self.dim)
            approx = faiss.IndexIVFScalarQuantizer(
                quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_L2
            )
            rng = np.random.default_rng(0)
            sample = vectors[rng.choice(n, min(n, max(_TRAIN_SAMPLE, 40 * nlist)), replace=False)]
            approx.train(sample)
            approx.add_with_ids(vectors, ids)
            approx.nprobe = self.options.nprobe
            self._approx = approx

    # -- persistence ------------------------------------------------------------------------
    def save(self, folder: Path | None = None) -> Path:
        """Write the index, encrypted with the data key, atomically (temp file + rename)."""
        path = index_path(self.model_id, folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            meta = {"model_id": self.model_id, "dim": self.dim, "high_water": self.high_water}
            buffer = io.BytesIO()
            arrays: dict[str, npt.NDArray[np.uint8]] = {
                "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
            }
            if self._exact is not None:
                arrays["exact"] = faiss.serialize_index(self._exact)
            if self._approx is not None:
                arrays["approx"] = faiss.serialize_index(self._approx)
            np.savez(buffer, **arrays)
        payload = buffer.getbuffer()
        context = f"face_index:{self.model_id}".encode()
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            for number, start in enumerate(range(0, max(len(payload), 1), _CHUNK)):
                blob = get_keyring().encrypt(
                    bytes(payload[start : start + _CHUNK]), context=context + b":%d" % number
                )
                fh.write(struct.pack("<Q", len(blob)) + blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return path

    @classmethod
    def load(
        cls, model_id: str, folder: Path | None = None, options: IndexOptions | None = None
    ) -> FaceIndex | None:
        path = index_path(model_id, folder)
        if not path.exists():
            return None
        context = f"face_index:{model_id}".encode()
        parts = []
        with path.open("rb") as fh:
            number = 0
            while header := fh.read(8):
                (size,) = struct.unpack("<Q", header)
                chunk_context = context + b":%d" % number
                parts.append(get_keyring().decrypt(fh.read(size), context=chunk_context))
                number += 1
        with np.load(io.BytesIO(b"".join(parts)), allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            if meta["model_id"] != model_id:
                raise DataIntegrityError("index file belongs to another model")
            index = cls(model_id, options)
            index.dim, index.high_water = meta["dim"], int(meta["high_water"])
            if "exact" in data:
                exact = cast(faiss.IndexIDMap2, faiss.deserialize_index(np.array(data["exact"])))
                index._exact = exact
                index._ids = set(faiss.vector_to_array(exact.id_map).tolist())
            if "approx" in data:
                approx = faiss.deserialize_index(np.array(data["approx"]))
                index._approx = cast(faiss.IndexIVFScalarQuantizer, approx)
        return index


def _pad(
    distances: FloatArray, ids: npt.NDArray[np.int64], k: int
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    if ids.shape[1] >= k:
        return distances.astype(np.float32), ids
    extra = k - ids.shape[1]
    return (
        np.pad(distances, ((0, 0), (0, extra)), constant_values=np.inf).astype(np.float32),
        np.pad(ids, ((0, 0), (0, extra)), constant_values=-1),
    )


def index_folder() -> Path:
    return get_settings().data_dir / "index"


def index_path(model_id: str, folder: Path | None = None) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.+-]", "_", model_id)
    return (folder or index_folder()) / f"{safe}.faiss.enc"


_registry: dict[str, FaceIndex] = {}
_registry_lock = threading.Lock()


def get_index(model_id: str) -> FaceIndex:
    """This process's index of one model: loaded from disk on first use, else empty."""
    with _registry_lock:
        index = _registry.get(model_id)
        if index is None:
            try:
                index = FaceIndex.load(model_id)
            except (DataIntegrityError, ValueError, OSError, KeyError, RuntimeError):
                index = None  # unreadable (e.g. data key changed): rebuilt from the database
            index = index or FaceIndex(model_id)
            _registry[model_id] = index
        return index


def reset_indexes(*, delete_files: bool = False) -> None:
    """Forget the in-memory indexes (tests; after a restore). Optionally delete saved files."""
    with _registry_lock:
        _registry.clear()
    if delete_files and index_folder().exists():
        for path in index_folder().glob("*.faiss.enc"):
            path.unlink(missing_ok=True)
