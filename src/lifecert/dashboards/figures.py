"""What each dashboard figure means: the one place that defines them (pure, no database).

Every person on the pension roll of a region falls in exactly one status figure, so the six add
up to ``elderly``:

- **elderly**: retirees with status *active* or *suspended* (deceased and transferred-out
  people have left the roll);
- **suspended**: status *suspended* (payment stopped after the grace period), whatever their
  certification state;
- for *active* people, their ``CertState``: **certified** (valid, not yet in the reminder
  window), **due soon** (valid, inside the reminder window), **overdue** (validity ended, still
  in the grace period), **under review** (a check or a non-face verification awaits an
  officer's decision), **never certified** (on the roll, no certification yet).

**Certifications this month**: successful certification decisions (outcome *certified*, a
reviewer's approval included) made this calendar month, Beijing time, counted in the community
the person lived in at the time. The **trend** shows the same count for each of the last 12
months (bars) and the **certification rate** (line): (certified + due soon) ÷ elderly at each
month's end. The registry overwrites a person's validity when they certify again, so past
rates come from a nightly snapshot of the counters (``dashboards/rates.py``); this month's rate
is live; a month before the first snapshot is a gap, not 0 %.

**Age bands** use the age on the day the page is drawn: under 60, 60–69, 70–79, 80–89, 90+.

**Overdue rate** (community ranking): overdue ÷ elderly.

**Needs a visit**: suspended, overdue, under review, never certified, or at least
``REPEATED_FAILURES`` unsuccessful attempts (outcome *retry* or *rejected* that count as an
attempt) in the last ``FAILURE_WINDOW_DAYS`` days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from lifecert.core.i18n import N_
from lifecert.retirees.models import CertState, RetireeStatus

REPEATED_FAILURES = 3
FAILURE_WINDOW_DAYS = 30


class Figure(StrEnum):
    CERTIFIED = "certified"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    SUSPENDED = "suspended"
    UNDER_REVIEW = "under_review"
    NEVER = "never"


FIGURE_LABELS = {
    Figure.CERTIFIED: N_("Certified"),
    Figure.DUE_SOON: N_("Due soon"),
    Figure.OVERDUE: N_("Overdue"),
    Figure.SUSPENDED: N_("Suspended"),
    Figure.UNDER_REVIEW: N_("Under review"),
    Figure.NEVER: N_("Never certified"),
}

# Figures that put a person on the visit list by themselves.
VISIT_FIGURES = (Figure.SUSPENDED, Figure.OVERDUE, Figure.UNDER_REVIEW, Figure.NEVER)
ON_ROLL = (RetireeStatus.ACTIVE, RetireeStatus.SUSPENDED)


class AgeBand(StrEnum):
    UNDER_60 = "under_60"
    B60 = "60_69"
    B70 = "70_79"
    B80 = "80_89"
    B90 = "90_plus"


AGE_BAND_LABELS = {
    AgeBand.UNDER_60: N_("Under 60"),
    AgeBand.B60: "60–69",
    AgeBand.B70: "70–79",
    AgeBand.B80: "80–89",
    AgeBand.B90: "90+",
}
BAND_FLOORS = (60, 70, 80, 90)  # the ages where a band starts


def figure_of(status: str, cert_state: str) -> Figure | None:
    """The status figure of one person, or None when they are not on the roll."""
    if status == RetireeStatus.SUSPENDED:
        return Figure.SUSPENDED
    if status != RetireeStatus.ACTIVE:
        return None
    return Figure(CertState(cert_state).value)


# The same, as a lookup table for the counter rows (thousands per city page).
FIGURE_OF_KEY: dict[tuple[str, str], Figure | None] = {
    (s.value, c.value): figure_of(s, c) for s in RetireeStatus for c in CertState
}


def band_of_age(age: int) -> AgeBand:
    if age >= 90:
        return AgeBand.B90
    if age >= 80:
        return AgeBand.B80
    if age >= 70:
        return AgeBand.B70
    if age >= 60:
        return AgeBand.B60
    return AgeBand.UNDER_60


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def boundary_years(today: date) -> tuple[int, ...]:
    """Birth years whose band depends on whether the birthday has come this year."""
    return tuple(today.year - floor for floor in BAND_FLOORS)


@dataclass
class Counts:
    """The status figures of one region (or of a person's whole scope)."""

    by_figure: dict[Figure, int] = field(default_factory=lambda: dict.fromkeys(Figure, 0))
    certified_this_month: int = 0

    @property
    def elderly(self) -> int:
        return sum(self.by_figure.values())

    @property
    def overdue_rate(self) -> float:
        return self.by_figure[Figure.OVERDUE] / self.elderly if self.elderly else 0.0

    def add(self, other: Counts) -> None:
        for key, n in other.by_figure.items():
            self.by_figure[key] += n
        self.certified_this_month += other.certified_this_month
