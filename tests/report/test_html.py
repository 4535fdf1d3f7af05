"""``--format html``: self-contained, escaped, and its script allowed by hash. The browser side
(filters, console errors, values against the JSON report) is tests/report/test_browser.py."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from injection_corpus import CORPUS, hostile_report
from report_loader import load_report

from tfdrift_ci.errors import ConfigError
from tfdrift_ci.report import RenderOptions, render

OWN_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "div", "p", "strong", "section",
    "svg", "text", "line", "circle", "rect", "span", "label", "select", "option", "table", "thead", "tbody",
    "tr", "th", "td", "code", "br", "details", "summary", "ul", "li", "pre", "time", "a", "footer", "script",
}  # fmt: skip


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def _parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    p.close()
    return p


def test_page_is_self_contained_and_its_one_script_is_allowed_by_hash() -> None:
    page = render(load_report(), "html")
    parsed = _parse(page)
    assert parsed.tags.count("script") == 1
    script = "".join(parsed.scripts)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = next(v for t, k, v in parsed.attrs if t == "meta" and k == "content" and "default-src" in v)
    assert f"script-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp
    assert not [v for t, k, v in parsed.attrs if k in ("src", "srcset")]
    hrefs = [v for t, k, v in parsed.attrs if k == "href"]
    assert hrefs and all(h.startswith("https://us-east-1.console.aws.amazon.com/cloudtrail/") for h in hrefs)
    text = "".join(parsed.text)
    gone = "module terraform-aws-modules/vpc/aws was not followed"
    for needle in ("What was not checked", gone, "Suppressed (1)", "registry-level"):
        assert needle in text


@pytest.mark.parametrize("key", sorted(CORPUS))
def test_hostile_values_stay_text(key: str) -> None:
    page = render(hostile_report(CORPUS[key]), "html")
    parsed = _parse(page)
    assert set(parsed.tags) <= OWN_TAGS, set(parsed.tags) - OWN_TAGS
    assert parsed.tags.count("script") == 1
    for tag, name, value in parsed.attrs:
        assert not name.startswith("on"), (tag, name)
        if name in ("href", "src", "action", "formaction", "xlink:href"):
            assert value.startswith("https://") and "evil" not in value and "javascript" not in value
    # No escape sequence, control or bidi override reaches the page.
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", page)


def test_no_drift_draws_no_timeline() -> None:
    r = load_report()
    static = replace(r, findings=tuple(f for f in r.findings if f.kind in ("config", "error")))
    assert "<svg" not in render(static, "html")
    assert "<svg" in render(r, "html")


def test_user_template(tmp_path: Path) -> None:
    (tmp_path / "report.html.j2").write_text("<p>{{ view.findings[0].message }}</p>", encoding="utf-8")
    hostile = replace(load_report().findings[0], message="<img src=x onerror=1>")
    out = render(
        replace(load_report(), findings=(hostile,)), "html", RenderOptions(template_dir=str(tmp_path))
    )
    assert out == "<p>&lt;img src=x onerror=1&gt;</p>"
    (tmp_path / "report.html.j2").write_text("{{ view.nope }}", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"report\.html\.j2"):
        render(load_report(), "html", RenderOptions(template_dir=str(tmp_path)))
    assert re.search("not a directory", _err(tmp_path / "missing"))


def _err(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        render(load_report(), "html", RenderOptions(template_dir=str(path)))
    return str(info.value)
