"""Resident ID numbers (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit sequence
(odd = male), and a check character computed with ISO 7064 MOD 11-2."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lifecert.core.errors import InvalidInput

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def check_char(first17: str) -> str:
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    is_male: bool

    @property
    def masked(self) -> str:
        return f"{self.number[:6]}{'*' * 8}{self.number[-4:]}"


def parse_id_number(raw: str) -> ResidentId:
    """Validate and normalise; each failure says what to fix."""
    number = raw.strip().upper()
    if len(number) != 18:
        raise InvalidInput(
            "An ID number has 18 characters; this one has {n}.", params={"n": len(number)}
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidInput("An ID number is 17 digits followed by a digit or X.")
    if check_char(number[:17]) != number[17]:
        raise InvalidInput("The last character of the ID number does not match; check for a typo.")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidInput("The birth date inside the ID number is not a real date.") from exc
    if birth.year < 1890 or birth > date.today():
        raise InvalidInput("The birth date inside the ID number is not plausible.")
    return ResidentId(number=number, birth_date=birth, is_male=int(number[16]) % 2 == 1)


def build_id_number(region_code: str, birth: date, sequence: int) -> str:
    """Compose a valid number (for demo data and tests)."""
    first17 = f"{region_code[:6]}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_char(first17)
