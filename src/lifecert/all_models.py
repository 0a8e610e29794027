"""Imports every domain's tables so Alembic and the test builders see one complete metadata."""

from lifecert.core.db import Base
from lifecert.identity.models import ApiToken
from lifecert.organisation.models import Region, Staff, StaffRegion
from lifecert.retirees.models import Retiree
from lifecert.system.models import JobRun

__all__ = ["ApiToken", "Base", "JobRun", "Region", "Retiree", "Staff", "StaffRegion"]
