"""Campaigns: a worker or officer targets a group in their regions, previews it, sends it.

Sending stores the campaign and queues ``notifications.materialise_campaign``, which writes one
outbox row per recipient and channel (idempotency key ``campaign:<id>:<retiree>:<channel>``)
in chunks; delivery then goes through the same outbox as every other message.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, func, or_, select, true
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.db import utcnow
from lifecert.core.errors import InvalidInput, NotFound
from lifecert.core.i18n import N_, gettext
from lifecert.core.queue import enqueue_after_commit
from lifecert.core.roles import Permission, Role
from lifecert.core.scoping import Actor, ensure_in_scope, scope_filter
from lifecert.notifications import texts
from lifecert.notifications.models import (
    Campaign,
    ChannelName,
    MessageKind,
    NotificationPreference,
    OutboxMessage,
)
from lifecert.notifications.schemas import (
    Audience,
    AudienceGroup,
    CampaignCreate,
    CampaignPreview,
    PreviewSample,
)
from lifecert.notifications.service import NewMessage, queue_messages
from lifecert.organisation.models import Region, Staff, StaffRegion
from lifecert.organisation.service import actor_for
from lifecert.retirees.models import CertState, Retiree, RetireeStatus
from lifecert.retirees.service import scoped_retirees

CHUNK = 500
SAMPLES = 3
EXAMPLE_VALUES = {
    "name": N_("Zhang San"),
    "valid_until": "2027-01-31",
    "community": N_("Sunshine Community"),
    "phone_of_community": "0731-12345678",
}

_STATE_GROUPS = {
    AudienceGroup.OVERDUE: CertState.OVERDUE,
    AudienceGroup.UNDER_REVIEW: CertState.UNDER_REVIEW,
    AudienceGroup.NEVER_CERTIFIED: CertState.NEVER,
}


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


def audience_query(
    session: Session, *, actor: Actor, audience: Audience, today: date
) -> Select[Retiree]:
    """Retirees of the group, limited by the scoping helper to the actor's regions."""
    stmt = scoped_retirees(actor, Permission.WRITE_RETIREES)
    if audience.region_id is not None:
        region = session.get(Region, audience.region_id)
        if region is None:
            raise NotFound("No such region.")
        ensure_in_scope(actor, Permission.WRITE_RETIREES, region.path)
        stmt = stmt.where(Region.path.startswith(region.path, autoescape=True))
    if audience.group == AudienceGroup.SUSPENDED:
        stmt = stmt.where(Retiree.status == RetireeStatus.SUSPENDED)
    else:
        stmt = stmt.where(Retiree.status == RetireeStatus.ACTIVE)
    if audience.group == AudienceGroup.DUE_WITHIN:
        stmt = stmt.where(
            Retiree.cert_state.in_([CertState.CERTIFIED, CertState.DUE_SOON]),
            Retiree.valid_until >= today,
            Retiree.valid_until <= date.fromordinal(today.toordinal() + audience.due_within_days),
        )
    elif audience.group in _STATE_GROUPS:
        stmt = stmt.where(Retiree.cert_state == _STATE_GROUPS[audience.group])
    stmt = _age_filter(stmt, audience, today)
    if audience.unread_campaign_id is not None:
        previous = get_campaign(session, actor=actor, campaign_id=audience.unread_campaign_id)
        stmt = stmt.where(
            Retiree.id.in_(
                select(OutboxMessage.retiree_id).where(
                    OutboxMessage.campaign_id == previous.id,
                    OutboxMessage.channel == ChannelName.INBOX,
                    OutboxMessage.read_at.is_(None),
                )
            )
        )
    return stmt


def _age_filter(stmt: Select[Retiree], audience: Audience, today: date) -> Select[Retiree]:
    low, high = audience.age_min, audience.age_max
    if low is not None and high is not None and low > high:
        raise InvalidInput(
            "The lowest age is above the highest age; swap them.",
            fields={"age_min": N_("Must not exceed the highest age.")},
        )
    if low is not None:  # at least `low` years old: born on or before today minus low years
        stmt = stmt.where(Retiree.birth_date <= _years_before(today, low))
    if high is not None:  # not yet high + 1 years old
        stmt = stmt.where(Retiree.birth_date > _years_before(today, high + 1))
    return stmt


