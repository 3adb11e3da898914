"""Channel secrets masked out of text a provider sent back, before the text is recorded.

A provider's error may echo the request it refused (a proxy's 404 page naming the path that
holds Telegram's bot token), and a delivery error is recorded on the ticket for good. URLs are
the outbox's business, so this lives beside it and not in the domain.
"""

from urllib.parse import quote

from domain.channel import is_secret


def without_secrets(settings: dict[str, str], text: str) -> str:
    """`text` with every secret setting's value masked, as typed and as a URL carries it."""
    for key, value in settings.items():
        if is_secret(key) and value:
            for form in dict.fromkeys((value, quote(value, safe=""), quote(value))):
                text = text.replace(form, "***")
    return text
