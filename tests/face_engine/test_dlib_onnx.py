"""The dlib .dat -> ONNX converter, its cache and the ONNX Runtime embedder (no research data).

The real-chip agreement with dlib is in test_dlib_onnx_contract.py; here a few synthetic chips
check the same thing in a second, plus the parser's refusals and the cache's behaviour.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from lifecert.face_engine import FaceEngineConfig
from lifecert.face_engine.dlib_onnx import cache
from lifecert.face_engine.dlib_onnx.embedder import MODEL_ID, OnnxResnetEmbedder
from lifecert.face_engine.dlib_onnx.errors import DatFormatError
from lifecert.face_engine.dlib_onnx.graph import macs_per_face
from lifecert.face_engine.dlib_onnx.network import parse_dat
from lifecert.face_engine.dlib_onnx.reader import DatReader
from lifecert.face_engine.registry import BackendContext, available, create


@pytest.fixture(scope="module")
def dat_bytes() -> bytes:
    return cache.default_dat_path().read_bytes()


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> OnnxResnetEmbedder:
    return OnnxResnetEmbedder(threads=1, cache_dir=tmp_path_factory.mktemp("models"))


def synthetic_chips(count: int, seed: int = 0) -> np.ndarray:
    """Smooth random images (noise alone is far from faces; gradients exercise every layer)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:150, 0:150] / 150.0
    chips = []
    for _ in range(count):
        a, b, c = rng.uniform(0, 255, 3), rng.uniform(-120, 120, 3), rng.uniform(-120, 120, 3)
        base = a + b * xx[..., None] + c * yy[..., None] + rng.normal(0, 20, (150, 150, 3))
        chips.append(np.clip(base, 0, 255).astype(np.uint8))
    return np.stack(chips)


# -- dlib's serialization primitives -------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "value"),
    [(b"\x01\x00", 0), (b"\x01\x02", 2), (b"\x02\x00\x01", 256), (b"\x81\x1c", -28)],
)
def test_integer_encoding(raw: bytes, value: int) -> None:
    assert DatReader(raw).integer() == value


def test_float_is_mantissa_times_power_of_two() -> None:
    # 0.6 as dlib writes it: mantissa 0x99999a (3 bytes), exponent -24.
    assert DatReader(b"\x03\x9a\x99\x99\x81\x18").real() == pytest.approx(0.6, abs=1e-7)


# -- structure check -----------------------------------------------------------------------------
def test_parses_the_installed_model(dat_bytes: bytes) -> None:
    net = parse_dat(dat_bytes)
    kinds = [layer.kind for layer in net.layers]
    assert net.input_size == 150 and len(kinds) == 130
    assert kinds.count("con") == 29 and kinds.count("add_prev") == 14 and kinds[-1] == "fc"
    assert net.input_mean == pytest.approx((122.782, 117.001, 104.298), abs=1e-3)
    assert macs_per_face(net) == 270_854_144


