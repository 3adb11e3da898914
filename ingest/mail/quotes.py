"""The customer's own words of a reply: quoted history and the signature taken off the ticket text.

An operator reads what the customer wrote now, not the thread again under it. Taken off:
- `> ` quoted lines, with the attribution line that introduces them ("On Mon, 2 Mar 2026 … wrote:",
  "2 марта 2026 г., в 10:00, Ольга <olga@…> написал(а):", "… пишет:", or any line ending in
  "<address>:" right above a quote);
- everything from an attribution (en "On … wrote:", ru "… написал(а):" / "написал:" / "написала:" /
  "пишет:") that names a date or an address and is followed by unquoted text: a client that does
  not mark quotes, top-posting;
- everything from Outlook's "-----Original Message-----" (ru "-----Исходное сообщение-----") or its
  header block ("From: …" then "Sent: …" / "Date: …"; ru "От: …" then "Отправлено: …" / "Дата: …");
- the signature: everything after a "-- " line (RFC 3676 §4.3; also "--", as some clients trim it),
  and a mail app's own last line ("Sent from my iPhone", "Get Outlook for Android", "Отправлено с
  iPhone", "Отправлено из мобильной Почты Mail.ru") when it names a device or a mail app.
Answers written between quotes (inline replies, bottom-posting) stay. When nothing would be left
(a mail that is only a forward or only a quote), the text is kept whole: a message is never emptied.
"""

import re

ATTRIBUTION = re.compile(
    r"^(on\b.{0,300}\bwrote:|.{0,300}\b(написал\(а\)|написала?|пишет)\s*:)\s*$", re.IGNORECASE
)
"""An attribution line, also when a client wrapped it over two lines (they are joined to try)."""
DATED = re.compile(r"[0-9@]")
"""An attribution with no quote under it cuts the rest only if it names a date or an address:
"Here is what I wrote:" in the customer's own text is not one."""
ADDRESS_COLON = re.compile(r"<[^<>\s]+@[^<>\s]+>\s*:\s*$")
ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|исходное сообщение|forwarded message|пересылаемое сообщение)\s*-{2,}\s*$",
    re.IGNORECASE,
)
OUTLOOK_FROM = re.compile(r"^\s*\*?(from|от)\s*:\*?\s+\S", re.IGNORECASE)
OUTLOOK_NEXT = re.compile(r"^\s*\*?(sent|date|to|отправлено|дата|кому)\s*:", re.IGNORECASE)
SIGNATURE = ("-- ", "--")
DEVICE_LINE = re.compile(
    r"^\s*(sent from|sent with|get|отправлено (с|со|из)|послано (с|из))\b.{0,60}?"
    r"\b(iphone|ipad|android|samsung|galaxy|huawei|xiaomi|honor|mobile|phone|outlook|gmail|yahoo|mail"
    r"|смартфона|телефона|мобильн\w*"
    r"|почт\w*|яндекс\w*)\b.{0,40}$",
    re.IGNORECASE,
)
"""The line a mail app adds under the text on its own: a device's or an app's name in it, so that
"Sent from my office yesterday" or "Отправлено с опозданием" stay."""


def newlines(text: str) -> str:
    """`\\r\\n` and lone `\\r` as `\\n`, whatever the mail's parts and encodings carried."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def attribution(lines: list[str], at: int) -> int:
    """How many lines (1 or 2) starting at `at` form an attribution line, or 0."""
    for size in (1, 2):
        if at + size > len(lines) or (size == 2 and not lines[at + 1].strip()):
            continue
        joined = " ".join(line.strip() for line in lines[at : at + size])
        if not joined:
            continue
        if ATTRIBUTION.match(joined) or (ADDRESS_COLON.search(joined) and quote_follows(lines, at + size)):
            return size
    return 0


def quote_follows(lines: list[str], at: int) -> bool:
    for line in lines[at:]:
        if line.strip():
            return quoted(line)
    return False


def outlook_header(lines: list[str], at: int) -> bool:
    if not OUTLOOK_FROM.match(lines[at]):
        return False
    following = [line for line in lines[at + 1 : at + 4] if line.strip()]
    return bool(following) and OUTLOOK_NEXT.match(following[0]) is not None


def own_words(text: str) -> str:
    """The text without quoted history and signature (module docstring); `text` if nothing is left."""
    lines = newlines(text).split("\n")
    kept: list[str] = []
    at = 0
    while at < len(lines):
        line = lines[at]
        if ORIGINAL.match(line) or outlook_header(lines, at):
            break
        size = attribution(lines, at)
        if size:
            if not quote_follows(lines, at + size):
                if DATED.search(" ".join(lines[at : at + size])):
                    break
                kept.extend(lines[at : at + size])
            at += size
            continue
        if line.rstrip("\n") in SIGNATURE:
            break
        if not quoted(line):
            kept.append(line)
        at += 1
    words = tidy(without_device_line(kept))
    return words if words else tidy(lines)


def without_device_line(lines: list[str]) -> list[str]:
    """`lines` without a mail app's "Sent from my …" as the last of them that is not empty."""
    last = max((i for i, line in enumerate(lines) if line.strip()), default=None)
    return lines[:last] if last is not None and DEVICE_LINE.match(lines[last]) else lines


def tidied(text: str) -> str:
    """The whole text with `\n` line ends, trailing spaces and runs of empty lines taken off."""
    return tidy(newlines(text).split("\n"))


def tidy(lines: list[str]) -> str:
    """Trailing spaces off every line, at most one empty line in a row, none at either end."""
    out: list[str] = []
    for line in (line.rstrip() for line in lines):
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")
