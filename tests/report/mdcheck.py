"""Render report Markdown the way GitHub does (CommonMark + GFM tables, strikethrough, autolinks,
raw HTML allowed) and list what it produced, so tests can prove that untrusted text stayed text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from markdown_it import MarkdownIt

# Tags the report templates produce themselves. Anything else came from a value.
OWN_TAGS = {
    "h3", "h4", "p", "table", "thead", "tbody", "tr", "th", "td", "code", "strong", "em", "details",
    "summary", "ul", "li", "blockquote", "sub", "br", "a", "pre", "wbr",
}  # fmt: skip
# Links the templates make themselves: CloudTrail console pages of events whose region and id look
# like AWS's own (tfdrift_ci/report/markdown.py event_url).
CONSOLE_LINK = re.compile(
    r"^https://[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}\.console\.(?:aws\.amazon|amazonaws-us-gov)\.com/cloudtrail/home"
    r"\?region=[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}#/events/[0-9a-fA-F-]{36}$"
)
# A mention/ref as GitHub finds them in text nodes: @name not preceded by a word character.
MENTION = re.compile(r"(?<![\w\u200b`])@[A-Za-z0-9][A-Za-z0-9-]*")
GFM_AUTOLINK = re.compile(r"(?i)(?:https?|ftp)://|\bwww\.|[A-Za-z0-9._+-]@[A-Za-z0-9_-]+\.[A-Za-z0-9]")
ISSUE_REF = re.compile(r"(?<![\w&\u200b])#\d|(?i:\bGH-\d)")


@dataclass
class Rendered:
    html: str
    tags: list[str] = field(default_factory=list)
    attrs: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, name, value)
    text: str = ""
    comments: list[str] = field(default_factory=list)
    rows: list[tuple[int, int]] = field(default_factory=list)  # (cells in row, cells in header)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, link text)

    @property
    def gfm_links(self) -> list[tuple[str, str]]:
        """Links GitHub would make too. linkify-it also links bare domains ("main.tf:3") and
        Unicode hosts; GitHub's autolinks need a scheme, ``www.`` or an ASCII e-mail address
        (https://github.github.com/gfm/#autolinks-extension-). Explicit links always count."""
        return [(h, t) for h, t in self.links if GFM_AUTOLINK.search(t) or not _looks_autolinked(h, t)]


class _Collect(HTMLParser):
    def __init__(self, out: Rendered) -> None:
        super().__init__(convert_charrefs=True)
        self.out = out
        self.texts: list[str] = []
        self.header_cells = 0
        self.cells = 0
        self.in_head = False
        self.in_code = 0
        self.link: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.tags.append(tag)
        for name, value in attrs:
            self.out.attrs.append((tag, name, value or ""))
        if tag == "thead":
            self.in_head = True
        if tag == "tr":
            self.cells = 0
        if tag in ("td", "th"):
            self.cells += 1
        if tag in ("code", "pre"):
            self.in_code += 1
        if tag == "a":
            self.link = (dict(attrs).get("href") or "", [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self.in_head = False
        if tag == "tr":
            if self.in_head:
                self.header_cells = self.cells
            else:
                self.out.rows.append((self.cells, self.header_cells))
        if tag in ("code", "pre"):
            self.in_code -= 1
        if tag == "a" and self.link is not None:
            self.out.links.append((self.link[0], "".join(self.link[1])))
            self.link = None

    def handle_data(self, data: str) -> None:
        # GitHub does not link mentions inside code; keep only prose for the mention check.
        if not self.in_code:
            self.texts.append(data)
        if self.link is not None:
            self.link[1].append(data)

    def handle_comment(self, data: str) -> None:
        self.out.comments.append(data)


def _looks_autolinked(href: str, text: str) -> bool:
    """linkify output: the href is the link text with a scheme added (hosts punycoded)."""
    bare = re.sub(r"^(?:https?://|mailto:)", "", href)
    if bare == text:
        return True

    def decode(label: str) -> str:
        return label[4:].encode("ascii").decode("punycode") if label.startswith("xn--") else label

    decoded = re.sub(r"[^.@/:]+", lambda m: decode(m.group(0)), bare)
    return decoded == text


def render_md(markdown: str) -> Rendered:
    md = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable(
        ["table", "strikethrough", "linkify"]
    )
    html = md.render(markdown)
    out = Rendered(html=html)
    collector = _Collect(out)
    collector.feed(html)
    collector.close()
    out.text = "".join(collector.texts)
    return out


def assert_inert(markdown: str, *, allowed_links: tuple[str, ...] = (), comments: int = 0) -> Rendered:
    """The rendered Markdown holds only the templates' own tags, no link but ``allowed_links``, no
    image/script/event handler, no mention or issue reference, intact tables, ``comments`` HTML
    comments."""
    r = render_md(markdown)
    foreign = sorted(set(r.tags) - OWN_TAGS)
    assert not foreign, f"tags from untrusted text: {foreign}"
    for href, text in r.gfm_links:
        assert href in allowed_links or CONSOLE_LINK.match(href), (
            f"link from untrusted text: {href!r} ({text!r})"
        )
    fuzzy = {href for href, text in r.links if href not in allowed_links}
    for tag, name, value in r.attrs:
        assert not name.startswith("on"), f"event handler attribute {name} on <{tag}>"
        if name in ("href", "src"):
            assert value in allowed_links or CONSOLE_LINK.match(value) or (tag == "a" and value in fuzzy), (
                f"link: <{tag} {name}={value!r}>"
            )
        elif (tag, name) == ("code", "class"):  # the templates' own fences: ```diff, ```mermaid
            assert value in {"language-diff", "language-mermaid", "language-text"}, value
        else:
            assert (tag, name) in {("details", "open")}, f"unexpected attribute <{tag} {name}={value!r}>"
    assert not any(n == "open" for _, n, _ in r.attrs), "a <details> was opened by a value"
    assert not MENTION.search(r.text), f"mention in text: {MENTION.search(r.text)}"
    assert not ISSUE_REF.search(r.text), f"issue reference in text: {ISSUE_REF.search(r.text)}"
    for cells, header in r.rows:
        assert cells == header, f"a table row has {cells} cells, the header {header}"
    assert len(r.comments) == comments, f"HTML comments: {r.comments}"
    assert r.tags.count("details") == r.tags.count("summary"), "details/summary unbalanced"
    assert r.tags.count("h3") == 1, "exactly one h3 (the verdict) expected"
    assert "h1" not in r.tags and "h2" not in r.tags
    return r
