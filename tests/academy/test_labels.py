"""Every academy code a page can show has a label."""

from __future__ import annotations

from lifecert.academy.labels import LABELS


def test_every_code_has_a_label() -> None:
    for enum, mapping in LABELS.items():
        assert set(mapping) == set(enum), enum
