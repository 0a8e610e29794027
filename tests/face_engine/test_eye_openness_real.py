"""Eye openness that holds for old faces: laughing, glasses and hooded lids count as open, a
real blink still counts as shut, and narrow eyes never refuse a frame set on their own."""

import pytest

from lifecert.face_engine.quality import eyes_closed_in_frames, usable
from lifecert.face_engine.types import Quality

from .helpers import image, real_engine, video_frames

# Elderly faces (shared/data/elderly_60plus) with their eyes visibly open that the former
# absolute rule (mean aspect ratio < 0.14) called "eyes closed": laughing (eyes narrowed),
# glasses, hooded lids of an 82-year-old.
OPEN_ELDERLY = [
    "75_0_0_20170111205059862.jpg.chip.jpg",
    "60_1_0_20170110122526605.jpg.chip.jpg",
    "77_0_0_20170111202327200.jpg.chip.jpg",
    "72_0_0_20170111222541402.jpg.chip.jpg",
    "62_1_2_20170105174732894.jpg.chip.jpg",
]


@pytest.mark.parametrize("name", OPEN_ELDERLY)
def test_open_elderly_eyes_are_not_closed(name: str) -> None:
    quality = real_engine().quality(image(f"elderly_60plus/images/{name}"))
    assert "eyes_closed" not in quality.reasons, quality.measures
    assert quality.measure("eye_aspect") < 0.14  # the old rule would have refused it


def _openness(name: str, start: float, end: float) -> list[float]:
    engine = real_engine()
    values = []
    for frame, _ in video_frames(name, start, end, fps=15):
        value = engine.quality(frame).measure("eye_open")
        if value is not None:
            values.append(value)
    return values


def test_real_blink_is_closed_relative_to_own_frames() -> None:
    values = _openness("grid_bbaf2n.mpg", 1.0, 2.2)  # a natural blink of a speaker
    closed = eyes_closed_in_frames(values)
    assert any(closed), values
    assert sum(closed) <= len(values) // 3  # only the blink, not the open frames
    assert min(v for v, c in zip(values, closed, strict=True) if c) < 0.09


def test_constantly_narrow_eyes_are_open_in_their_own_frame_set() -> None:
    values = [0.085, 0.09, 0.08, 0.088, 0.082]  # a person whose eyes are always this narrow
    assert not any(eyes_closed_in_frames(values))
    assert eyes_closed_in_frames([0.3, 0.31, 0.04, 0.29]) == [False, False, True, False]


def test_eyes_closed_alone_leaves_the_frame_usable() -> None:
    face = real_engine().quality(image("nuaa/ClientRaw/0001/0001_00_00_01_0.jpg")).face
    assert usable(Quality(reasons=("eyes_closed",), measures=(), face=face))
    assert not usable(Quality(reasons=("eyes_closed", "too_blurry"), measures=(), face=face))
    assert not usable(Quality(reasons=("no_face",), measures=()))
