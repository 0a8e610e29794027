"""Staff roles and what each may do. Pure data: the scoping helper and the UI read it."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    BUREAU_OFFICER = "bureau_officer"
    COMMUNITY_WORKER = "community_worker"
    PROVIDER_STAFF = "provider_staff"
    ACADEMY_STAFF = "academy_staff"
    # Never a staff account: the actor of a partner system's API key (partners/keys.py).
    PARTNER = "partner"
    MERCHANT_STAFF = "merchant_staff"  # a marketplace merchant: its own offers and orders only


class Permission(StrEnum):
    READ_RETIREES = "retirees.read"
    WRITE_RETIREES = "retirees.write"
    READ_FULL_ID_NUMBER = "retirees.read_full_id"
    MANAGE_REGIONS = "regions.manage"
    MANAGE_STAFF = "staff.manage"
    READ_REGIONS = "regions.read"
    TRIAGE_ALERTS = "alerts.triage"  # fraud alerts: see, assign, resolve, export
    # Home care: the bureau supervises (providers, prices, rules, settlement), communities
    # read their residents' care, providers deliver (their own orders and visits only).
    SUPERVISE_HOMECARE = "homecare.supervise"
    READ_HOMECARE = "homecare.read"
    PROVIDE_HOMECARE = "homecare.provide"


_ALL = frozenset(Permission)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLATFORM_ADMIN: _ALL,
    Role.BUREAU_OFFICER: frozenset(
        {
            Permission.READ_RETIREES,
            Permission.WRITE_RETIREES,
            Permission.READ_FULL_ID_NUMBER,
            Permission.MANAGE_STAFF,
            Permission.READ_REGIONS,
            Permission.TRIAGE_ALERTS,
            Permission.SUPERVISE_HOMECARE,
            Permission.READ_HOMECARE,
        }
    ),
    Role.COMMUNITY_WORKER: frozenset(
        {Permission.READ_RETIREES, Permission.WRITE_RETIREES, Permission.READ_REGIONS,
         Permission.READ_HOMECARE}
    ),
    # Providers and academies see only their own clients/students, never the roster.
    Role.PROVIDER_STAFF: frozenset({Permission.READ_REGIONS, Permission.PROVIDE_HOMECARE}),
    Role.ACADEMY_STAFF: frozenset({Permission.READ_REGIONS}),
    # A partner's key scopes (partners.models.PartnerScope) pick which of these it uses.
    Role.PARTNER: frozenset(
        {
            Permission.READ_RETIREES,
            Permission.WRITE_RETIREES,
            Permission.READ_FULL_ID_NUMBER,
            Permission.READ_REGIONS,
        }
    ),
    # Merchants see no roster and no region tree: their own offers and orders (marketplace).
    Role.MERCHANT_STAFF: frozenset(),
}


def role_can(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