def test_truncated_file_is_refused(dat_bytes: bytes) -> None:
    with pytest.raises(DatFormatError, match="end of file"):
        parse_dat(dat_bytes[: len(dat_bytes) // 2])


def test_trailing_bytes_are_refused(dat_bytes: bytes) -> None:
    with pytest.raises(DatFormatError, match="unexpected bytes"):
        parse_dat(dat_bytes + b"\x00")


def test_other_network_is_refused(dat_bytes: bytes) -> None:
    with pytest.raises(DatFormatError, match="Layer 0 is 'con_5'"):
        parse_dat(dat_bytes.replace(b"con_4", b"con_5", 1))
    # Same byte length, another loss layer: the header is checked before anything else.
    with pytest.raises(DatFormatError, match="Loss layer"):
        parse_dat(b"\x01\x01\x01\x0dloss_mmod_xx2" + dat_bytes[17:])


def test_changed_geometry_is_refused(dat_bytes: bytes) -> None:
    # The stem convolution: 32 filters, 7x7, stride 2, no padding -> make its stride 1.
    stem = b"\x01\x20\x01\x07\x01\x07\x01\x02\x01\x02\x01\x00\x01\x00"
    assert stem in dat_bytes
    changed = dat_bytes.replace(stem, stem[:6] + b"\x01\x01\x01\x01" + stem[10:], 1)
    with pytest.raises(DatFormatError, match="convolution geometry"):
        parse_dat(changed)


# -- cache ---------------------------------------------------------------------------------------
def test_cache_converts_once_and_keys_on_content(tmp_path: Path, dat_bytes: bytes) -> None:
    dat = tmp_path / "model.dat"
    dat.write_bytes(dat_bytes)
    first = cache.ensure_onnx_model(dat, tmp_path / "c")
    stamp = first.stat().st_mtime_ns
    assert cache.ensure_onnx_model(dat, tmp_path / "c") == first
    assert first.stat().st_mtime_ns == stamp
    assert cache.file_sha256(dat)[:16] in first.name
    # Changed weights (one float of the last layer) give another file, never the stale one.
    dat.write_bytes(dat_bytes[:-200] + bytes([dat_bytes[-200] ^ 1]) + dat_bytes[-199:])
    assert cache.ensure_onnx_model(dat, tmp_path / "c") != first


def test_damaged_cache_file_is_rebuilt(tmp_path: Path) -> None:
    path = cache.ensure_onnx_model(None, tmp_path)
    path.write_bytes(b"not an onnx model")
    embedder = OnnxResnetEmbedder(cache_dir=tmp_path)
    assert embedder.embed_chips(synthetic_chips(1)).shape == (1, 128)
    assert path.stat().st_size > 20_000_000


def test_unusable_cache_folder_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    embedder = OnnxResnetEmbedder(cache_dir=blocker / "models")  # cannot be created
    assert embedder.embed_chips(synthetic_chips(1)).shape == (1, 128)


def test_concurrent_conversions_leave_one_complete_file(tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def convert() -> None:
        try:
            cache.ensure_onnx_model(None, tmp_path)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=convert) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 1 and files[0].endswith(".onnx")  # no temporary files left


# -- embedder ------------------------------------------------------------------------------------
def test_agrees_with_dlib_on_synthetic_chips(embedder: OnnxResnetEmbedder) -> None:
    import dlib

    chips = synthetic_chips(4)
    net = dlib.face_recognition_model_v1(str(cache.default_dat_path()))
    reference = np.array([np.asarray(net.compute_face_descriptor(c)) for c in chips])
    assert np.abs(embedder.embed_chips(chips) - reference).max() <= 1e-5


def test_batches_equal_single_chips(embedder: OnnxResnetEmbedder) -> None:
    chips = synthetic_chips(9, seed=1)
    batch = embedder.embed_chips(chips)
    single = np.concatenate([embedder.embed_chips(c[None]) for c in chips])
    assert batch.shape == (9, 128) and batch.dtype == np.float32
    assert np.abs(batch - single).max() <= 1e-5


def test_input_checks_and_empty_batch(embedder: OnnxResnetEmbedder) -> None:
    assert embedder.embed_chips(np.zeros((0, 150, 150, 3), np.uint8)).shape == (0, 128)
    with pytest.raises(ValueError, match="shape"):
        embedder.embed_chips(np.zeros((1, 112, 112, 3), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        embedder.embed_chips(np.zeros((1, 150, 150, 3), np.float32))


def test_registered_as_default_with_dlib_as_reference(tmp_path: Path) -> None:
    assert {"onnx_resnet", "dlib_resnet"} <= set(available("embedder"))
    assert FaceEngineConfig().embedder == "onnx_resnet"
    backend = create("embedder", "onnx_resnet", BackendContext(threads=1, cache_dir=str(tmp_path)))
    assert isinstance(backend, OnnxResnetEmbedder)
    assert backend.model_id == MODEL_ID == create("embedder", "dlib_resnet", backend_ctx()).model_id


def backend_ctx() -> BackendContext:
    return BackendContext(threads=1, cache_dir=None)
