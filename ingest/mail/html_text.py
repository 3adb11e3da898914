"""HTML-only mail as the text an operator reads: the standard library's parser, no markup kept.

Paragraphs, headings, table rows, `<br>` and blocks each start a line (a row's cells stay apart);
list items become `- item` (numbered `1. item` in `<ol>`); a link whose text is not its address
reads `text (url)`; `<blockquote>` lines are quoted with `> ` so that the quoted history of an
HTML reply is recognised like a plain-text one; script, style, head and title are left out;
`<pre>` keeps its line breaks. Empty lines are dropped, as the mail's own blank spacing is layout,
not content.
"""

from html.parser import HTMLParser

BLOCKS = frozenset(
    {"p", "div", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "hr"}
    | {"ul", "ol", "li", "blockquote", "pre", "address", "header", "footer", "dl", "dt", "dd", "center"}
)
HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript"})
LINKED = ("http://", "https://", "ftp://", "mailto:", "tel:")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.prefixes: list[str] = [""]  # the quote marks of each line
        self.hidden = 0
        self.quoted = 0
        self.pre = 0
        self.lists: list[int | None] = []  # per open list: the next number (ol) or None (ul)
        self.links: list[tuple[str, int, int]] = []  # (href, line, column) where each open link began

    def newline(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")
            self.prefixes.append("> " * self.quoted)
        else:
            self.lines[-1] = ""
            self.prefixes[-1] = "> " * self.quoted

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
            return
        if tag in BLOCKS:
            self.newline()
        if tag == "blockquote":
            self.quoted += 1
            self.prefixes[-1] = "> " * self.quoted
        elif tag == "pre":
            self.pre += 1
        elif tag in ("ul", "ol"):
            self.lists.append(1 if tag == "ol" else None)
        elif tag == "li":
            number = self.lists[-1] if self.lists else None
            self.lines[-1] += "- " if number is None else f"{number}. "
            if number is not None:
                self.lists[-1] = number + 1
        elif tag in ("td", "th"):
            self.lines[-1] += " "  # cells of a row read as words apart
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            self.links.append((href, len(self.lines) - 1, len(self.lines[-1])))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.newline()
        elif tag not in HIDDEN:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
            return
        if tag == "a" and self.links:
            self.close_link(*self.links.pop())
        if tag == "blockquote":
            self.quoted = max(0, self.quoted - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in BLOCKS:
            self.newline()

    def close_link(self, href: str, line: int, column: int) -> None:
        text = " ".join(" ".join(self.lines[line:])[column:].split())
        if not href.lower().startswith(LINKED):
            return
        shown = href[len("mailto:") :] if href.lower().startswith("mailto:") else href
        if text in (href, shown) or not text:
            if not text:
                self.lines[-1] += shown
            return
        self.lines[-1] += f" ({shown})"

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.pre:
            first, *rest = data.split("\n")
            self.lines[-1] += first
            for line in rest:
                self.lines.append(line)
                self.prefixes.append("> " * self.quoted)
            return
        self.lines[-1] += data

    def text(self) -> str:
        out = []
        for prefix, line in zip(self.prefixes, self.lines, strict=True):
            words = " ".join(line.split())
            if words:
                out.append(f"{prefix}{words}")
        return "\n".join(out)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.text()
