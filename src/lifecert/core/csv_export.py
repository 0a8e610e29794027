"""The one CSV writer of every export (payments and changes, dashboards, alerts, error reports).

Spreadsheets run a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula: a retiree's name or a note typed as ``=HYPERLINK(...)`` would run inside the paying
agency's Excel. Following the OWASP rule, such text cells are written with a leading ``'`` (shown
as text, not evaluated). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import IO, Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would evaluate, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` with every cell neutralised; the only way exports write CSV."""

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Sequence[Any]) -> None:
        self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    SafeWriter(buffer).writerows(rows)
    return buffer.getvalue()


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM, so Excel shows Chinese."""
    return ("\ufeff" + csv_text(rows)).encode("utf-8")