def validate_templates(data: CampaignCreate) -> set[str]:
    """The variables the two templates use; InvalidInput for a bad or missing template."""
    used = texts.template_variables(data.template_zh, field="template_zh")
    used += texts.template_variables(data.template_en, field="template_en")
    if not data.template_zh.strip():
        raise InvalidInput(
            "Write the Chinese text of the message.", fields={"template_zh": N_("Required.")}
        )
    return set(used)


def _count(session: Session, stmt: Select[Retiree]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


@dataclass(frozen=True)
class _Row:
    retiree_id: int
    name: str
    valid_until: date | None
    community_id: int
    community: str
    language: str


def _recipients(
    session: Session, stmt: Select[Retiree], limit: int | None = None
) -> Iterator[list[_Row]]:
    """Recipients in id order, in chunks (keyset pagination: fine for a whole city)."""
    sub = stmt.subquery()
    after = 0
    while True:
        query = (
            select(
                sub.c.id,
                sub.c.name,
                sub.c.valid_until,
                sub.c.community_id,
                Region.name,
                NotificationPreference.language,
            )
            .join(Region, Region.id == sub.c.community_id)
            .outerjoin(NotificationPreference, NotificationPreference.retiree_id == sub.c.id)
            .where(sub.c.id > after)
            .order_by(sub.c.id)
            .limit(min(limit or CHUNK, CHUNK))
        )
        rows = [_Row(r[0], r[1], r[2], r[3], r[4], r[5] or "zh_CN") for r in session.execute(query)]
        if not rows:
            return
        yield rows
        if limit is not None:
            return
        after = rows[-1].retiree_id


def community_phones(session: Session, community_ids: set[int]) -> dict[int, str]:
    """{phone_of_community}: the phone of a community worker assigned to that community."""
    rows = session.execute(
        select(StaffRegion.region_id, Staff.phone)
        .join(Staff, Staff.id == StaffRegion.staff_id)
        .where(
            StaffRegion.region_id.in_(community_ids),
            Staff.phone != "",
            Staff.is_active.is_(True),
            Staff.role == Role.COMMUNITY_WORKER,
        )
        .order_by(Staff.id)
    )
    phones: dict[int, str] = {}
    for region_id, phone in rows:
        phones.setdefault(region_id, phone)
    return phones


def _values(row: _Row, phones: dict[int, str]) -> dict[str, str]:
    return {
        "name": row.name,
        "valid_until": row.valid_until.isoformat() if row.valid_until else "",
        "community": row.community,
        "phone_of_community": phones.get(row.community_id, ""),
    }


def _text_for(data: CampaignCreate, language: str, values: dict[str, str]) -> str:
    template = (
        data.template_en if language == "en" and data.template_en.strip() else (data.template_zh)
    )
    return texts.render(template, values)


def preview_campaign(
    session: Session, *, actor: Actor, data: CampaignCreate, today: date | None = None
) -> CampaignPreview:
    """How many people the campaign reaches and what the first of them will read."""
    used = validate_templates(data)
    stmt = audience_query(session, actor=actor, audience=data.audience, today=today or date.today())
    count = _count(session, stmt)
    first = next(_recipients(session, stmt, limit=SAMPLES), [])
    phones = community_phones(session, {r.community_id for r in first})
    samples = [
        PreviewSample(
            retiree_id=r.retiree_id,
            name=r.name,
            language=r.language,
            text=_text_for(data, r.language, _values(r, phones)),
        )
        for r in first
    ]
    values = (
        _values(first[0], phones) if first else {k: gettext(v) for k, v in EXAMPLE_VALUES.items()}
    )
    return CampaignPreview(
        count=count,
        samples=samples,
        text_zh=texts.render(data.template_zh, values),
        text_en=texts.render(data.template_en or data.template_zh, values),
        communities_without_phone=_without_phone(session, used, stmt),
    )


def _without_phone(session: Session, used: set[str], stmt: Select[Retiree]) -> list[str]:
    """Communities whose people would read an empty {phone_of_community}: worth fixing first."""
    if "phone_of_community" not in used:
        return []
    ids = set(session.scalars(select(stmt.subquery().c.community_id).distinct()))
    missing = ids - set(community_phones(session, ids))
    names = session.scalars(select(Region.name).where(Region.id.in_(missing)).order_by(Region.name))
    return list(names)


def send_campaign(
    session: Session, *, actor: Actor, data: CampaignCreate, today: date | None = None
) -> Campaign:
    """Store the campaign and queue its recipients; refuses an empty group."""
    today = today or date.today()
    validate_templates(data)
    group = audience_query(session, actor=actor, audience=data.audience, today=today)
    count = _count(session, group)
    if count == 0:
        raise InvalidInput("No one matches this group. Change the filters and preview again.")
    campaign = Campaign(
        name=data.name.strip(),
        region_id=data.audience.region_id or _common_region(session, actor),
        audience={**data.audience.model_dump(mode="json"), "as_of": today.isoformat()},
        template_zh=data.template_zh,
        template_en=data.template_en,
        channels=[c.value for c in data.channels],
        recipient_count=count,
        created_by=actor.staff_id or None,
        sent_at=utcnow(),
    )
    session.add(campaign)
    session.flush()
    record(
        session,
        actor=actor,
        action="notification.campaign_sent",
        target_type="campaign",
        target_id=campaign.id,
        details={
            "name": campaign.name,
            "recipients": count,
            "channels": campaign.channels,
            "audience": campaign.audience,
        },
    )
    enqueue_after_commit(session, "notifications.materialise_campaign", campaign_id=campaign.id)
    return campaign


def _common_region(session: Session, actor: Actor) -> int | None:
    """For "all my areas": the smallest region holding all of the sender's, so officers above
    see the campaign and workers of other communities do not."""
    if not actor.region_paths:
        return None
    parts = [p.strip("/").split("/") for p in actor.region_paths]
    prefix: list[str] = []
    for ids in zip(*parts, strict=False):  # paths are ids from the root: "/1/4/9/"
        if len(set(ids)) != 1:
            break
        prefix.append(ids[0])
    return int(prefix[-1]) if prefix else None


def materialise(session: Session, *, campaign_id: int) -> int:
    """Outbox rows for every recipient and channel; rows already there are left alone."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("No such campaign.")
    staff = session.get(Staff, campaign.created_by) if campaign.created_by else None
    if staff is None:
        raise NotFound("The campaign's sender no longer exists.")
    # The sender's regions as they are now: someone moved away is not reached any more.
    actor = actor_for(staff)
    data = CampaignCreate(
        name=campaign.name,
        audience=Audience(**campaign.audience),
        template_zh=campaign.template_zh,
        template_en=campaign.template_en,
        channels=[ChannelName(c) for c in campaign.channels],
    )
    today = date.fromisoformat(str(campaign.audience.get("as_of") or date.today().isoformat()))
    stmt = audience_query(session, actor=actor, audience=data.audience, today=today)
    queued = recipients = 0
    for chunk in _recipients(session, stmt):
        phones = community_phones(session, {r.community_id for r in chunk})
        messages = [
            NewMessage(
                retiree_id=r.retiree_id,
                channel=channel,
                kind=MessageKind.CAMPAIGN,
                text=_text_for(data, r.language, _values(r, phones)),
                key=f"campaign:{campaign.id}:{r.retiree_id}:{channel.value}",
                language=r.language,
                campaign_id=campaign.id,
                created_by=campaign.created_by,
            )
            for r in chunk
            for channel in data.channels
        ]
        queued += len(queue_messages(session, messages))
        recipients += len(chunk)
    campaign.recipient_count = recipients  # who was reached, if the group changed since
    return queued


def _visible(actor: Actor) -> Select[Campaign]:
    """Campaigns of the actor's regions (by target region) and the actor's own."""
    actor.require(Permission.READ_RETIREES)
    in_scope = and_(
        Campaign.region_id.is_not(None), scope_filter(actor, Permission.READ_RETIREES, Region.path)
    )
    own = Campaign.created_by == (actor.staff_id or -1)
    visible = true() if actor.role == Role.PLATFORM_ADMIN else or_(in_scope, own)
    return select(Campaign).outerjoin(Region, Region.id == Campaign.region_id).where(visible)


def list_campaigns(session: Session, *, actor: Actor, limit: int = 100) -> list[Campaign]:
    return list(
        session.scalars(
            _visible(actor).order_by(Campaign.created_at.desc(), Campaign.id.desc()).limit(limit)
        )
    )


def get_campaign(session: Session, *, actor: Actor, campaign_id: int) -> Campaign:
    campaign = session.scalar(_visible(actor).where(Campaign.id == campaign_id))
    if campaign is None:
        raise NotFound("No such campaign.")
    return campaign
