"""The PR comment and the HTML report in a real browser (headless Chromium through Selenium).

A shop-like project (tests/fixtures/report/shop: two roots, an image moved to ``:latest``, a
repository policy opened to ``*``, a lifecycle policy cut to one image, a scale-up that Terraform set
back, a denied delete, a deleted staging repository) goes through the real CLI with ``--comment``
against the local GitHub stand-in, ``--format html`` and ``--format json``. Then:

- each posted comment is rendered with cmark-gfm (GitHub's own Markdown parser, raw HTML kept as
  GitHub keeps it) inside a 900 px column styled like GitHub's comment body, and no table scrolls
  sideways;
- the HTML report opens with no console error (a script blocked by the page's CSP would log one),
  its severity filter shows exactly the findings of that severity, and every row shows the values
  the JSON report has.

Screenshots are kept under the test's tmp dir. Skipped, with the reason, when Chromium,
chromedriver, Selenium or cmarkgfm is missing (.ci/run installs them).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakegithub import TOKEN, FakeGitHub
from report_loader import FIXTURES

from tfdrift_ci import cli

pytestmark = pytest.mark.slow

SHOP = FIXTURES / "shop"
WINDOW = ["--since", "2026-11-14T00:00:00Z", "--until", "2026-11-21T00:00:00Z"]
COLUMN = 900  # px: the comment column of a pull request conversation on a desktop browser
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# GitHub's comment body CSS, approximated from the published github-markdown-css (light theme) for
# what decides widths: the font, tables as scrolling blocks sized to their content up to the
# column (`display:block; width:max-content; max-width:100%; overflow:auto`), cell padding and
# borders, code at 85 % with `white-space: break-spaces`, and `overflow-wrap: break-word` on the
# body. Left out: colours, the avatar and the comment header (outside the 900 px column).
GITHUB_CSS = """
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: border-box; width: 900px; padding: 16px;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  font-size: 14px; line-height: 1.5; word-wrap: break-word; color: #1f2328; }
.markdown-body table { border-spacing: 0; border-collapse: collapse; display: block; width: max-content;
  max-width: 100%; overflow: auto; margin-top: 0; margin-bottom: 16px; }
