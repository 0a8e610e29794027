"""Reading and validating roster files (CSV or XLSX), row by row, without loading them whole.

Pure: no database. Each row becomes either a clean ``RosterRow`` or a list of ``RowProblem``
saying which column is wrong, what is wrong and how to fix it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from lifecert.core.db import Base
from lifecert.core.errors import InvalidInput, UnsupportedMedia
from lifecert.core.i18n import N_
from lifecert.retirees.idnumber import parse_id_number
from lifecert.retirees.models import Gender, Retiree, RetireeStatus

# Accepted headers (Chinese as bureaus export them, or English) -> field.
HEADERS = {
    "身份证号": "id_number",
    "公民身份号码": "id_number",
    "id_number": "id_number",
    "姓名": "name",
    "name": "name",
    "社区代码": "community_code",
    "community_code": "community_code",
    "联系电话": "phone",
    "手机号": "phone",
    "phone": "phone",
    "地址": "address",
    "居住地址": "address",
    "address": "address",
    "养老金账号": "pension_account",
    "银行账号": "pension_account",
    "pension_account": "pension_account",
    "发放机构": "paying_agency",
    "paying_agency": "paying_agency",
    "状态": "status",
    "status": "status",
    "出生日期": "birth_date",
    "birth_date": "birth_date",
    "性别": "gender",
    "gender": "gender",
}
REQUIRED = ("id_number", "name", "community_code")
# How a column is named in reports (translated when the report is produced).
FIELD_LABELS = {
    "id_number": N_("ID number"),
    "name": N_("Name"),
    "community_code": N_("Community code"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "pension_account": N_("Pension account"),
    "paying_agency": N_("Paying agency"),
    "status": N_("Status"),
    "birth_date": N_("Birth date"),
    "gender": N_("Gender"),
    "date_of_death": N_("Date of death"),  # death-registration imports
    "source": N_("Reported by"),
    "certificate_no": N_("Certificate number"),
}
STATUS_WORDS = {
    "正常": RetireeStatus.ACTIVE,
    "暂停": RetireeStatus.SUSPENDED,
    "死亡": RetireeStatus.DECEASED,
    "转出": RetireeStatus.TRANSFERRED_OUT,
    **{s.value: s for s in RetireeStatus},
}
GENDER_WORDS = {
    "男": Gender.MALE,
    "女": Gender.FEMALE,
    "male": Gender.MALE,
    "female": Gender.FEMALE,
}
MAX_CELL = 255


def column_limits(*tables: type[Base]) -> dict[str, int]:
    """Longest text each field may hold, read from the tables' columns (never out of step)."""
    limits: dict[str, int] = {}
    for table in tables:
        for column in table.__table__.columns:
            length = getattr(column.type, "length", None)
            if isinstance(length, int):
                limits[column.name] = length
    return limits


# The roster writes these fields into the retiree table; other cells are capped at MAX_CELL.
ROSTER_LIMITS = {
    field: limit
    for field, limit in column_limits(Retiree).items()
    if field in ("name", "phone", "address", "pension_account", "paying_agency")
}


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based line in the file, header = 1, as a spreadsheet shows it
    column: str
    problem: str  # msgid
    fix: str  # msgid
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RosterRow:
    row: int
    id_number: str
    name: str
    community_code: str
    birth_date: date
    gender: Gender
    phone: str = ""
    address: str = ""
    pension_account: str = ""
    paying_agency: str = ""
    status: RetireeStatus | None = None


def _decode_stream(raw: IO[bytes]) -> IO[str]:
    """UTF-8 (with or without BOM) or, as many bureau systems still export, GB18030."""
    head = raw.read(64 * 1024)
    raw.seek(0)
    try:
        head.decode("utf-8-sig")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the 64 KiB boundary is not an encoding error.
        encoding = "utf-8-sig" if exc.start >= len(head) - 3 else "gb18030"
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def _csv_rows(raw: IO[bytes]) -> Iterator[list[str]]:
    """Rows of a CSV upload; bad text or a broken cell names the line instead of a 500."""
    reader = csv.reader(_decode_stream(raw))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:  # text is decoded in blocks: the line is approximate
            raise InvalidInput(
                "The file is not readable text near line {line}; save it again as UTF-8 CSV.",
                params={"line": reader.line_num + 1},
            ) from exc
        except csv.Error as exc:  # a cell over 128 KB, a NUL byte, a quote never closed
            raise InvalidInput(
                "Line {line} cannot be read as CSV (a cell is too long or a quote is not "
                "closed); check the file or save it again as CSV.",
                params={"line": reader.line_num},
            ) from exc
        yield row


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise UnsupportedMedia(
            "The spreadsheet could not be opened; save it again as .xlsx or .csv."
        ) from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a damaged sheet fails mid-way, with many error types
                raise UnsupportedMedia(
                    "The spreadsheet is damaged; save it again as .xlsx or .csv."
                ) from exc
            yield ["" if v is None else _cell_text(v) for v in values]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheets turn phone numbers into floats
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def read_table(path: Path) -> Iterator[list[str]]:
    """Raw rows of a CSV or XLSX file, header first."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        yield from _xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        with path.open("rb") as fh:
            yield from _csv_rows(fh)
    else:
        raise UnsupportedMedia("Upload a .csv or .xlsx file.")


def check_upload(suffix: str, data: bytes) -> None:
    """At upload: an .xlsx that is not even a ZIP archive is refused at once (a 415)."""
    if suffix == ".xlsx" and not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnsupportedMedia("The spreadsheet is damaged; save it again as .xlsx or .csv.")


def check_table(path: Path) -> int:
    """Read the whole file once, keeping nothing: a damaged file, bad text or an oversized
    cell is found before any row is written. Returns the number of rows, header included."""
    return sum(1 for _ in read_table(path))


def map_header(
    header: list[str],
    known: Mapping[str, str] | None = None,
    required: Sequence[str] | None = None,
) -> list[str | None]:
    """Each column's field name (None for a column nobody asked for), from a table's first row;
    refused when a ``required`` field has no column. Defaults: the roster's own columns."""
    known = HEADERS if known is None else known
    fields = [known.get(h.strip().lower()) or known.get(h.strip()) for h in header]
    missing = [f for f in (REQUIRED if required is None else required) if f not in fields]
    if missing:
        raise InvalidInput(
            "The first row must name the columns; missing: {columns}.",
            params={"columns": ", ".join(missing)},
        )
    return fields


