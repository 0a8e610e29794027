"""Translations: zh-CN first, English second.

Message ids are English; catalogues live in ``lifecert/locale/<lang>/LC_MESSAGES/messages.po``
and are compiled in memory at start-up, so no binary .mo files are committed.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SUPPORTED_LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"

_current_locale: ContextVar[str] = ContextVar("lifecert_locale", default=DEFAULT_LOCALE)


@lru_cache
def translations_for(locale: str) -> NullTranslations:
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def normalise_locale(value: str | None) -> str:
    if not value:
        return DEFAULT_LOCALE
    value = value.replace("-", "_").strip()
    if value.lower().startswith("en"):
        return "en"
    if value.lower().startswith("zh"):
        return "zh_CN"
    return DEFAULT_LOCALE


def locale_from_accept_language(header: str | None) -> str | None:
    for part in (header or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return None


def set_locale(locale: str) -> None:
    _current_locale.set(normalise_locale(locale))


def get_locale() -> str:
    return _current_locale.get()


def gettext(message: str, **params: Any) -> str:
    text = translations_for(get_locale()).gettext(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations_for(get_locale()).ngettext(singular, plural, n)
    return text.format(n=n, **params)


_ = gettext


def N_(message: str) -> str:
    return message
