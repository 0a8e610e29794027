"""Dates and times as the reader expects them: in the region's time zone (setting
``LIFECERT_TIMEZONE``, default Asia/Shanghai), to the minute, in the page's language."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date

from lifecert.core.i18n import get_locale
from lifecert.face_engine import message
from lifecert.system.clock import local_zone


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (UTC) moment in the region's time zone, to the minute."""
    return value.astimezone(local_zone()).strftime(fmt) if value is not None else ""


def long_date(value: date | datetime | None) -> str:
    """``2027年1月8日`` / ``January 8, 2027``: for the retiree's pages and the demo clock."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(local_zone()).date()
    return format_date(value, format="long", locale=get_locale())


GLOBALS = {"local_time": local_time, "long_date": long_date}
def local_time_iso(value: str | None) -> str:
    """An ISO date or timestamp kept in evidence JSON: a date as it is, a time like
    ``local_time``."""
    if not value or len(value) <= 10:
        return value or ""
    return local_time(datetime.fromisoformat(value))


FILTERS = {"local_time": local_time, "long_date": long_date, "local_time_iso": local_time_iso}


def engine_message(code: str) -> str:
    """A face-engine code (an action such as ``blink``, a quality or liveness reason) in the
    page's language, from the engine's own message table."""
    return message(code, "zh-CN" if get_locale() == "zh_CN" else "en") if code else ""
