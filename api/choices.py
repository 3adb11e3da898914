"""Query and body types whose allowed values come from the domain's vocabularies, never restated.

`one_of(Priority)` is `Literal["low", "normal", "high", "urgent"]` built from the enum, so the
OpenAPI lists the same values, inline and in the enum's order, and a new member reaches the API
without an edit here.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Literal


def one_of(*vocabularies: type[StrEnum] | Iterable[str]) -> Any:
    """A Literal of every value of the given enums (or tuples of names), in their order."""
    values: list[str] = []
    for vocabulary in vocabularies:
        values.extend(member.value if isinstance(member, StrEnum) else member for member in vocabulary)
    return Literal[tuple(values)]  # type: ignore[valid-type]
