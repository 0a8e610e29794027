"""Demo seeding of the retiree registry: residents with valid ID numbers spread over the demo
city's communities (streamed in chunks: the same code builds a million for benchmarks), and a
bureau-style roster file of such people."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from lifecert.core.crypto import get_keyring
from lifecert.core.db import bulk_insert
from lifecert.organisation.demo import FEMALE_CHARS, MALE_CHARS, SURNAMES
from lifecert.organisation.models import Region
from lifecert.retirees.idnumber import build_id_number
from lifecert.retirees.models import CertState, Gender, Retiree, RetireeStatus


def _name(rng: random.Random, male: bool) -> str:
    chars = MALE_CHARS if male else FEMALE_CHARS
    given = "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def _birth_date(rng: random.Random) -> date:
    # More people in the younger cohorts, as in a real pension roll.
    year = 1965 - int(min(40, rng.expovariate(1 / 11)))
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


def _certification(rng: random.Random, today: date) -> tuple[CertState, date | None]:
    roll = rng.random()
    if roll < 0.05:
        return CertState.NEVER, None
    if roll < 0.14:
        return CertState.OVERDUE, today - timedelta(days=rng.randint(1, 200))
    valid_until = today + timedelta(days=rng.randint(0, 364))
    due_soon = valid_until <= today + timedelta(days=30)
    return (CertState.DUE_SOON if due_soon else CertState.CERTIFIED), valid_until


def _people(
    rng: random.Random, communities: list[Region], n: int
) -> Iterator[tuple[Region, str, date, bool]]:
    """Residents spread over the communities, each with a unique valid ID number."""
    used: set[str] = set()
    for i in range(n):
        community = communities[i % len(communities)]
        birth = _birth_date(rng)
        number = build_id_number(community.code[:6], birth, rng.randint(1, 999))
        while number in used:
            number = build_id_number(community.code[:6], birth, rng.randint(1, 999))
        used.add(number)
        yield community, number, birth, int(number[16]) % 2 == 1


def retiree_rows(
    communities: list[Region], n: int, seed: int, today: date
) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)
    cipher = get_keyring()
    now = datetime.now(UTC)
    for community, number, birth, male in _people(rng, communities, n):
        state, valid_until = _certification(rng, today)
        yield {
            "id_number_hash": cipher.lookup_hash(number),
            "id_number_enc": cipher.encrypt_text(number, context="retiree.id_number"),
            "id_number_masked": f"{number[:6]}{'*' * 8}{number[-4:]}",
            "key_id": cipher.current.key_id,
            "name": _name(rng, male),
            "gender": Gender.MALE if male else Gender.FEMALE,
            "birth_date": birth,
            "phone": f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}",
            "address": f"{community.name}{rng.randint(1, 40)}栋{rng.randint(1, 6)}单元{rng.randint(101, 1802)}号",
            "community_id": community.id,
            "pension_account": f"6217{rng.randint(0, 10**12 - 1):012d}",
            "paying_agency": "长沙市社会保险服务中心",
            "status": RetireeStatus.ACTIVE,
            "cert_state": state,
            "valid_until": valid_until,
            "notes": "",
            "created_at": now,
            "updated_at": now,
        }


def insert_retirees(
    session: Session,
    rows: Iterator[dict[str, object]],
    *,
    chunk: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    batch: list[dict[str, object]] = []
    total = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            bulk_insert(session, Retiree, batch)
            total += len(batch)
            batch.clear()
            if progress:
                progress(total)
    if batch:
        bulk_insert(session, Retiree, batch)
        total += len(batch)
        if progress:
            progress(total)
    return total


ROSTER_HEADER = ["身份证号", "姓名", "社区代码", "联系电话", "地址", "养老金账号", "发放机构"]


def roster_csv_lines(communities: list[Region], n: int, seed: int) -> Iterator[list[str]]:
    """A bureau-style roster (Chinese headers) of ``n`` people living in ``communities``."""
    rng = random.Random(seed)
    yield ROSTER_HEADER
    for community, number, _birth, male in _people(rng, communities, n):
        yield [
            number,
            _name(rng, male),
            community.code,
            f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}",
            f"{community.name}{rng.randint(1, 40)}栋{rng.randint(101, 1802)}号",
            f"6217{rng.randint(0, 10**12 - 1):012d}",
            "长沙市社会保险服务中心",
        ]
