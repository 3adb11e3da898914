"""Reports refuse a query parameter they do not take, instead of answering as if it was not sent.

A report filter passed to a report that has no such filter (`operator=` on the QA sample, a typo
such as `operatr=`) used to be dropped silently, and the caller read an unfiltered figure as a
filtered one. A report route lists what it takes (its query parameters, those of its
dependencies included) and answers anything else with 422 `unknown_parameter`.
"""

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.errors import ApiError


async def known_parameters(request: Request) -> None:
    """A dependency for a router or a route: `dependencies=[Depends(known_parameters)]`."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    accepted = query_names(route.dependant)
    unknown = sorted(set(request.query_params) - accepted)
    if unknown:
        raise ApiError(
            422,
            "unknown_parameter",
            f"{route.path} does not take {', '.join(map(repr, unknown))}; "
            f"it takes {', '.join(sorted(accepted))}.",
        )


def query_names(dependant: Dependant) -> set[str]:
    """The route's query parameters and its dependencies' (a few: walked on every request)."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= query_names(sub)
    return names
