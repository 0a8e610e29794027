"""Contract tests: every registered real backend, run on real images from shared/data."""

import numpy as np
import pytest

from lifecert.face_engine.registry import BackendContext, available, create

from .helpers import image, real_engine

CONTEXT = BackendContext(threads=1, cache_dir=None)
FRAME = "nuaa/ClientRaw/0001/0001_00_00_01_0.jpg"  # one frontal face, 640x480
OTHER = "nuaa/ClientRaw/0003/0003_01_00_01_0.jpg"


def real_backends(kind: str) -> list[str]:
    """Registered names minus fakes and test doubles; hyphenated aliases run once."""
    names = [n for n in available(kind) if not n.startswith(("fake", "test"))]  # type: ignore[arg-type]
    return [n for n in names if n.replace("-", "_") == n or n.replace("-", "_") not in names]


@pytest.mark.parametrize("name", real_backends("detector"))
def test_detector_finds_the_one_real_face(name: str) -> None:
    picture = image(FRAME)
    faces = create("detector", name, CONTEXT).detect(picture)
    reference = real_engine().detect(picture)[0]
    assert len(faces) == 1
    assert faces[0].bbox.iou(reference.bbox) > 0.4
    assert 100 < faces[0].bbox.width < 300


@pytest.mark.parametrize("name", real_backends("landmarker"))
def test_landmarker_points_lie_on_the_face(name: str) -> None:
    picture = image(FRAME)
    face = real_engine().detect(picture)[0]
    marks = create("landmarker", name, CONTEXT).landmarks(picture, face)
    assert marks is not None and marks.points.shape[0] >= 468
    x, y = marks.points[:, 0], marks.points[:, 1]
    box = face.bbox
    inside = (x > box.left - 0.3 * box.width) & (x < box.right + 0.3 * box.width)
    inside &= (y > box.top - 0.5 * box.height) & (y < box.bottom + 0.3 * box.height)
    assert inside.mean() > 0.98


@pytest.mark.parametrize("name", real_backends("aligner"))
def test_aligner_cuts_chips_of_the_requested_size(name: str) -> None:
    picture = image(FRAME)
    face = real_engine().detect(picture)[0]
    chips = create("aligner", name, CONTEXT).chips(picture, [face], 150, 0.25)
    assert chips.shape == (1, 150, 150, 3) and chips.dtype == np.uint8
    assert chips.std() > 20  # a face, not an empty crop


@pytest.mark.parametrize("name", real_backends("embedder"))
def test_embedder_separates_two_real_people(name: str) -> None:
    engine = real_engine()
    chips = []
    for path in (FRAME, "nuaa/ClientRaw/0001/0001_00_00_01_105.jpg", OTHER):
        picture = image(path)
        chips.append(engine.chips(picture, engine.detect(picture)[:1])[0])
    embedder = create("embedder", name, CONTEXT)
    vectors = embedder.embed_chips(np.stack(chips))
    assert vectors.shape == (3, 128) and vectors.dtype == np.float32
    assert np.isfinite(vectors).all() and embedder.model_id
    same = np.linalg.norm(vectors[0] - vectors[1])
    different = np.linalg.norm(vectors[0] - vectors[2])
    assert same < 0.5 < different
