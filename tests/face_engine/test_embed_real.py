"""Real descriptors on a handful of LFW images (dlib ResNet, ~0.15 s each)."""

from .helpers import image, real_engine


def test_same_person_is_closer_than_different_people() -> None:
    engine = real_engine()
    a1 = engine.embed(image("lfw/images/Abel_Pacheco/Abel_Pacheco_0001.jpg"))
    a4 = engine.embed(image("lfw/images/Abel_Pacheco/Abel_Pacheco_0004.jpg"))
    other = engine.embed(image("lfw/images/Aaron_Sorkin/Aaron_Sorkin_0001.jpg"))
    same, different = engine.compare(a1, a4), engine.compare(a1, other)
    assert a1.model_id == engine.model_id == "dlib-resnet-v1+jitter6"
    assert a1.vector.shape == (128,)
    assert same.distance < same.thresholds.review < different.distance
    assert different.decision == "reject"
    assert same.decision in ("accept", "review")


def test_engine_is_safe_to_share_between_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    engine = real_engine()
    pictures = [image(f"lfw/images/Abel_Pacheco/Abel_Pacheco_000{i}.jpg") for i in (1, 2)] * 3
    expected = [engine.embed(p).vector for p in pictures[:2]]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda p: engine.embed(p).vector, pictures))
    for index, vector in enumerate(results):
        assert np.allclose(vector, expected[index % 2], atol=1e-5)
