from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from lifecert.core.roles import Role
from lifecert.organisation.models import RegionLevel


class RegionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    parent_id: int | None
    level: RegionLevel
    name: str
    code: str


class MeRead(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    region_ids: list[int]
