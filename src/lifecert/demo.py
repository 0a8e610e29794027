"""Deterministic demo data: a realistic city with its regions, retirees and staff of every role.

The same generator scales to a million retirees for benchmarks (rows are streamed in chunks).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.community.demo import seed_demo_community
from lifecert.core.crypto import get_keyring
from lifecert.core.db import bulk_insert
from lifecert.core.roles import Role
from lifecert.dashboards.history import add_certification_history
from lifecert.dashboards.rates import backfill_rates
from lifecert.notifications.demo import seed_demo_notifications
from lifecert.organisation.models import Region, RegionLevel, Staff
from lifecert.organisation.service import create_region, create_staff
from lifecert.retirees.idnumber import build_id_number
from lifecert.retirees.models import CertState, Gender, Retiree, RetireeStatus

DEMO_PASSWORD = "lifecert-demo"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
MALE_CHARS = "国建军平明华伟志文德成林海金福永荣生东兴振庆新春宝忠祥家桂群义宏贵学"
FEMALE_CHARS = "秀英兰芳玉珍华凤霞桂琴淑梅云丽萍敏红美素翠娟芬莲月爱荷菊香琼"
STREET_NAMES = [
    "五一",
    "解放",
    "东塘",
    "坡子",
    "韭菜园",
    "文艺路",
    "朝阳",
    "火星",
    "马王堆",
    "湘湖",
]
COMMUNITY_SUFFIXES = ["社区", "新村社区", "花园社区", "街社区"]
COMMUNITY_WORDS = [
    "东风",
    "幸福",
    "和平",
    "长安",
    "建设",
    "光明",
    "友谊",
    "团结",
    "人民",
    "育才",
    "晚晴",
    "清水",
    "文化",
    "南湖",
    "枫林",
    "白沙",
    "青园",
    "桂花",
    "荷花",
    "仰天",
]


@dataclass(frozen=True)
class DemoSize:
    retirees: int = 20_000
    districts: int = 2
    streets: int = 6
    communities: int = 20

    @classmethod
    def for_retirees(cls, n: int) -> DemoSize:
        communities = max(20, n // 1000)
        streets = max(6, communities // 4)
        return cls(
            retirees=n, districts=max(2, streets // 6), streets=streets, communities=communities
        )


@dataclass
class DemoCity:
    city: Region
    districts: list[Region] = field(default_factory=list)
    streets: list[Region] = field(default_factory=list)
    communities: list[Region] = field(default_factory=list)
    staff: dict[str, Staff] = field(default_factory=dict)


def build_regions(session: Session, size: DemoSize) -> DemoCity:
    province = create_region(session, name="湖南省", code="430000", level=RegionLevel.PROVINCE)
    demo = DemoCity(
        city=create_region(
            session, name="长沙市", code="430100", level=RegionLevel.CITY, parent=province
        )
    )
    district_names = ["芙蓉区", "天心区", "岳麓区", "开福区", "雨花区", "望城区"]
    for d in range(size.districts):
        name = district_names[d] if d < len(district_names) else f"第{d + 1}区"
        demo.districts.append(
            create_region(
                session,
                name=name,
                code=f"4301{d + 2:02d}",
                level=RegionLevel.DISTRICT,
                parent=demo.city,
            )
        )
    for s in range(size.streets):
        district = demo.districts[s % size.districts]
        base = STREET_NAMES[s % len(STREET_NAMES)]
        name = f"{base}街道" if s < len(STREET_NAMES) else f"{base}{s // len(STREET_NAMES) + 1}街道"
        demo.streets.append(
            create_region(
                session,
                name=name,
                code=f"{district.code}{s + 1:03d}",
                level=RegionLevel.STREET,
                parent=district,
            )
        )
    for c in range(size.communities):
        street = demo.streets[c % size.streets]
        word = COMMUNITY_WORDS[c % len(COMMUNITY_WORDS)]
        suffix = COMMUNITY_SUFFIXES[(c // len(COMMUNITY_WORDS)) % len(COMMUNITY_SUFFIXES)]
        number = "" if c < len(COMMUNITY_WORDS) * len(COMMUNITY_SUFFIXES) else str(c)
        demo.communities.append(
            create_region(
                session,
                name=f"{word}{number}{suffix}",
                code=f"{street.code}{c + 1:04d}",
                level=RegionLevel.COMMUNITY,
                parent=street,
            )
        )
    return demo


def build_staff(session: Session, demo: DemoCity) -> None:
    district_communities = [
        c for c in demo.communities if c.path.startswith(demo.districts[0].path)
    ]
    other_communities = [c for c in demo.communities if c not in district_communities]
    plan: list[tuple[str, str, Role, list[Region], str]] = [
        ("admin", "平台管理员", Role.PLATFORM_ADMIN, [], ""),
        (
            "bureau",
            "市人社局 李科长",
            Role.BUREAU_OFFICER,
            [demo.city],
            "长沙市人力资源和社会保障局",
        ),
        ("district", "区社保中心 王主任", Role.BUREAU_OFFICER, [demo.districts[0]], ""),
        ("worker", "社区工作者 张敏", Role.COMMUNITY_WORKER, district_communities[:2], ""),
        ("worker2", "社区工作者 刘洋", Role.COMMUNITY_WORKER, other_communities[:1], ""),
        (
            "provider",
            "居家养老 陈经理",
            Role.PROVIDER_STAFF,
            [demo.districts[0]],
            "康乐居家养老服务中心",
        ),
        ("academy", "老年大学 周老师", Role.ACADEMY_STAFF, [demo.city], "长沙市老年大学"),
    ]
    for username, full_name, role, regions, organisation_name in plan:
        demo.staff[username] = create_staff(
            session,
            username=username,
            password=DEMO_PASSWORD,
            full_name=full_name,
            role=role,
            regions=regions,
            organisation_name=organisation_name,
        )


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


def demo_exists(session: Session) -> bool:
    return session.scalar(select(Region.id).where(Region.code == "430100")) is not None


def build_demo(
    session: Session,
    *,
    size: DemoSize,
    seed: int = 2026,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoCity:
    demo = build_regions(session, size)
    build_staff(session, demo)
    rows = retiree_rows(demo.communities, size.retirees, seed, today or date.today())
    insert_retirees(session, rows, progress=progress)
    # Past decisions for the dashboards' monthly figures (set-based: seconds at 1M).
    add_certification_history(session, today=today or date.today())
    backfill_rates(session, today=today or date.today())
    seed_demo_community(session, demo, today=today or date.today(), seed=seed)
    seed_demo_notifications(session, demo, today=today or date.today())
    return demo


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
