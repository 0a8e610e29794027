"""The PAD training procedure on small synthetic samples: person-disjoint and deterministic.

No shared data needed: features are drawn from two Gaussians (real vs attack) per person, with
one person whose features are shifted, to show a held-out person is scored by a model that never
saw them.
"""

from __future__ import annotations

import numpy as np
from training.pad_data import Samples
from training.pad_fit import choose_thresholds, fit, nested, out_of_fold

from lifecert.face_engine.pad.features import feature_size
from lifecert.face_engine.pad.model import LinearModel

CROPS = ((1.0, 8),)  # a layout only used to size the synthetic vectors


def build_samples(people: int = 4, frames: int = 20, seed: int = 7) -> Samples:
    rng = np.random.default_rng(seed)
    size = feature_size(CROPS)
    rows, labels, groups, clips = [], [], [], []
    for person in range(people):
        for label in (0, 1):
            centre = np.full(size, 0.5 * label) + (3.0 if person == people - 1 else 0.0)
            rows.append(centre + rng.normal(0, 1, (frames, size)))
            labels += [label] * frames
            groups += [f"nuaa:{person}"] * frames
            clips += [f"nuaa:{person}:{label}"] * frames
    count = len(labels)
    return Samples(
        features=np.vstack(rows),
        labels=np.array(labels),
        groups=np.array(groups),
        clips=np.array(clips),
        names=np.array([f"f{i}" for i in range(count)]),
        sources=np.array(["nuaa"] * count),
    )


def fitter(samples: Samples) -> LinearModel:
    return fit(samples, "pad-test", CROPS)


def test_fitting_twice_gives_the_same_weights_bit_for_bit() -> None:
    samples = build_samples()
    first, again = fitter(samples), fitter(samples)
    assert first.to_json() == again.to_json()
    assert first.crops == CROPS


def test_out_of_fold_scores_come_from_a_model_without_that_person() -> None:
    samples = build_samples()
    scores = out_of_fold(samples, fitter)
    shifted = samples.groups == "nuaa:3"
    without = fitter(samples.subset(~shifted)).scores(samples.features[shifted])
    with_person = fitter(samples).scores(samples.features[shifted])
    np.testing.assert_array_equal(scores[shifted], without)
    assert not np.allclose(scores[shifted], with_person)


def test_nested_thresholds_never_see_the_held_out_person() -> None:
    samples = build_samples()
    held = nested(samples, fitter)
    assert set(held) == {f"nuaa:{p}" for p in range(4)}
    others = samples.subset(samples.groups != "nuaa:0")
    review, attack = choose_thresholds(others, out_of_fold(others, fitter))
    assert (held["nuaa:0"].review, held["nuaa:0"].attack) == (review, attack)
    assert review <= attack