.markdown-body table th { font-weight: 600; }
.markdown-body table th, .markdown-body table td { padding: 6px 13px; border: 1px solid #d1d9e0; }
.markdown-body table tr { background-color: #fff; border-top: 1px solid #d1d9e0b3; }
.markdown-body code { padding: .2em .4em; margin: 0; font-size: 85%; white-space: break-spaces;
  background-color: #818b981f; border-radius: 6px;
  font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; }
.markdown-body pre { padding: 16px; overflow: auto; font-size: 85%; line-height: 1.45; border-radius: 6px;
  background-color: #f6f8fa; }
.markdown-body pre code { padding: 0; white-space: pre; background: transparent; }
.markdown-body blockquote { margin: 0; padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
.markdown-body sub { font-size: 75%; }
"""


def _missing() -> str | None:
    for module in ("selenium", "cmarkgfm"):
        try:
            __import__(module)
        except ImportError:
            return f"Python package {module} is not installed (pip install -e '.[test]')"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "no Chromium (Debian: apt-get install chromium chromium-driver; .ci/run does it)"
    if not shutil.which("chromedriver"):
        return "no chromedriver (Debian: apt-get install chromium-driver; .ci/run does it)"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    import os

    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for a driver online
    options = Options()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1000,1400")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _github_env(mp: pytest.MonkeyPatch, gh: FakeGitHub, tmp: Path) -> None:
    """What a pull_request workflow run sees, pointed at the local GitHub stand-in."""
    event = tmp / "event.json"
    event.write_text(
        json.dumps({"pull_request": {"number": gh.pr, "base": {"sha": "0" * 40}}}), encoding="utf-8"
    )
    for key, value in {
        "GITHUB_REPOSITORY": gh.repo,
        "GITHUB_API_URL": gh.url,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        mp.setenv(key, value)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Run the CLI once: the comments posted to the GitHub stand-in, the HTML and JSON reports."""
    tmp = tmp_path_factory.mktemp("shop")
    with pytest.MonkeyPatch.context() as mp, FakeGitHub() as gh:
        _github_env(mp, gh, tmp)
        code = cli.main(
            ["check", str(SHOP / "infra"), "--events", str(SHOP / "cloudtrail"), *WINDOW, "--no-progress",
             "--comment", "--format", "json", "--output", str(tmp / "report.json"),
             "--format", "html", "--output", str(tmp / "report.html")]
        )  # fmt: skip
        comments = [c["body"] for c in gh.comments]
    yield {
        "code": code,
        "tmp": tmp,
        "comments": comments,
        "json": json.loads((tmp / "report.json").read_text(encoding="utf-8")),
        "html": tmp / "report.html",
    }


def _comment_page(markdown: str) -> str:
    import cmarkgfm
    from cmarkgfm.cmark import Options as CmarkOptions

    # GitHub renders comments with cmark-gfm, keeps the raw HTML its sanitizer allows (<code>,
    # <details>, <sub>, <br>, <wbr> …) and filters the rest; UNSAFE keeps the raw HTML here.
    body = cmarkgfm.github_flavored_markdown_to_html(markdown, options=CmarkOptions.CMARK_OPT_UNSAFE)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>" + GITHUB_CSS + "</style></head>"
        f"<body><div class='markdown-body' id='comment'>{body}</div></body></html>"
    )


_OVERFLOW_JS = """
const out = [];
for (const t of document.querySelectorAll('#comment table')) {
  if (t.scrollWidth > t.clientWidth + 1) {
    out.push({scroll: t.scrollWidth, client: t.clientWidth,
              head: t.querySelector('tr').innerText.slice(0, 120)});
  }
}
const c = document.getElementById('comment');
return {tables: out, count: document.querySelectorAll('#comment table').length,
        column: c.getBoundingClientRect().width, scroll: c.scrollWidth};
"""


def _open(browser: Any, path: Path) -> None:
    browser.get(path.as_uri())


def _overflow(browser: Any, page: Path) -> dict[str, Any]:
    _open(browser, page)
    result: dict[str, Any] = browser.execute_script(_OVERFLOW_JS)
    return result


def test_control_an_overflowing_table_is_detected(browser: Any, tmp_path: Path) -> None:
    """The width check can fail: a table of long unbreakable values does scroll in this column."""
    wide = "| " + " | ".join(f"`{'x' * 40}{i}`" for i in range(5)) + " |\n|" + "---|" * 5 + "\n"
    page = tmp_path / "control.html"
    page.write_text(_comment_page(wide + wide.splitlines()[0] + "\n"), encoding="utf-8")
    assert _overflow(browser, page)["tables"], "the control table should overflow"


def test_comment_fits_a_900px_column(browser: Any, shop: dict[str, Any], tmp_path: Path) -> None:
    assert shop["code"] == 1
    comments = shop["comments"]
    assert len(comments) == 2  # one sticky comment per Terraform root (prod, staging)
    for i, body in enumerate(comments):
        page = tmp_path / f"comment-{i}.html"
        page.write_text(_comment_page(body), encoding="utf-8")
        result = _overflow(browser, page)
        browser.save_screenshot(str(tmp_path / f"comment-{i}.png"))
        assert result["count"] >= 1
        assert result["column"] == COLUMN
        assert not result["tables"], f"tables scroll sideways in comment {i}: {result['tables']}"
        assert result["scroll"] <= COLUMN, result
    prod = next(b for b in comments if "shop-prod-api" in b or "aws\\_ecs\\_service" in b)
    # The image and policy changes show their differing parts, not two identical truncations.
    assert "…/<wbr>shop-<wbr>prod-<wbr>api:<wbr>1.<wbr>4.<wbr>2" in prod
    assert "…/<wbr>shop-<wbr>prod-<wbr>api:<wbr>latest" in prod
    assert "Statement[0].Principal.AWS" in prod.replace("\\", "").replace("<wbr>", "")
    assert "```mermaid" in prod and "```diff" in prod
    staging = next(b for b in comments if b is not prod)
    assert "**deleted**" in staging


SCENARIOS = FIXTURES.parent / "scenarios"


@pytest.fixture(scope="module")
def scenario_comments(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The PR comment of every drift scenario (tests/fixtures/scenarios), through the CLI."""
    tmp = tmp_path_factory.mktemp("scenarios")
    bodies: dict[str, str] = {}
    with pytest.MonkeyPatch.context() as mp, FakeGitHub() as gh:
        _github_env(mp, gh, tmp)
        for folder in sorted(p for p in SCENARIOS.iterdir() if (p / "main.tf").exists()):
            plan = ["--plan", str(folder / "plan.json")] if (folder / "plan.json").exists() else []
            before = len(gh.writes())
            cli.main(
                ["check", str(folder), "--events", str(folder / "events.json"), *plan, "--no-progress",
                 "--since", "2026-11-01T00:00:00Z", "--until", "2026-11-22T09:30:00Z", "--comment",
                 "--fail-on", "never"]
            )  # fmt: skip
            writes = gh.writes()[before:]
            if writes:
                bodies[folder.name] = writes[-1].body["body"]
    return bodies


def test_every_scenario_comment_fits_a_900px_column(
    browser: Any, scenario_comments: dict[str, str], tmp_path: Path
) -> None:
    assert len(scenario_comments) >= 20
    with_drift = [n for n, b in scenario_comments.items() if "#### Changes made outside Terraform" in b]
    # The width check is about the drift tables: make sure most comments have one.
    assert len(with_drift) >= 15, with_drift
    wide: dict[str, Any] = {}
    for name, body in scenario_comments.items():
        page = tmp_path / f"{name}.html"
        page.write_text(_comment_page(body), encoding="utf-8")
        result = _overflow(browser, page)
        if result["tables"] or result["scroll"] > COLUMN:
            browser.save_screenshot(str(tmp_path / f"{name}.png"))
            wide[name] = result
    assert not wide, wide


def test_comment_values_match_the_json_report(shop: dict[str, Any]) -> None:
    text = "\n".join(shop["comments"]).replace("\\", "").replace("<wbr>", "").replace("\u200b", "")
    for f in shop["json"]["findings"]:
        if f["suppressed"]:
            continue
        if f["event"]:
            assert f["event"]["id"] in text
            assert f["event"]["time"] in text  # the exact UTC time, in the details
            assert f["actor"]["display"] in text
        if f["kind"] in ("drift", "attempt") and f["attribute"]:
            assert f["attribute"] in text


def _rows(browser: Any) -> list[Any]:
    return [
        r for r in browser.find_elements("css selector", "tbody#findings > tr.finding") if r.is_displayed()
    ]


def test_html_report_in_a_browser(browser: Any, shop: dict[str, Any], tmp_path: Path) -> None:
    from selenium.webdriver.support.ui import Select

    _open(browser, shop["html"])
    browser.get_log("browser")  # drop anything logged before this page
    browser.refresh()
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    browser.save_screenshot(str(tmp_path / "report.png"))

    active = [f for f in shop["json"]["findings"] if not f["suppressed"]]
    rows = _rows(browser)
    assert len(rows) == len(active)
    # Every row shows the JSON report's values, in the same order.
    for row, f in zip(rows, active, strict=True):
        cell = row.find_element
        assert cell("css selector", ".sev").text.lower() == f["severity"]
        assert cell("css selector", ".rule").text == f["rule_id"]
        assert cell("css selector", ".address").text == (f["address"] or "(not in Terraform)")
        assert row.get_attribute("data-kind") == f["kind"]
        assert row.get_attribute("data-root") == (f["root"] or ".")
        if f["attribute"]:
            assert cell("css selector", ".attribute").text == f["attribute"]
        if f["event"]:
            assert cell("css selector", ".event-id").text == f["event"]["id"]
            assert cell("css selector", ".exact").text == f["event"]["time"]
            assert cell("css selector", ".who").text == f["actor"]["display"]
        if f.get("diff", {}).get("kind") == "structure":
            text = row.text
            for change in f["diff"]["changes"][:3]:
                assert change["path"] in text

    # The severity filter: pick each severity, count the rows shown.
    select = Select(browser.find_element("id", "filter-severity"))
    for severity in ("critical", "medium", "low"):
        select.select_by_value(severity)
        expected = sum(1 for f in active if f["severity"] == severity)
        assert expected > 0
        assert len(_rows(browser)) == expected
        assert browser.find_element("id", "shown").text == str(expected)
    browser.save_screenshot(str(tmp_path / "report-filtered.png"))
    select.select_by_value("")
    kind = Select(browser.find_element("id", "filter-kind"))
    kind.select_by_value("attempt")
    assert len(_rows(browser)) == sum(1 for f in active if f["kind"] == "attempt") == 1
    kind.select_by_value("")
    root = Select(browser.find_element("id", "filter-root"))
    root.select_by_value("staging")
    assert len(_rows(browser)) == sum(1 for f in active if f["root"] == "staging")
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_html_report_fetches_nothing(shop: dict[str, Any]) -> None:
    """Self-contained: no URL the browser would load (links to the CloudTrail console are only
    followed on a click), and a CSP that forbids loading anything."""
    import re

    page = shop["html"].read_text(encoding="utf-8")
    assert not re.search(r"""(?i)\b(?:src|srcset|action|data)\s*=\s*["']?(?:https?:)?//""", page)
    assert not re.search(r"(?i)@import|url\(\s*['\"]?(?:https?:)?//", page)
    assert "default-src 'none'" in page
