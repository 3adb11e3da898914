"""An Idempotency-Key and the fingerprint of the request it came with.

The fingerprint is what makes "the same request" precise: the method, the route as called (path
and query) and the body in canonical JSON, so a retry whose client reorders keys or spaces the JSON
differently is still the same request, while another body or another route is not.
"""

import hashlib
import json

from fastapi import Request

from domain.idempotency import RequestKey


async def request_key(request: Request, user: str, key: str) -> RequestKey:
    route = f"{request.method} {request.url.path}"
    query = sorted(request.query_params.multi_items())
    body = canonical(await request.body())
    text = json.dumps([route, query, body], ensure_ascii=False, separators=(",", ":"))
    return RequestKey(user, key, hashlib.sha256(text.encode()).hexdigest(), route)


def canonical(body: bytes) -> str:
    """The body as sorted, compact JSON; a body that is not JSON (or none) as its own bytes."""
    try:
        parsed = json.loads(body) if body.strip() else None
    except ValueError:
        return body.hex()
    return json.dumps(parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
