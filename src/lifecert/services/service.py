"""The public-service directory: services as data per region, inherited by every community
below and overridable there; search by Chinese name, pinyin initials or words of the summary;
eligibility rules as data, checked against the registry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pypinyin import Style, lazy_pinyin
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.errors import InvalidInput, NotFound
from lifecert.core.i18n import N_
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, ensure_in_scope
from lifecert.organisation.models import Region
from lifecert.retirees.models import CertState, Retiree, RetireeStatus
from lifecert.services.models import PublicService, ServiceCategory

EDITABLE = (
    "category", "name", "summary", "who_qualifies", "documents", "address", "hours", "phone",
    "latitude", "longitude", "online", "rules", "monthly_amount", "review_days", "active",
)
CERTIFIED_STATES = (CertState.CERTIFIED, CertState.DUE_SOON)


def initials_of(name: str) -> str:
    """Pinyin initials of the Chinese characters (高龄津贴 → gljt); other letters kept."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()[:50]


def _ancestors(region: Region) -> list[int]:
    return [int(part) for part in region.path.strip("/").split("/") if part]


def directory_for(session: Session, *, community: Region) -> list[PublicService]:
    """The services that apply in ``community``: for each code, the nearest region's row
    (the community's own first); a hidden override removes the service there."""
    ids = _ancestors(community)
    depth = {region_id: i for i, region_id in enumerate(ids)}
    chosen: dict[str, PublicService] = {}
    for row in session.scalars(select(PublicService).where(PublicService.region_id.in_(ids))):
        current = chosen.get(row.code)
        if current is None or depth[row.region_id] > depth[current.region_id]:
            chosen[row.code] = row
    return sorted(
        (s for s in chosen.values() if s.active),
        key=lambda s: (list(ServiceCategory).index(s.category), s.name),
    )


def search_services(session: Session, *, community: Region, query: str) -> list[PublicService]:
    """Search in Chinese, by pinyin initials (gljt), or by full pinyin (gaoling)."""
    services = directory_for(session, community=community)
    words = query.strip().lower()
    if not words:
        return services
    spelled = words.replace(" ", "")
    return [
        s
        for s in services
        if words in s.name.lower()
        or words in s.summary.lower()
        or spelled in s.initials
        or spelled in "".join(lazy_pinyin(s.name)).lower()
    ]


def service_in(session: Session, *, community: Region, service_id: int) -> PublicService:
    """A service as it applies in ``community`` (an id of an overridden row finds the override)."""
    row = session.get(PublicService, service_id)
    if row is None:
        raise NotFound("No such service.")
    for service in directory_for(session, community=community):
        if service.code == row.code:
            return service
    raise NotFound("No such service.")


def save_service(
    session: Session, *, actor: Actor, region_id: int, code: str, data: dict[str, Any]
) -> PublicService:
    """Create or change the service ``code`` at a region (a community overrides its city's)."""
    region = session.get(Region, region_id)
    if region is None:
        raise NotFound("No such region.")
    ensure_in_scope(actor, Permission.WRITE_RETIREES, region.path)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise InvalidInput("Unknown fields: {fields}.", params={"fields": ", ".join(unknown)})
    row = session.scalar(
        select(PublicService).where(PublicService.region_id == region_id,
                                    PublicService.code == code)
    )
    if row is None:
        inherited = {s.code: s for s in directory_for(session, community=region)}.get(code)
        base = {k: getattr(inherited, k) for k in EDITABLE} if inherited else {}
        row = PublicService(region_id=region_id, code=code[:32], **base)
        session.add(row)
    for key, value in data.items():
        setattr(row, key, value)
    if not row.name:
        raise InvalidInput("A service needs a name.")
    row.initials = initials_of(row.name)
    session.flush()
    audit.record(session, actor=actor, action="services.saved", target_type="public_service",
                 target_id=row.id, details={"region_id": region_id, "code": code,
                                            "fields": sorted(data)})
    return row


@dataclass(frozen=True)
class Check:
    rule: str
    ok: bool
    message: str  # an English msgid (translated where shown)
    params: tuple[tuple[str, str], ...] = ()


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check_eligibility(
    service: PublicService, retiree: Retiree, community: Region, today: date
) -> list[Check]:
    """Each rule of the service, checked against the registry (no rules: everyone)."""
    rules = service.rules or {}
    checks = []
    if "min_age" in rules:
        age, need = age_on(retiree.birth_date, today), int(rules["min_age"])
        checks.append(Check("min_age", age >= need, N_("Aged {need} or over (you are {age})."),
                            (("need", str(need)), ("age", str(age)))))
    if rules.get("residence"):
        # The service's region is the community itself or one of its ancestors.
        here = retiree.status == RetireeStatus.ACTIVE and service.region_id in _ancestors(community)
        checks.append(Check("residence", here, N_("Registered as living in this area.")))
    if rules.get("certified"):
        checks.append(Check("certified", retiree.cert_state in CERTIFIED_STATES,
                            N_("Your annual certification is up to date.")))
    return checks


def prefill(retiree: Retiree, community: Region, today: date) -> dict[str, str]:
    """What the registry already knows, shown on the form (the elder only confirms)."""
    return {
        "name": retiree.name,
        "id_number": retiree.id_number_masked,
        "birth_date": retiree.birth_date.isoformat(),
        "age": str(age_on(retiree.birth_date, today)),
        "phone": retiree.phone,
        "address": retiree.address,
        "community": community.name,
    }


def services_of_region(
    session: Session, *, actor: Actor, region_id: int
) -> Sequence[PublicService]:
    """The rows defined at one region (staff editing view)."""
    region = session.get(Region, region_id)
    if region is None:
        raise NotFound("No such region.")
    ensure_in_scope(actor, Permission.READ_REGIONS, region.path)
    return session.scalars(
        select(PublicService).where(PublicService.region_id == region_id)
        .order_by(PublicService.code)
    ).all()
