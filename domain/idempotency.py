"""Requests made with an Idempotency-Key: what was asked, and the answer it got.

The record of a keyed request is an aggregate of its own, saved in the same atomic `save` as the
events the request caused. So the event log alone answers a retry: no crash can leave the change
without its record (which would apply the retry a second time) or the record without the change.
Its id comes from the user and the key, so keys are per user and one lookup finds a key whatever
route it was used on.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.copying import CheapCopy
from domain.errors import InvalidCommandError
from domain.event_base import StampedEvent

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/keyed-request")


class IdempotencyKeyReusedError(InvalidCommandError):
    code = "idempotency_key_reused"


@dataclass(frozen=True, slots=True)
class RequestKey:
    """A caller's Idempotency-Key with a fingerprint of the request it came with.

    `fingerprint` covers the method, the route and the canonical body, so the same key sent with
    anything else is recognised as a reuse; `route` names the request in error messages."""

    user: str
    key: str
    fingerprint: str
    route: str

    @property
    def request_id(self) -> str:
        """What the request's events record as their request id: kept apart from provider ids
        (`message:…`, `delivery:…`), so no key a caller picks can pass for a provider's message."""
        return f"key:{self.key}"


class KeyedRequest(CheapCopy, Aggregate):
    """The answer given to one keyed request: the aggregate and version it reported, and the
    aggregate and version whose log position it reported."""

    class Event(StampedEvent):
        """What every record of a keyed request records (domain.event_base)."""

    class Answered(Event, Aggregate.Created):
        user: str
        key: str
        fingerprint: str
        route: str
        answer_id: UUID
        answer_version: int
        last_id: UUID
        last_version: int

    def __init__(
        self,
        user: str,
        key: str,
        fingerprint: str,
        route: str,
        answer_id: UUID,
        answer_version: int,
        last_id: UUID,
        last_version: int,
    ) -> None:
        self.user, self.key, self.fingerprint, self.route = user, key, fingerprint, route
        self.answer_id, self.answer_version = answer_id, answer_version
        self.last_id, self.last_version = last_id, last_version

    @staticmethod
    def create_id(user: str, key: str) -> UUID:
        return uuid5(NAMESPACE, json.dumps([user, key]))

    @classmethod
    def answer(
        cls, key: RequestKey, answer: Aggregate, last: Aggregate, now: datetime, actor: str
    ) -> "KeyedRequest":
        return cls._create(
            cls.Answered,
            id=cls.create_id(key.user, key.key),
            occurred_at=now,
            actor=actor,
            request_id=key.request_id,
            timestamp=now,
            user=key.user,
            key=key.key,
            fingerprint=key.fingerprint,
            route=key.route,
            answer_id=answer.id,
            answer_version=answer.version,
            last_id=last.id,
            last_version=last.version,
        )

    def check_same_request(self, key: RequestKey) -> None:
        if key.fingerprint != self.fingerprint:
            raise IdempotencyKeyReusedError(
                f"The Idempotency-Key {key.key!r} was already used for another request "
                f"({self.route}, with its own body); send a new key with a new request."
            )


class AlreadyAnswered(Exception):
    """A concurrent request with the same key was saved first: its answer is the answer."""

    def __init__(self, request: KeyedRequest) -> None:
        super().__init__(f"request {request.key!r} was answered meanwhile")
        self.request = request
