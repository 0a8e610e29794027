"""An imported ID-card photo (possibly decades old) is judged with the model's aged-reference
band; a live capture with the default band (fake engine)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from lifecert.core.faces import get_face_engine
from lifecert.enrollment.models import TemplateSource
from lifecert.face_engine.matching import AGED_REFERENCE, band_key
from lifecert.face_engine.types import Thresholds
from tests.certification.helpers import certify, enrolled_retiree


@pytest.mark.parametrize(
    ("source", "expected"),
    [(TemplateSource.ID_PHOTO_IMPORT, (0.5, 0.7)), (TemplateSource.STAFF_CAPTURE, None)],
)
def test_band_follows_the_template_source(
    session: Session, monkeypatch: pytest.MonkeyPatch, source: TemplateSource, expected: object
) -> None:
    engine = get_face_engine()
    model = engine.model_id
    monkeypatch.setitem(
        engine.thresholds, band_key(model, AGED_REFERENCE), Thresholds(model, 0.5, 0.7)
    )
    retiree = enrolled_retiree(session, source=source)
    result = certify(session, retiree, face_seed=1, today=date(2026, 11, 26))
    limits = result.evidence["matching"]["templates"][0]["thresholds"]
    default = engine.thresholds[model]
    assert (limits["accept"], limits["review"]) == (expected or (default.accept, default.review))
