"""Placeholders in snippets: `{{customer_name}}` and friends, filled in when a reply is sent."""

import re
from collections.abc import Mapping

from domain.errors import InvalidValueError

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
KNOWN = {
    "customer_name": "the customer's name as registered",
    "customer_first_name": "the first word of the customer's name",
    "operator_name": "the name of the user sending the reply",
    "ticket_number": "the ticket's short number (first 8 characters of its id)",
    "ticket_subject": "the ticket's subject, or empty",
    "channel": "the channel the customer writes from",
}


class UnknownPlaceholderError(InvalidValueError):
    code = "unknown_placeholder"


def placeholders(body: str) -> list[str]:
    return list(dict.fromkeys(PLACEHOLDER.findall(body)))


def check_placeholders(body: str) -> None:
    unknown = [name for name in placeholders(body) if name not in KNOWN]
    if unknown:
        known = ", ".join(sorted(KNOWN))
        raise UnknownPlaceholderError(f"Unknown placeholder(s) {', '.join(unknown)}; use one of {known}.")


def render(body: str, values: Mapping[str, str]) -> str:
    """Fills every known placeholder; one without a value becomes empty text."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), "") if m.group(1) in KNOWN else m.group(0), body)


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else ""
