"""Live updates: what happens on the desk, pushed to every open page over server-sent events.

The contract every page uses (`ds.live(url, handlers)` in static/app.js opens the EventSource):

    GET /live?from=<position>[&ticket=<ticket id>]        text/event-stream, session cookie, READERS

- `from` is the log position the page was rendered at (pages put `runner.position(("queue",))`,
  read before their query, into the page). On a reconnect the browser sends `Last-Event-ID`,
  which wins over `from`: the stream resumes exactly after the last event the page got. Without
  either, it starts now.
- `event: ticket`, `id: <position>`, data `{"ticket": id, "type": event type, "position": n,
  "actor": who, "assignee": name|null, "status": "open"|"paused"|"resolved"|"merged"|null}`:
  one per ticket event, in log order, sent once the queue view holds it (so a page that
  refetches on it sees the change); assignee and status are the ticket's as the view has them.
- `event: mention`, `id: <position>`, data `{"mention": id, "type": event type, "position": n}`.
- `event: presence`, no id, data `{"ticket": id, "viewers": [names]}`: sent to the streams that
  named `ticket=`, on connecting and whenever the set of signed-in people looking at it changes.
  Presence is this process's alone (scaled mode with several API processes: per process).
- `event: reload`, `id: <position>`, data `{"position": n}`: more happened than the stream
  replays (over BACKFILL log records behind, or the page fell behind by as much): refetch what
  the page shows. The stream goes on from `n`.
- A comment line every 15 s keeps proxies from closing the stream; it carries `id:` of how far
  the stream has read, so a reconnect after a quiet stretch does not replay it. A stream whose
  session has ended (signed out, idle) closes at its next heartbeat; the browser's reconnect
  then meets the sign-in redirect and stops.

One hub per process follows the queue view's position (a look every 20 ms, one task for every
tab: no polling per tab), reads the new log records once in a worker thread, and fans the
frames out to each stream's queue.
"""

import asyncio
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any
from uuid import UUID

from anyio import to_thread
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse

from api.auth import READERS, get_runtime, require
from api.bootstrap import Runtime
from api.web.sessions import COOKIE
from api.web.viewer import PageViewer
from projections.records import EventRecord

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

PACE_SECONDS = 0.02
HEARTBEAT_SECONDS = 15.0
BACKFILL = 1000
"""Log records a stream replays at most; further behind, it is told to reload."""
RETRY_MS = 1000
READ_BATCH = 500


@dataclass(frozen=True, slots=True)
class Frame:
    """One piece of the stream: an event's text, or (empty text) how far the hub has read."""

    position: int | None
    text: str = ""


def sse(kind: str, data: dict[str, Any], position: int | None = None) -> str:
    head = f"id: {position}\n" if position is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def reload_frame(position: int) -> Frame:
    return Frame(position, sse("reload", {"position": position}, position))


@dataclass(eq=False)
class Stream:
    viewer: str
    ticket: str | None
    frames: asyncio.Queue[Frame] = field(default_factory=asyncio.Queue)
    reached: int = 0
    """The last position put in the queue."""

    def put(self, frame: Frame, limit: int = BACKFILL) -> None:
        """A page that cannot keep up gets one reload instead of an ever longer queue."""
        self.reached = max(self.reached, frame.position or 0)
        if self.frames.qsize() >= limit:
            while not self.frames.empty():
                self.frames.get_nowait()
            frame = reload_frame(self.reached)
        self.frames.put_nowait(frame)


