"""Readers of one setting's text: each returns the value or raises ValueError saying what is allowed.

The message completes "DESKSTREAM_X='value': …", so it names the allowed values, not the variable.
"""

import ipaddress
import math
import re
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from projections.shifts import DEFAULT_SHIFTS, ShiftsError, parse_shifts

SWITCHES = {"on": True, "off": False}
TOPIC = re.compile(r"[A-Za-z0-9._-]{1,249}")
DIGITS = re.compile(r"[0-9]+")


def directory(raw: str) -> Path:
    return Path(raw)


def listen_host(raw: str) -> str:
    host = raw.strip()
    if any(c.isspace() for c in host):
        raise ValueError("expected one host name or IP address to listen on, e.g. 0.0.0.0")
    return host


def port(raw: str) -> int:
    value = whole(raw.strip(), "expected a port number from 0 to 65535")
    if value > 65535:
        raise ValueError("expected a port number from 0 to 65535")
    return value


def positive_whole(raw: str) -> int:
    value = whole(raw.strip(), "expected a whole number of 1 or more")
    if value < 1:
        raise ValueError("expected a whole number of 1 or more")
    return value


def whole(text: str, allowed: str) -> int:
    if not DIGITS.fullmatch(text):
        raise ValueError(allowed)
    return int(text)


def seconds(raw: str) -> float:
    allowed = "expected a number of seconds, 0 or more (e.g. 5 or 0.5)"
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(allowed) from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(allowed)
    return value


def switch(raw: str) -> bool:
    try:
        return SWITCHES[raw.strip().lower()]
    except KeyError:
        raise ValueError("expected on or off") from None


def postgres_url(raw: str) -> str:
    url = raw.strip()
    allowed = "expected a URL like postgresql://user:password@host:5432/database"
    parts = urlparse(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(allowed)
    try:
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number in range
    except ValueError:
        raise ValueError(allowed) from None
    return url


def shown_postgres_url(raw: str) -> str:
    """The URL as typed, but for its password: error messages end up in logs."""
    parts = urlparse(raw.strip())
    if parts.password is None:
        return repr(raw)
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return repr(parts._replace(netloc=netloc).geturl())


def kafka_bootstrap(raw: str) -> str:
    allowed = "expected host:port of a Kafka broker, or several separated by commas"
    brokers = [broker.strip() for broker in raw.split(",")]
    for broker in brokers:
        host, colon, number = broker.rpartition(":")
        if not colon:
            host, number = broker, "9092"
        if not host or any(c.isspace() for c in host) or not DIGITS.fullmatch(number):
            raise ValueError(allowed)
        if not 1 <= int(number) <= 65535:
            raise ValueError(allowed)
    return ",".join(brokers)


def kafka_topic(raw: str) -> str:
    topic = raw.strip()
    if not TOPIC.fullmatch(topic) or topic in (".", ".."):
        raise ValueError("expected a Kafka topic name: 1 to 249 letters, digits, '.', '_' or '-'")
    return topic


def session_key(raw: str) -> str:
    if len(raw.strip()) < 32:
        raise ValueError("a session key has at least 32 characters (e.g. `openssl rand -hex 32`)")
    return raw.strip()


def hidden(_: str) -> str:
    """How a secret appears in an error: not at all."""
    return "<hidden>"


def time_zone(raw: str) -> str:
    """An IANA zone name, as the team's clock: `Europe/Moscow`."""
    try:
        ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("an IANA time zone name such as Europe/Moscow or UTC") from None
    return raw.strip()


def trusted_proxies(raw: str) -> str:
    """Addresses or networks of the TLS proxies whose X-Forwarded-For/-Proto are believed, or *."""
    allowed = "expected IP addresses or networks separated by commas (e.g. 10.0.0.5,172.18.0.0/16), or *"
    items = [item.strip() for item in raw.split(",")]
    if items == ["*"]:
        return "*"
    for item in items:
        try:
            ipaddress.ip_network(item) if "/" in item else ipaddress.ip_address(item)
        except ValueError:
            raise ValueError(allowed) from None
    return ",".join(items)


def shifts(raw: str) -> str:
    """The team's shifts, `09:00-20:00,20:00-09:00`: on the hour, covering the day exactly once."""
    text = raw.strip()
    try:
        parse_shifts(text)
    except ShiftsError as exc:
        raise ValueError(f"expected shifts like {DEFAULT_SHIFTS}: {exc}") from None
    return text
