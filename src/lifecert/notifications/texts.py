"""Message templates with variables, validated before anything is stored or sent."""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from lifecert.core.errors import InvalidInput
from lifecert.core.i18n import N_, get_locale, gettext, set_locale

VARIABLES = ("name", "valid_until", "community", "phone_of_community")


def template_variables(template: str, *, field: str) -> list[str]:
    """The variables a template uses; InvalidInput naming the problem otherwise."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InvalidInput(
            "The template has an unmatched brace. Write variables as {example}; "
            "for a literal brace write it twice.",
            params={"example": "{name}"},
            fields={field: N_("Unmatched brace.")},
        ) from exc
    used = []
    for _literal, variable, spec, conversion in parts:
        if variable is None:
            continue
        if variable not in VARIABLES or spec or conversion:
            raise InvalidInput(
                "Unknown variable in the template: {variable}. Use only: {allowed}.",
                params={
                    "variable": "{" + variable + "}",
                    "allowed": ", ".join("{" + v + "}" for v in VARIABLES),
                },
                fields={field: N_("Unknown variable.")},
            )
        used.append(variable)
    return used


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill a validated template; only plain names are allowed, so no attribute access."""
    template_variables(template, field="template")
    return template.format_map({v: values.get(v, "") for v in VARIABLES})


@contextmanager
def in_locale(locale: str) -> Iterator[None]:
    """Translate for one recipient, then restore the caller's language."""
    previous = get_locale()
    set_locale(locale)
    try:
        yield
    finally:
        set_locale(previous)


def reminder_text(valid_until: str, locale: str) -> str:
    with in_locale(locale):
        return gettext(
            "Your pension certification is valid until {date}. Certify free on your "
            "phone, or ask your community. Staff never ask for money.",
            date=valid_until,
        )
