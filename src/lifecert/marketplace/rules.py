"""Anti-scam rules as data: each rule is a name, its thresholds and a pure test over the facts
of one order. The service gathers the facts from the database; the benchmark gathers the same
facts from a generated month; both call :func:`evaluate`.

The thresholds come from the scam shapes they are meant to catch, not from any data they are
scored on:

- ``community_sweep``: sales seminars and "free trip" buses sell to a room of 10-30 elders of
  one community in a day or two. A home-service firm serves a few households of a community a
  week. 10 different elders of one community within 48 hours is a seminar, not a cleaner.
- ``complaints``: a merchant whose recent orders draw complaints (3 and at least 5 %) or
  cancellations (5 and at least 25 %). An honest merchant sees well under 1 % complaints and a
  few % cancellations; both conditions need a count too, so two cancellations of a new
  merchant's first three orders are not an alarm.
- ``near_cap``: an offer at 90 % of the bureau's cap or more while the same category's other
  offers in the city cost no more than two thirds of it (1.5x their median): the "health
  check" priced to the cap that is a cheaper check elsewhere.
- ``after_call``: an order within 72 hours of a phone call from the same merchant that the
  elder or family reported (pressure sales work by phone, then ask the elder to order).
- ``spend_spike``: the elder's spending this month, this order included, above five times
  their usual month (six months' average) and above 3,000 yuan (a senior trip or a yearly
  meal plan is a big but normal purchase; a month's pension or more is not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Facts:
    """What the rules know about one order when it is placed."""

    price: int
    cap: int
    city_median: float | None  # the category's other active offers in the city (None: none)
    community_buyers_48h: int  # distinct elders of this community, this merchant, incl. this
    merchant_orders_30d: int
    merchant_cancelled_30d: int
    merchant_complaints_30d: int
    hours_since_call: float | None  # since the last reported call from this merchant
    elder_month_spend: int  # this calendar month before this order (cancelled ones excluded)
    elder_avg_month: float  # average over the six months before


@dataclass(frozen=True)
class Rule:
    code: str
    params: dict[str, float] = field(default_factory=dict)


RULES: tuple[Rule, ...] = (
    Rule("community_sweep", {"buyers": 10, "hours": 48}),
    Rule("complaints", {"complaints": 3, "complaint_rate": 0.05,
                        "cancellations": 5, "cancel_rate": 0.25, "days": 30}),
    Rule("near_cap", {"cap_share": 0.9, "over_median": 1.5}),
    Rule("after_call", {"hours": 72}),
    Rule("spend_spike", {"times_usual": 5, "floor": 3000}),
)
RULE_CODES = tuple(r.code for r in RULES)


@dataclass(frozen=True)
class Hit:
    rule: str
    evidence: dict[str, Any]


def _community_sweep(f: Facts, p: dict[str, float]) -> dict[str, Any] | None:
    if f.community_buyers_48h >= p["buyers"]:
        return {"buyers": f.community_buyers_48h, "threshold": int(p["buyers"]),
                "hours": int(p["hours"])}
    return None


def _complaints(f: Facts, p: dict[str, float]) -> dict[str, Any] | None:
    n = max(f.merchant_orders_30d, 1)
    many_complaints = (f.merchant_complaints_30d >= p["complaints"]
                       and f.merchant_complaints_30d / n >= p["complaint_rate"])
    many_cancels = (f.merchant_cancelled_30d >= p["cancellations"]
                    and f.merchant_cancelled_30d / n >= p["cancel_rate"])
    if many_complaints or many_cancels:
        return {"orders": f.merchant_orders_30d, "complaints": f.merchant_complaints_30d,
                "cancelled": f.merchant_cancelled_30d, "days": int(p["days"])}
    return None


def _near_cap(f: Facts, p: dict[str, float]) -> dict[str, Any] | None:
    if f.city_median is None or f.price < p["cap_share"] * f.cap:
        return None
    if f.price >= p["over_median"] * f.city_median:
        return {"price": f.price, "cap": f.cap, "median_elsewhere": round(f.city_median)}
    return None


def _after_call(f: Facts, p: dict[str, float]) -> dict[str, Any] | None:
    if f.hours_since_call is not None and 0 <= f.hours_since_call <= p["hours"]:
        return {"hours_since_call": round(f.hours_since_call, 1), "threshold": int(p["hours"])}
    return None


def _spend_spike(f: Facts, p: dict[str, float]) -> dict[str, Any] | None:
    month = f.elder_month_spend + f.price
    if month > p["floor"] and month > p["times_usual"] * f.elder_avg_month:
        return {"month_spend": month, "usual_month": round(f.elder_avg_month),
                "floor": int(p["floor"])}
    return None


_TESTS = {
    "community_sweep": _community_sweep,
    "complaints": _complaints,
    "near_cap": _near_cap,
    "after_call": _after_call,
    "spend_spike": _spend_spike,
}


def evaluate(facts: Facts, rules: tuple[Rule, ...] = RULES) -> list[Hit]:
    """Every rule the order's facts break, with the evidence a worker reads."""
    hits = []
    for rule in rules:
        evidence = _TESTS[rule.code](facts, rule.params)
        if evidence is not None:
            hits.append(Hit(rule.code, {"rule": rule.code, **evidence}))
    return hits
