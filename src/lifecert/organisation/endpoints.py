from __future__ import annotations

from fastapi import APIRouter

from lifecert.identity.deps import CurrentActor, SessionDep
from lifecert.organisation import service
from lifecert.organisation.models import RegionLevel
from lifecert.organisation.schemas import MeRead, RegionRead

router = APIRouter(prefix="/api/v1", tags=["organisation"])


@router.get("/me", response_model=MeRead)
def read_me(actor: CurrentActor) -> MeRead:
    region_ids = [int(p.rstrip("/").rsplit("/", 1)[-1]) for p in actor.region_paths]
    return MeRead(
        id=actor.staff_id,
        username=actor.username,
        display_name=actor.display_name,
        role=actor.role,
        region_ids=region_ids,
    )


@router.get("/regions", response_model=list[RegionRead])
def list_regions(
    session: SessionDep, actor: CurrentActor, level: RegionLevel | None = None
) -> list[RegionRead]:
    regions = service.list_regions(session, actor=actor, level=level)
    return [RegionRead.model_validate(r) for r in regions]


@router.get("/regions/{region_id}", response_model=RegionRead)
def get_region(region_id: int, session: SessionDep, actor: CurrentActor) -> RegionRead:
    return RegionRead.model_validate(service.get_region(session, actor=actor, region_id=region_id))
