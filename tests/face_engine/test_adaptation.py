"""Cross-age adaptation (issue 8): parameter files, scoring maths, multi-template rule, fits.

Fast and synthetic; the cross-validated numbers come from training/train_cross_age.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from training.xage_eval import Lag, cross_age_distances, identity_folds, tar_at_far
from training.xage_fit import FitConfig, fit, jb_metric

from lifecert.face_engine import Embedding
from lifecert.face_engine.adaptation import Template, match_templates, model_for, snorm
from lifecert.face_engine.adaptation.robust import upscale_small
from lifecert.face_engine.adaptation.transform import CrossAgeModel, load, project, save
from lifecert.face_engine.errors import FaceEngineError
from lifecert.face_engine.matching import decide, load_thresholds
from lifecert.face_engine.types import Match, Thresholds

SHIPPED_ID = "dlib-resnet-v1+jitter6+xage1"


def small_model(seed: int = 0, dims: int = 8) -> CrossAgeModel:
    rng = np.random.default_rng(seed)
    return CrossAgeModel(
        model_id="toy+xage1", base_model_id="toy", mean=rng.normal(size=dims) * 0.1,
        projection=rng.normal(size=(dims, dims)), card={"seed": seed},
    )


def synthetic_people(seed: int, people: int = 40, dims: int = 8) -> Lag:
    """Each person: an identity vector; old photos add a shared 'ageing' shift plus noise."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(people, dims))
    age = np.zeros(dims)
    age[0] = 2.0  # ageing moves every face along one direction
    rows, ids, young = [], [], []
    for p in range(people):
        for is_young in (True, True, False, False):
            shift = 0.0 if is_young else age * rng.uniform(0.5, 1.5)
            rows.append(centres[p] + shift + 0.3 * rng.normal(size=dims))
            ids.append(f"p{p}")
            young.append(is_young)
    n = len(rows)
    return Lag(np.array(rows), np.array(ids), np.array(young), np.ones(n, bool), np.ones(n, bool))


def test_parameters_round_trip(tmp_path) -> None:
    model = small_model()
    save(model, tmp_path)
    loaded = load("toy+xage1", tmp_path)
    x = np.random.default_rng(1).normal(size=(5, 8))
    assert loaded.base_model_id == "toy" and loaded.card["seed"] == 0
    np.testing.assert_allclose(loaded.apply(x), model.apply(x), atol=1e-5)
    assert np.allclose(np.linalg.norm(loaded.apply(x), axis=1), 1.0, atol=1e-6)


def test_inconsistent_or_missing_parameters_raise(tmp_path) -> None:
    save(small_model(), tmp_path)
    card = tmp_path / "toy+xage1.json"
    card.write_text(json.dumps({"model_id": "other", "base_model_id": "toy"}))
    with pytest.raises(FaceEngineError, match="inconsistent"):
        load("toy+xage1", tmp_path)
    with pytest.raises(FaceEngineError, match="No cross-age parameters"):
        load("absent+xage1", tmp_path)


def test_apply_refuses_descriptors_of_another_size() -> None:
    with pytest.raises(FaceEngineError, match="expects 8-d"):
        small_model().apply(np.zeros((2, 128)))


def test_snorm_rescales_by_each_sides_cohort_statistics() -> None:
    cosine = np.array([[0.5]])
    score = snorm.normalise(cosine, (np.array([0.3]), np.array([0.1])),
                            (np.array([0.1]), np.array([0.2])))
    assert score[0, 0] == pytest.approx(0.5 * ((0.5 - 0.3) / 0.1 + (0.5 - 0.1) / 0.2))
    distances = snorm.score_to_distance(np.array([-2.0, 0.0, 5.0]))
    assert np.all(distances > 0) and np.all(np.diff(distances) < 0)


def test_cohort_stats_use_the_top_k_scores() -> None:
    cohort = np.eye(4)
    mean, std = snorm.cohort_stats(np.array([[1.0, 0, 0, 0]]), cohort, top_k=2)
    assert mean[0] == pytest.approx(0.5) and std[0] == pytest.approx(0.5)


