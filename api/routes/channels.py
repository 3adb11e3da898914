"""Channels: how customers reach us. Added by an admin; secrets never leave in responses."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Allowed, RuntimeDep
from api.caller import CallerDep
from api.choices import one_of
from api.models import ChannelName, CommandPublic
from api.reading import ViewsAt
from domain.users import User
from domain.values import Role
from ingest import registry

router = APIRouter(prefix="/channels", tags=["channels"])
Kind = one_of(registry.names())  # the registered kinds, for the OpenAPI enum


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = ChannelName
    kind: Kind
    owner: str | None = Field(default=None, max_length=64, description="Operator who gets its new tickets")
    settings: dict[str, str] = Field(default_factory=dict, description="Provider secrets and URLs")


class ChannelsPublic(BaseModel):
    data: list[dict[str, Any]]
    count: int


@router.post("", status_code=201)
def create_channel(body: ChannelCreate, caller: CallerDep) -> CommandPublic:
    """Add a channel (admin): its kind, owning operator and provider settings."""
    ctx = caller.context(None, (Role.ADMIN,), "add channels")
    required = registry.kind_of(body.kind).required_settings
    return caller.done(
        caller.helpdesk.add_channel(body.name, body.kind, body.owner, body.settings, ctx, required)
    )


@router.get("")
def list_channels(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed((Role.ADMIN, Role.SUPERVISOR), "list channels"))],
    min_position: Annotated[int, Depends(ViewsAt("ingest"))] = 0,
) -> ChannelsPublic:
    """Every channel, with secret settings masked."""
    rows = runtime.ingest.store.channels() if runtime.ingest else []
    return ChannelsPublic(data=rows, count=len(rows))
