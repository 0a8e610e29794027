from __future__ import annotations

from datetime import date

import pytest

from lifecert.core.errors import InvalidInput
from lifecert.retirees.idnumber import build_id_number, check_char, parse_id_number


def test_known_valid_number() -> None:
    # The worked example of GB 11643-1999.
    assert check_char("11010519491231002") == "X"
    parsed = parse_id_number("11010519491231002x")
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.is_male is False
    assert parsed.masked == "110105********002X"


def test_built_numbers_validate() -> None:
    number = build_id_number("430102", date(1938, 2, 28), 13)
    assert parse_id_number(number).is_male is True


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("4301021950030700", "18 characters"),
        ("43010219500307002A", "17 digits"),
        ("430102195003070021", "does not match"),
    ],
)
def test_invalid_numbers_say_what_to_fix(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_id_number(raw)


def test_impossible_birth_date_is_refused() -> None:
    first17 = "43010219500231002"  # 31 February
    with pytest.raises(InvalidInput, match="not a real date"):
        parse_id_number(first17 + check_char(first17))