def test_best_template_decides_and_is_named() -> None:
    def compare(a: Embedding, b: Embedding) -> Match:
        d = float(np.linalg.norm(a.vector - b.vector))
        limits = Thresholds("m", 0.5, 1.0)
        return Match(d, 1 - d, decide(d, limits), "m", limits)

    probe = Embedding(np.zeros(2, np.float32), "m")
    templates = [
        Template("id-photo", Embedding(np.array([0.9, 0], np.float32), "m"), "id_photo"),
        Template("recent", Embedding(np.array([0.2, 0], np.float32), "m"), "certification"),
        Template("old-model", Embedding(np.zeros(2, np.float32), "other"), "id_photo"),
    ]
    result = match_templates(compare, probe, templates)
    assert result.deciding is not None and result.deciding.template_id == "recent"
    assert result.decision == "accept" and result.skipped == ("old-model",)
    assert len(result.scores) == 2
    none = match_templates(compare, probe, templates[2:])
    assert none.decision == "reject" and none.deciding is None


def test_jb_metric_is_symmetric_positive_and_fit_is_deterministic() -> None:
    data = synthetic_people(0)
    first = fit(data.x, data.identity, data.young, FitConfig("jb", 0.3, 0))
    again = fit(data.x, data.identity, data.young, FitConfig("jb", 0.3, 0))
    assert first.projection is not None and again.projection is not None
    np.testing.assert_array_equal(first.projection, again.projection)
    metric = jb_metric(np.eye(3), 2 * np.eye(3))
    assert np.allclose(metric, metric.T) and np.all(np.linalg.eigvalsh(metric) > 0)


def test_learned_metric_beats_raw_on_unseen_people_with_an_age_shift() -> None:
    train, test = synthetic_people(1), synthetic_people(2)
    raw = fit(train.x, train.identity, train.young, FitConfig("raw", 0.0, 0))
    learned = fit(train.x, train.identity, train.young, FitConfig("jb", 0.1, 10))
    tar_raw = tar_at_far(*cross_age_distances(test, raw), 0.01)
    tar_learned = tar_at_far(*cross_age_distances(test, learned), 0.01)
    assert tar_learned > tar_raw + 0.2


def test_folds_are_identity_disjoint_and_seeded() -> None:
    ids = np.array([f"p{i // 3}" for i in range(60)])
    folds = identity_folds(ids, 5, seed=7)
    for person in np.unique(ids):
        assert len(set(folds[ids == person])) == 1
    np.testing.assert_array_equal(folds, identity_folds(ids, 5, seed=7))
    assert set(folds) == set(range(5))


def test_undetected_photo_never_matches() -> None:
    data = synthetic_people(4, people=5)
    detected = data.detected.copy()
    detected[0] = False  # a young photo of person 0
    blind = Lag(data.x, data.identity, data.young, detected, data.trainable)
    raw = fit(data.x, data.identity, data.young, FitConfig("raw", 0.0, 0))
    genuine, _ = cross_age_distances(blind, raw)
    assert np.isinf(genuine).sum() == 2  # both old photos of person 0 against it


def test_tar_at_far_counts_only_pairs_below_the_allowed_impostor() -> None:
    impostor = np.arange(1000, dtype=float) + 1.0
    genuine = np.array([0.5, 1.5, 2.5, 5.0])
    assert tar_at_far(genuine, impostor, 1e-3) == pytest.approx(0.5)  # threshold: 2nd impostor


def test_upscale_small_only_touches_small_photos() -> None:
    small = np.zeros((100, 80, 3), np.uint8)
    assert upscale_small(small).shape == (200, 160, 3)
    big = np.zeros((250, 250, 3), np.uint8)
    assert upscale_small(big) is big


def test_shipped_parameters_and_thresholds_agree() -> None:
    model = model_for(SHIPPED_ID)
    if model is None:
        pytest.skip(f"{SHIPPED_ID} not trained yet: run python -m training.train_cross_age")
    assert model.base_model_id == "dlib-resnet-v1+jitter6" and model.input_size == 128
    assert model.projection.shape == (128, 128)
    assert np.allclose(model.projection, model.projection.T, atol=1e-5)  # sqrt(-G) is symmetric
    limits = load_thresholds()[SHIPPED_ID]
    assert 0 < limits.accept <= limits.review < 2.0 and limits.metric == "euclidean"
    x = np.random.default_rng(0).normal(size=(3, 128))
    np.testing.assert_allclose(model.apply(x), project(x, model.mean, model.projection), atol=1e-6)
