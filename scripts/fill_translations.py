"""Fill msgstr entries of a catalogue from a Python dict file (msgid -> translation).

Usage: python scripts/fill_translations.py LOCALE DICT_FILE   (DICT_FILE defines a dict named ZH)
Existing translations are kept unless the dict gives a new one.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).resolve().parents[1] / "src" / "lifecert" / "locale"


def main(locale: str, dict_file: str) -> None:
    translations: dict[str, str] = runpy.run_path(dict_file)["ZH"]
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    for message in catalog:
        if message.id and message.id in translations:
            message.string = translations[message.id]
    with po_path.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True, width=100)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{locale}: {len(missing)} untranslated", *missing, sep="\n  ")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