def _problem(row: int, column: str, problem: str, fix: str, **params: object) -> RowProblem:
    return RowProblem(row, column, problem, fix, tuple((k, str(v)) for k, v in params.items()))


def cell_values(fields: list[str | None], cells: list[str]) -> dict[str, str]:
    """A row's cells by field name (unknown columns dropped, short rows padded)."""
    return {f: (cells[i].strip() if i < len(cells) else "") for i, f in enumerate(fields) if f}


def basic_problems(
    row: int,
    values: dict[str, str],
    required: tuple[str, ...],
    limits: dict[str, int] | None = None,
) -> list[RowProblem]:
    """What every import checks first: required cells present, no cell longer than the column
    it is written to (``limits``; others at most MAX_CELL)."""
    limits = limits or {}
    empty = [
        _problem(row, f, N_("This column is empty."), N_("Fill it in."))
        for f in required
        if not values.get(f)
    ]
    too_long = [
        _problem(
            row,
            f,
            N_("The value is too long."),
            N_("Shorten it to at most {n} characters."),
            n=limits.get(f, MAX_CELL),
        )
        for f, v in values.items()
        if len(v) > limits.get(f, MAX_CELL)
    ]
    return empty + too_long


def parse_row(
    row_number: int, fields: list[str | None], cells: list[str]
) -> RosterRow | list[RowProblem]:
    values = cell_values(fields, cells)
    problems = basic_problems(row_number, values, REQUIRED, ROSTER_LIMITS)
    if problems:
        return problems
    try:
        resident = parse_id_number(values["id_number"])
    except InvalidInput as exc:
        return [
            _problem(
                row_number,
                "id_number",
                exc.message,
                N_("Copy the 18-character number from the ID card again."),
                **exc.params,
            )
        ]
    problems += _check_consistency(row_number, values, resident.birth_date, resident.is_male)
    status = STATUS_WORDS.get(values.get("status", "").lower() or values.get("status", ""))
    if values.get("status") and status is None:
        problems.append(
            _problem(
                row_number,
                "status",
                N_("Unknown status."),
                N_("Use one of: 正常, 暂停, 死亡, 转出."),
            )
        )
    elif status == RetireeStatus.DECEASED:  # four eyes: deaths go through the death import
        problems.append(
            _problem(
                row_number,
                "status",
                N_("A roster cannot record a death."),
                N_("Import the death registration instead: an officer then approves it."),
            )
        )
    phone = values.get("phone", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 13):
        problems.append(
            _problem(
                row_number,
                "phone",
                N_("The phone number is not valid."),
                N_("Write digits only, e.g. 13812345678."),
            )
        )
    if problems:
        return problems
    return RosterRow(
        row=row_number,
        id_number=resident.number,
        name=values["name"],
        community_code=values["community_code"],
        birth_date=resident.birth_date,
        gender=Gender.MALE if resident.is_male else Gender.FEMALE,
        phone=phone,
        address=values.get("address", ""),
        pension_account=values.get("pension_account", ""),
        paying_agency=values.get("paying_agency", ""),
        status=status,
    )


def _check_consistency(
    row: int, values: dict[str, str], birth: date, male: bool
) -> list[RowProblem]:
    problems = []
    given_birth = values.get("birth_date", "").replace("/", "-").replace(".", "-")
    if given_birth:
        try:
            if date.fromisoformat(given_birth) != birth:
                problems.append(
                    _problem(
                        row,
                        "birth_date",
                        N_("The birth date differs from the one in the ID number."),
                        N_("Check both; the ID number's date is {date}."),
                        date=birth.isoformat(),
                    )
                )
        except ValueError:
            problems.append(
                _problem(
                    row,
                    "birth_date",
                    N_("The birth date is not a date."),
                    N_("Write it as YYYY-MM-DD."),
                )
            )
    gender = GENDER_WORDS.get(values.get("gender", "").lower())
    if gender is not None and (gender == Gender.MALE) != male:
        problems.append(
            _problem(
                row,
                "gender",
                N_("The gender differs from the ID number."),
                N_("Check the gender and the ID number."),
            )
        )
    return problems


def read_rows(path: Path) -> Iterator[RosterRow | list[RowProblem]]:
    rows = read_table(path)
    header = next(rows, None)
    if header is None:
        raise InvalidInput("The file is empty.")
    fields = map_header(header)
    for offset, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines are common at the end of exports
        yield parse_row(offset, fields, cells)