class Hub:
    """The process's one follower of the log, and who is looking at which ticket."""

    def __init__(
        self, runtime: Runtime, heartbeat: float = HEARTBEAT_SECONDS, backfill: int = BACKFILL
    ) -> None:
        self.runtime, self.heartbeat, self.backfill = runtime, heartbeat, backfill
        self.position = 0
        self.streams: set[Stream] = set()
        self.viewers: dict[str, Counter[str]] = {}
        self.task: asyncio.Task[None] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def join(self, stream: Stream) -> int:
        """Registers the stream; the position it is caught up to from then on."""
        if not self.following():
            position = await self.view_position()
            if not self.following():
                self.position, self.loop = position, asyncio.get_running_loop()
                self.task = asyncio.create_task(self.follow(), name="live hub")
        self.streams.add(stream)
        if stream.ticket is not None:
            self.look(stream)
        return self.position

    def leave(self, stream: Stream) -> None:
        self.streams.discard(stream)
        if stream.ticket is None:
            return
        looking = self.viewers[stream.ticket]
        looking[stream.viewer] -= 1
        if looking[stream.viewer] <= 0:
            del looking[stream.viewer]
            self.tell_presence(stream.ticket)
        if not looking:
            del self.viewers[stream.ticket]

    def look(self, stream: Stream) -> None:
        assert stream.ticket is not None
        looking = self.viewers.setdefault(stream.ticket, Counter())
        looking[stream.viewer] += 1
        if looking[stream.viewer] == 1:
            self.tell_presence(stream.ticket)
        else:
            stream.put(self.presence(stream.ticket))

    def presence(self, ticket: str) -> Frame:
        return Frame(None, sse("presence", {"ticket": ticket, "viewers": sorted(self.viewers[ticket])}))

    def tell_presence(self, ticket: str) -> None:
        frame = self.presence(ticket)
        for stream in self.streams:
            if stream.ticket == ticket:
                stream.put(frame)

    def following(self) -> bool:
        alive = self.task is not None and not self.task.done()
        return alive and self.loop is asyncio.get_running_loop()

    async def view_position(self) -> int:
        runner = self.runtime.runner
        if runner.following(("queue",)):
            return runner.position(("queue",))
        return await to_thread.run_sync(runner.position, ("queue",))

    async def follow(self) -> None:
        """Ends when the last stream has gone; the next one starts it again from the view's place."""
        while self.streams:
            try:
                target = await self.view_position()
                if target > self.position:
                    await self.advance(target)
            except Exception:
                log.exception("the live hub could not read the log; retrying")
                await asyncio.sleep(1.0)
            await asyncio.sleep(PACE_SECONDS)

    async def advance(self, target: int) -> None:
        if target - self.position > self.backfill:
            frames = [reload_frame(target)]
        else:
            frames = await to_thread.run_sync(self.frames_between, self.position, target)
        self.position = target
        for stream in self.streams:
            for frame in frames:
                stream.put(frame, self.backfill)
            stream.put(Frame(target), self.backfill)

    async def replay(self, after: int, upto: int) -> list[Frame]:
        """What a stream that has read up to `after` missed up to `upto` (bounded by BACKFILL)."""
        if upto - after > self.backfill:
            return [reload_frame(upto)]
        return await to_thread.run_sync(self.frames_between, after, upto)

    def frames_between(self, after: int, upto: int) -> list[Frame]:
        records = read_between(self.runtime, after, upto)
        tickets = {r.aggregate_id for r in records if r.aggregate_type == "Ticket"}
        rows = self.runtime.queue.tickets(tickets) if tickets else {}
        frames = []
        for record in records:
            if record.aggregate_type == "Ticket":
                row = rows.get(record.aggregate_id)
                data = {
                    "ticket": record.aggregate_id,
                    "type": record.type,
                    "position": record.position,
                    "actor": record.actor,
                    "assignee": row.assignee if row else None,
                    "status": row.status if row else None,
                }
                frames.append(Frame(record.position, sse("ticket", data, record.position)))
            elif record.aggregate_type == "Mention":
                data = {"mention": record.aggregate_id, "type": record.type, "position": record.position}
                frames.append(Frame(record.position, sse("mention", data, record.position)))
        return frames


def read_between(runtime: Runtime, after: int, upto: int) -> list[EventRecord]:
    """The log records in (after, upto], read in batches from the process's own log reader."""
    found: list[EventRecord] = []
    source = runtime.runner.source
    while after < upto:
        batch: Sequence[EventRecord] = source.read(after, READ_BATCH)
        if not batch:
            break
        found.extend(r for r in batch if r.position <= upto)
        after = batch[-1].position
    return found


def hub_of(request: Request, runtime: Runtime) -> Hub:
    hub = getattr(request.app.state, "live_hub", None)
    if hub is None:
        hub = request.app.state.live_hub = Hub(runtime)
    return hub  # type: ignore[no-any-return]


def resume_from(last_event_id: str | None, start: int | None) -> int | None:
    if last_event_id and last_event_id.strip().isdigit():
        return int(last_event_id.strip())
    return start


@router.get("/live")
async def live(
    request: Request,
    runtime: RuntimeDep,
    viewer: PageViewer,
    start: Annotated[int | None, Query(alias="from", ge=0, le=2**62)] = None,
    ticket: UUID | None = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """The desk's events from a log position on, as server-sent events (see the module's text)."""
    require(viewer.user, READERS, "follow the desk live")
    stream = Stream(viewer.name, str(ticket) if ticket else None)
    body = events(hub_of(request, runtime), stream, resume_from(last_event_id, start), request)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)


async def events(hub: Hub, stream: Stream, start: int | None, request: Request) -> AsyncIterator[str]:
    caught_up = await hub.join(stream)
    try:
        yield f"retry: {RETRY_MS}\n\n"
        sent = caught_up if start is None else start
        if sent < caught_up:
            for frame in await hub.replay(sent, caught_up):
                yield frame.text
            sent = caught_up
        elif sent > caught_up and sent > await to_thread.run_sync(log_head, hub.runtime):
            yield reload_frame(caught_up).text  # a position this log never reached (another desk's)
            sent = caught_up
        clock = asyncio.get_running_loop().time
        beat = clock() + hub.heartbeat
        while True:
            try:
                frame = await asyncio.wait_for(stream.frames.get(), max(0.0, beat - clock()))
            except TimeoutError:
                if not await signed_in(hub.runtime, request):
                    return  # every beat, busy or quiet: a signed-out page stops hearing the desk
                yield f": keep-alive\nid: {sent}\n\n"
                beat = clock() + hub.heartbeat
                continue
            if frame.position is not None and frame.position <= sent:
                continue  # replayed already, or the page was rendered after it
            if frame.text:
                yield frame.text
            if frame.position is not None:
                sent = frame.position
    finally:
        hub.leave(stream)


def log_head(runtime: Runtime) -> int:
    return runtime.helpdesk.recorder.max_notification_id() or 0


async def signed_in(runtime: Runtime, request: Request) -> bool:
    sessions = runtime.sessions
    if sessions is None:
        return False
    return await to_thread.run_sync(sessions.read, request.cookies.get(COOKIE)) is not None
