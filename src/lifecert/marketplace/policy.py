"""The marketplace's policy as data: the cooling-off period, when family is told, complaint
deadlines. Pure values and functions (no database), so pages, jobs and tests agree."""

from __future__ import annotations

from datetime import date, timedelta

from lifecert.core.i18n import N_

# China's 7-day no-reason return for online purchases; the UK allows 14. The elder may cancel
# with one tap up to and including the last day, and is refunded in full.
COOLING_OFF_DAYS = 7
# Family hears of any single order at or above this (yuan): a month of a typical pension's
# discretionary spending; FINRA 4512's "trusted contact" idea applied to a shop.
FAMILY_THRESHOLD = 500
# ... and of a third order from the same merchant within this many days (pressure selling
# comes back for more; a weekly cleaner is the normal case the family then knows about).
REPEAT_ORDERS = 3
REPEAT_DAYS = 30
# Complaints: the community answers first, the bureau checks the answer.
COMMUNITY_DAYS = 3
BUREAU_DAYS = 10
MAX_PHOTO_BYTES = 2 * 1024 * 1024
MAX_PHOTO_SIDE = 4000
MAX_PHOTO_PIXELS = 12_000_000
MAX_SPENDING_LIMIT = 100_000

COMPLAINT_REASONS = {
    "no_show": N_("Nobody came"),
    "poor_service": N_("The service was poor"),
    "overcharged": N_("I was asked for more money"),
    "pressure": N_("I was pressured to buy"),
    "other": N_("Something else"),
}


def cooling_off_end(placed_on: date) -> date:
    """The last day the order can still be cancelled with a full refund."""
    return placed_on + timedelta(days=COOLING_OFF_DAYS)


def in_cooling_off(placed_on: date, today: date) -> bool:
    return placed_on <= today <= cooling_off_end(placed_on)


def payout_due(placed_on: date, today: date) -> bool:
    """Money reaches the merchant only once the period is over (never while it may be undone)."""
    return today > cooling_off_end(placed_on)


def month_start(day: date) -> date:
    return day.replace(day=1)
