"""Channel use cases: adding a configured channel, and finding one by its name."""

from collections.abc import Sequence

from eventsourcing.persistence import IntegrityError

from application.command import CommandResult, Context
from application.desk import Desk
from application.once import answered_once
from domain.channel import Channel, ChannelExistsError


@answered_once
def add_channel(
    desk: Desk,
    name: str,
    kind: str,
    owner: str | None,
    settings: dict[str, str],
    ctx: Context,
    required: Sequence[str] = (),
) -> CommandResult:
    """`required`: the settings the kind needs (its `required_settings`), checked before anything is saved."""
    if owner:
        desk.user(owner)
    if desk.find(Channel.create_id(name)) is not None:
        raise ChannelExistsError(f"There is already a channel named {name!r}.")
    channel = Channel.add(name, kind, owner, settings, desk.stamp(None, ctx), required)
    try:
        return desk.commit(ctx, channel)
    except IntegrityError:
        raise ChannelExistsError(f"There is already a channel named {name!r}.") from None


def channel(desk: Desk, name: str) -> Channel | None:
    found = desk.find(Channel.create_id(name))
    return found if isinstance(found, Channel) else None
