"""Checks on rendered zh-CN pages: no raw enum value (status, outcome, source, reason, role
codes) in the text a person reads, and no timestamp finer than the minute."""

from __future__ import annotations

import importlib
import re
from enum import StrEnum
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

# Modules whose StrEnums are codes a user must never read raw.
ENUM_MODULES = [
    "lifecert.certification.models",
    "lifecert.community.models",
    "lifecert.community.casework",
    "lifecert.core.roles",
    "lifecert.dashboards.figures",
    "lifecert.enrollment.models",
    "lifecert.fraud.models",
    "lifecert.notifications.models",
    "lifecert.notifications.schemas",
    "lifecert.organisation.models",
    "lifecert.retirees.models",
]
# Fractions of seconds, seconds, or an ISO time with its zone: never shown to a person (a zone
# right after HH:MM is opening hours, "08:30-17:00", not a timestamp).
TIMESTAMP = re.compile(r"\d:\d\d:\d\d|\d\d:\d\d\.\d|T\d\d:\d\d|(?<!\d:\d\d)[+-]\d\d:\d\d\b")


SKIP_PATH = re.compile(
    r"^/(lang/|logout|m(/|$)|api/|static/|metrics|sw\.js)|\.(csv|xlsx|json|png|jpg)$"
)


def enum_codes() -> set[str]:
    """Every code of the app's enums that looks like a code (ASCII word, lower case)."""
    codes: set[str] = set()
    for name in ENUM_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum:
                codes |= {m.value for m in value if re.fullmatch(r"[a-z][a-z0-9_.:]*", m.value)}
    return codes


class _Text(HTMLParser):
    """The text a person reads: element text and the labels of controls (not attributes
    that are code, such as ``class`` or ``data-*``, and not scripts or styles)."""

    SKIP = frozenset({"script", "style", "template", "textarea"})  # textarea: staff's typing
    READ_ATTRS = frozenset({"title", "alt", "placeholder", "aria-label"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        for name in self.READ_ATTRS:
            if values.get(name):
                self.parts.append(str(values[name]))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def read_page(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts), parser.links


def problems(text: str, codes: set[str], allowed: frozenset[str] = frozenset()) -> list[str]:
    """What is wrong with a page's text; ``allowed``: words that are names, not codes (staff
    usernames such as ``district`` are shown beside their owner's name)."""
    found = [f"timestamp {m.group(0)!r}" for m in TIMESTAMP.finditer(text)]
    text = re.sub(r"\{[a-z_]+\}", "", text)  # message placeholders such as {community}
    words = set(re.findall(r"(?<![A-Za-z0-9_])[a-z][a-z0-9_]*(?![A-Za-z0-9_])", text))
    found += [f"raw code {w!r}" for w in sorted((words & codes) - allowed)]
    return found


def page_links(base_path: str, links: list[str]) -> list[str]:
    """Same-site GET pages worth reading (no downloads, language switch or phone pages)."""
    out = []
    for href in links:
        url = urlparse(urljoin(f"http://testserver{base_path}", href))
        if url.netloc != "testserver" or not url.path.startswith("/"):
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if SKIP_PATH.search(url.path):
            continue
        out.append(path)
    return out
