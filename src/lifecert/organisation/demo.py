"""Demo seeding of the organisation domain: a realistic city's regions and staff of every role."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from lifecert.core.roles import Role
from lifecert.identity.service import DEMO_PASSWORD
from lifecert.organisation.models import Region, RegionLevel, Staff
from lifecert.organisation.service import create_region, create_staff

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


# The community office numbers retirees see on their phone pages and in reminders.
DEMO_PHONES = {"worker": "0731-84561234", "worker2": "0731-85232266"}


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
            phone=DEMO_PHONES.get(username, ""),
        )
