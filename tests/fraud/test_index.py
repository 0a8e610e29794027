"""The FAISS gallery: add, search, remove, approximate mode, persistence, rebuild from the DB."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session

from lifecert.core.errors import DataIntegrityError
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import ConsentChannel, TemplateSource
from lifecert.fraud.index import FaceIndex, IndexOptions, get_index
from lifecert.fraud.service import rebuild_index, search_face
from tests.builders import admin_actor, make_city, make_community, make_retiree, noise_photo


def _gallery(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_add_search_remove_round_trip() -> None:
    index = FaceIndex("m1", IndexOptions(exact_max=1000))
    vectors = _gallery(50)
    assert index.add(np.arange(100, 150), vectors) == 50
    assert index.add([100], vectors[:1]) == 0  # already there
    best = index.search(vectors[7], k=3)
    assert best[0][0] == 107 and best[0][1] == pytest.approx(0.0, abs=1e-5)
    assert index.remove([107, 999]) == 1 and 107 not in index and len(index) == 49
    assert all(i != 107 for i, _ in index.search(vectors[7], k=5))
    assert index.search(vectors[0], k=100)[-1][0] >= 100  # fewer results than k: no padding


def test_approximate_index_re_ranks_exactly() -> None:
    index = FaceIndex("m2", IndexOptions(exact_max=500, nprobe=8, refine_factor=8))
    vectors = _gallery(3000, seed=1)
    index.add(np.arange(1, 3001), vectors)
    queries = vectors[:200] + np.random.default_rng(2).normal(0, 0.02, (200, 32)).astype("f4")
    distances, ids = index.search_many(queries, 3)
    assert index.is_approximate
    recall = float(np.mean(ids[:, 0] == np.arange(1, 201)))
    assert recall >= 0.95
    exact = np.linalg.norm(vectors[ids[0, 0] - 1] - queries[0])
    assert distances[0, 0] == pytest.approx(exact, abs=1e-4)  # re-ranked with exact distances
    index.remove([1])
    assert 1 not in {i for i, _ in index.search(queries[0], 5)}


def test_persisted_encrypted_and_loaded(tmp_path: Path) -> None:
    index = FaceIndex("model/x", IndexOptions(exact_max=100))
    vectors = _gallery(1200, seed=3)
    index.add(np.arange(1, 1201), vectors)
    index.search(vectors[0], 1)  # builds the approximate index (1200 > 100)
    path = index.save(tmp_path)
    assert path.name == "model_x.faiss.enc"
    assert vectors[5].tobytes() not in path.read_bytes()  # encrypted with the data key
    loaded = FaceIndex.load("model/x", tmp_path, IndexOptions(exact_max=100))
    assert loaded is not None and len(loaded) == 1200 and loaded.is_approximate
    assert loaded.search(vectors[9], 1)[0][0] == 10 and loaded.high_water == 1200
    loaded.add([5000], vectors[:1] * 0.5)
    assert 5000 in loaded
    path.write_bytes(path.read_bytes()[:-5] + b"xxxxx")  # tampered or another data key
    with pytest.raises(DataIntegrityError):
        FaceIndex.load("model/x", tmp_path)


def test_rebuild_from_the_database_and_incremental_sync(session: Session) -> None:
    community = make_community(session, city=make_city(session))
    people = [make_retiree(session, community=community, name=f"人{i}") for i in range(3)]
    enrolled = []
    for i, person in enumerate(people):
        enrollment.record_consent(
            session,
            actor=admin_actor(),
            retiree_id=person.id,
            channel=ConsentChannel.COUNTER,
            given_by="本人",
        )
        enrolled.append(
            enrollment.enroll_photo(
                session,
                actor=admin_actor(),
                retiree_id=person.id,
                image_bytes=noise_photo(20 + i),
                source=TemplateSource.STAFF_CAPTURE,
            ).template
        )
    model_id = enrolled[0].model_id
    index = get_index(model_id)
    assert len(index) == 3 and index.high_water == enrolled[-1].id  # synced while enrolling
    rebuilt = rebuild_index(session, model_id=model_id)
    assert len(rebuilt) == 3 and rebuilt.vectors([enrolled[1].id]).shape[0] == 1
    probe = enrollment.decrypt_template(enrolled[1])
    hits = search_face(session, embedding=probe, exclude_retiree=people[0].id, k=2)
    assert hits[0].retiree_id == people[1].id and hits[0].decision == "accept"
    assert all(h.retiree_id != people[0].id for h in hits)
