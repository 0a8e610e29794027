"""Narrow or drooping eyes never refuse a face check on their own (fake engine)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy.orm import Session

from lifecert.certification.models import Outcome
from lifecert.core.faces import get_face_engine
from tests.certification.helpers import certify, enrolled_retiree


def _flag_eyes(monkeypatch: pytest.MonkeyPatch, openness: list[float]) -> None:
    """Every frame's quality says eyes_closed, with these eye-openness values in turn."""
    engine = get_face_engine()
    real_quality = engine.quality
    values = iter(openness * 10)

    def quality(image, face=None):  # type: ignore[no-untyped-def]
        result = real_quality(image, face)
        measures = (*result.measures, ("eye_open", next(values)))
        return replace(result, reasons=("eyes_closed",), measures=measures)

    monkeypatch.setattr(engine, "quality", quality)


def test_eyes_always_narrow_still_certify(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    _flag_eyes(monkeypatch, [0.08, 0.085, 0.082, 0.08, 0.084])  # the person's own level
    result = certify(session, retiree, face_seed=1, today=date(2026, 11, 26))
    assert result.outcome == Outcome.CERTIFIED
    assert result.evidence["quality"]["reasons"] == ["eyes_closed"]  # kept as evidence


def test_a_frame_with_open_eyes_is_preferred_to_a_blink(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    retiree = enrolled_retiree(session, face_seed=1)
    _flag_eyes(monkeypatch, [0.02, 0.085, 0.3, 0.31, 0.3])  # a blink first, then open
    result = certify(session, retiree, face_seed=1, today=date(2026, 11, 26))
    assert result.outcome == Outcome.CERTIFIED
    assert result.evidence["quality"]["frame"] != 0  # not the blink
