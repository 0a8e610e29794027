"""Every code a page or a CSV file can show has a label (a missing one was a 500 on the
retiree page when silent certifications arrived)."""

from __future__ import annotations

from enum import StrEnum

import pytest

from lifecert.certification import labels
from lifecert.certification.models import (
    CaseStatus,
    CertMode,
    Outcome,
    PaymentAction,
    ReviewSource,
)
from lifecert.certification.trust import ATTACK_REASON, HELD_REASON
from lifecert.enrollment.models import TemplateSource
from lifecert.fraud.death_review import HOLD_REASON


@pytest.mark.parametrize(
    ("enum", "mapping"),
    [
        (CertMode, labels.MODES),
        (Outcome, labels.OUTCOMES),
        (CaseStatus, labels.CASE_STATUS),
        (PaymentAction, labels.PAYMENT_ACTIONS),
        (ReviewSource, labels.REVIEW_SOURCES),
        (TemplateSource, labels.TEMPLATE_SOURCES),
    ],
)
def test_every_member_has_a_label(enum: type[StrEnum], mapping: dict[object, str]) -> None:
    assert [m for m in enum if m not in mapping] == []


def test_reasons_written_by_the_trust_rules_have_labels() -> None:
    for reason in (ATTACK_REASON, HELD_REASON, HOLD_REASON, "death report reversed", "silent"):
        assert reason in labels.REASONS, reason
