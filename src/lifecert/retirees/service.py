"""The retiree registry: create, find, list and summarise retirees within the caller's scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.crypto import get_keyring
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, ensure_in_scope, scope_filter
from lifecert.organisation.models import Region, RegionLevel
from lifecert.retirees.idnumber import parse_id_number
from lifecert.retirees.models import CertState, Gender, Retiree, RetireeStatus, RetireeTransfer

_ID_CONTEXT = "retiree.id_number"


@dataclass(frozen=True)
class NewRetiree:
    id_number: str
    name: str
    community_id: int
    phone: str = ""
    address: str = ""
    pension_account: str = ""
    paying_agency: str = ""


def create_retiree(session: Session, *, actor: Actor, data: NewRetiree) -> Retiree:
    resident = parse_id_number(data.id_number)
    community = session.get(Region, data.community_id)
    if community is None or community.level != RegionLevel.COMMUNITY:
        raise InvalidInput("Choose a community for the retiree.")
    ensure_in_scope(actor, Permission.WRITE_RETIREES, community.path)
    cipher = get_keyring()
    lookup = cipher.lookup_hash(resident.number)
    if session.scalar(select(Retiree.id).where(Retiree.id_number_hash == lookup)) is not None:
        raise Conflict("A retiree with this ID number is already registered.")
    retiree = Retiree(
        id_number_hash=lookup,
        id_number_enc=cipher.encrypt_text(resident.number, context=_ID_CONTEXT),
        id_number_masked=resident.masked,
        key_id=cipher.current.key_id,
        name=data.name.strip(),
        gender=Gender.MALE if resident.is_male else Gender.FEMALE,
        birth_date=resident.birth_date,
        phone=data.phone,
        address=data.address,
        community_id=community.id,
        pension_account=data.pension_account,
        paying_agency=data.paying_agency,
    )
    session.add(retiree)
    session.flush()
    return retiree


def scoped_retirees(
    actor: Actor, permission: Permission = Permission.READ_RETIREES
) -> Select[Retiree]:
    """Every retiree query starts here: the scoping helper limits rows to the actor's regions."""
    return (
        select(Retiree)
        .join(Region, Retiree.community_id == Region.id)
        .where(scope_filter(actor, permission, Region.path))
    )


def get_retiree(
    session: Session,
    *,
    actor: Actor,
    retiree_id: int,
    permission: Permission = Permission.READ_RETIREES,
) -> Retiree:
    retiree = session.scalar(scoped_retirees(actor, permission).where(Retiree.id == retiree_id))
    if retiree is None:
        raise NotFound("No such retiree.")
    return retiree


def list_retirees(
    session: Session,
    *,
    actor: Actor,
    cert_state: CertState | None = None,
    name_prefix: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[Retiree], int]:
    stmt = scoped_retirees(actor)
    if cert_state is not None:
        stmt = stmt.where(Retiree.cert_state == cert_state)
    if name_prefix:
        stmt = stmt.where(Retiree.name.startswith(name_prefix, autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Retiree.id).offset(offset).limit(min(limit, 500))).all()
    return rows, total


def reveal_id_number(session: Session, *, actor: Actor, retiree_id: int) -> str:
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.READ_FULL_ID_NUMBER
    )
    record(session, actor=actor, action="retiree.id_number_revealed", target_type="retiree",
           target_id=retiree.id)
    return get_keyring().decrypt_text(retiree.id_number_enc, context=_ID_CONTEXT)


def find_retiree_by_id_number(session: Session, *, actor: Actor, id_number: str) -> Retiree:
    lookup = get_keyring().lookup_hash(parse_id_number(id_number).number)
    retiree = session.scalar(scoped_retirees(actor).where(Retiree.id_number_hash == lookup))
    if retiree is None:
        raise NotFound("No such retiree.")
    return retiree


def update_retiree_notes(session: Session, *, actor: Actor, retiree_id: int, notes: str) -> Retiree:
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    if len(notes) > 5000:
        raise InvalidInput("Notes are limited to 5000 characters.")
    retiree.notes = notes
    return retiree


def transfer_retiree(
    session: Session, *, actor: Actor, retiree_id: int, to_community_id: int, reason: str
) -> RetireeTransfer:
    """Move a person to another community (or city); the move is kept in the history."""
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    target = session.get(Region, to_community_id)
    if target is None or target.level != RegionLevel.COMMUNITY:
        raise InvalidInput("Choose the community the person moves to.")
    # Moving people between areas is a bureau decision: the target must be in the actor's scope.
    ensure_in_scope(actor, Permission.WRITE_RETIREES, target.path)
    if target.id == retiree.community_id:
        raise Conflict("The person already lives in this community.")
    if not reason.strip():
        raise InvalidInput("Give the reason for the transfer.")
    transfer = RetireeTransfer(
        retiree_id=retiree.id,
        from_community_id=retiree.community_id,
        to_community_id=target.id,
        moved_by=actor.staff_id or None,
        reason=reason.strip()[:255],
    )
    retiree.community_id = target.id
    session.add(transfer)
    session.flush()
    session.refresh(retiree)
    record(session, actor=actor, action="retiree.transferred", target_type="retiree",
           target_id=retiree.id,
           details={"from": transfer.from_community_id, "to": transfer.to_community_id})
    return transfer


def list_transfers(session: Session, *, actor: Actor, retiree_id: int) -> Sequence[RetireeTransfer]:
    retiree = get_retiree(session, actor=actor, retiree_id=retiree_id)
    return session.scalars(
        select(RetireeTransfer)
        .where(RetireeTransfer.retiree_id == retiree.id)
        .order_by(RetireeTransfer.moved_at)
    ).all()


def count_by_cert_state(session: Session, *, actor: Actor) -> dict[CertState, int]:
    sub = scoped_retirees(actor).where(Retiree.status == RetireeStatus.ACTIVE).subquery()
    rows = session.execute(select(sub.c.cert_state, func.count()).group_by(sub.c.cert_state))
    counts = dict.fromkeys(CertState, 0)
    counts.update({CertState(state): n for state, n in rows})
    return counts


def count_by_community(
    session: Session, *, actor: Actor
) -> list[tuple[Region, dict[CertState, int]]]:
    """Per-community certification counts within the caller's scope, for the landing pages."""
    sub = scoped_retirees(actor).where(Retiree.status == RetireeStatus.ACTIVE).subquery()
    rows = session.execute(
        select(sub.c.community_id, sub.c.cert_state, func.count()).group_by(
            sub.c.community_id, sub.c.cert_state
        )
    ).all()
    per_community: dict[int, dict[CertState, int]] = {}
    for community_id, state, n in rows:
        per_community.setdefault(community_id, dict.fromkeys(CertState, 0))[CertState(state)] = n
    regions = session.scalars(select(Region).where(Region.id.in_(per_community))).all()
    return sorted(((r, per_community[r.id]) for r in regions), key=lambda item: item[0].path)
