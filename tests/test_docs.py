"""The documentation a user reads: what it points at exists, what it shows is what the tool prints,
and what it promises ships."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from fakegithub import TOKEN, FakeGitHub
from markdown_it import MarkdownIt
from markdown_it.token import Token

import tfdrift_ci
from tfdrift_ci import cli

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = [README, REPO / "CHANGELOG.md", *sorted((REPO / "docs").glob("*.md"))]


# --------------------------------------------------------------------------------------------------
# Links


def _tokens(path: Path) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(path.read_text(encoding="utf-8"))


def _links(path: Path) -> list[str]:
    """Every link and image target in a Markdown file, inline HTML ``href``/``src`` included."""
    out: list[str] = []
    for token in _tokens(path):
        for child in [token, *(token.children or [])]:
            if child.type == "link_open":
                out.append(str(child.attrs.get("href", "")))
            elif child.type == "image":
                out.append(str(child.attrs.get("src", "")))
            elif child.type in ("html_inline", "html_block"):
                out.extend(re.findall(r"""(?:href|src)=["']([^"']+)["']""", child.content))
    return out


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    tokens = _tokens(path)
    anchors: set[str] = set()
    for token in tokens:  # explicit anchors: <a id="…"></a>
        for child in [token, *(token.children or [])]:
            if child.type in ("html_inline", "html_block"):
                anchors.update(re.findall(r"""\b(?:id|name)=["']([^"']+)["']""", child.content))
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[i + 1]
            text = "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))
            slug, n = _slug(text), 1
            while slug in anchors:  # GitHub numbers repeated headings: name, name-1, name-2
                slug = f"{_slug(text)}-{n}"
                n += 1
            anchors.add(slug)
    return anchors


def _link_problems(doc: Path, root: Path = REPO) -> list[str]:
    problems = []
    for href in _links(doc):
        if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):  # https:, mailto: … (not checked offline)
            continue
        target, _, fragment = href.partition("#")
        resolved = (doc.parent / target).resolve() if target else doc
        if not resolved.is_relative_to(root):
            problems.append(f"{href}: points outside the repository")
        elif not resolved.exists():
            problems.append(f"{href}: {resolved.relative_to(root)} does not exist")
        elif fragment and resolved.suffix == ".md" and fragment not in _anchors(resolved):
            problems.append(f"{href}: no heading #{fragment} in {resolved.relative_to(root)}")
    return problems


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves_inside_the_repository(doc: Path) -> None:
    problems = _link_problems(doc)
    assert not problems, f"{doc.relative_to(REPO)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_reference_to_documents_users_do_not_have(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for pattern in (r"\.\./shared/", r"shared/reference", r"shared/design", r"design §"):
        assert not re.search(pattern, text), f"{doc.relative_to(REPO)} cites {pattern}"


def test_the_link_check_catches_a_broken_link(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        '# Top `x` 1.0\n\n<a id="here"></a>\n\n[a](missing.md) [b](../../outside.md) [c](x.md#nope) '
        "[d](https://example.com)\n\n## Top `x` 1.0\n"
    )
    assert _links(doc) == ["missing.md", "../../outside.md", "x.md#nope", "https://example.com"]
    assert _anchors(doc) == {"here", "top-x-10", "top-x-10-1"}
    assert _link_problems(doc, root=tmp_path) == [
        "missing.md: missing.md does not exist",
        "../../outside.md: points outside the repository",
        "x.md#nope: no heading #nope in x.md",
    ]


# --------------------------------------------------------------------------------------------------
# The README's example output is what the first set-up command prints


def _setup_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    m = re.search(r"\A# tfdrift-ci\n\n```bash\n(.*?)\n```", text, re.S)
    assert m, "README.md must start with the title and one bash block of set-up commands"
    return m.group(1).splitlines()


def test_readme_keeps_exactly_two_setup_commands_at_the_top() -> None:
    commands = _setup_commands()
    assert len(commands) == 2, commands
    assert commands[0].startswith("pip install . && tfdrift-ci check examples/infra ")
    assert commands[1] == "pip install -e '.[test]' && python -m pytest -q"
    # .ci/run runs the same test command (its comment says to keep them in sync).
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pip install -q -e '.[test]'" in ci and "python -m pytest -q" in ci


def _example_argv() -> list[str]:
    check = _setup_commands()[0].split(" && ", 1)[1]
    argv = shlex.split(check)
    assert argv[0] == "tfdrift-ci"
    return argv[1:]


def _excerpt(kind: str) -> tuple[str | None, list[str]]:
    """The README's example: ``text`` (the fenced block under *What it prints*, its ``$`` line
    apart) or ``comment`` (the blockquote that follows it)."""
    section = README.read_text(encoding="utf-8").split("## What it prints", 1)[1].split("\n## ", 1)[0]
    if kind == "text":
        m = re.search(r"```text\n(.*?)\n```", section, re.S)
        assert m
        lines = m.group(1).splitlines()
        assert lines[0].startswith("$ ")
        return lines[0][2:], lines[1:]
    quoted = [
        line[2:] if line.startswith("> ") else "" for line in section.splitlines() if line.startswith(">")
    ]
    return None, quoted


# The comment says "18 days ago": relative to the clock, so compared as "N … ago".
_AGO = re.compile(r"\b\d+ (?:second|minute|hour|day|week|month|year)s? ago\b")


def _in_order(excerpt: list[str], actual: list[str]) -> list[str]:
    """Lines of ``excerpt`` (blank lines and ``…`` aside) that are not found, in order, in ``actual``
    (relative times aside)."""
    actual = [_AGO.sub("N ago", line) for line in actual]
    missing, pos = [], 0
    for line in excerpt:
        if line.strip() in ("", "…"):
            continue
        try:
            pos = actual.index(_AGO.sub("N ago", line), pos) + 1
        except ValueError:
            missing.append(line)
    return missing


@pytest.fixture(scope="module")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The README's first command, run for real with ``--comment`` against a local GitHub stand-in:
    its text output and the PR comment it posted."""
    tmp = tmp_path_factory.mktemp("example")
    event = tmp / "event.json"
    with pytest.MonkeyPatch.context() as mp, FakeGitHub() as gh:
        event.write_text(json.dumps({"pull_request": {"number": gh.pr}}), encoding="utf-8")
        for key, value in {
            "GITHUB_REPOSITORY": gh.repo, "GITHUB_API_URL": gh.url, "GITHUB_TOKEN": TOKEN,
            "GITHUB_EVENT_PATH": str(event),
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
            "AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1",
        }.items():  # fmt: skip
            mp.setenv(key, value)
        mp.delenv("GITHUB_STEP_SUMMARY", raising=False)
        mp.chdir(REPO)
        text = tmp / "out.txt"
        code = cli.main(
            [*_example_argv(), "--no-progress", "--comment", "--format", "text", "--output", str(text)]
        )
        assert code == 1  # the README says so
        assert len(gh.comments) == 1
        return {"text": text.read_text(encoding="utf-8"), "comment": gh.comments[0]["body"]}


def test_the_readme_text_example_is_what_the_command_prints(example_run: dict[str, str]) -> None:
    command, excerpt = _excerpt("text")
    assert command == _setup_commands()[0].split(" && ", 1)[1]
    missing = _in_order(excerpt, example_run["text"].splitlines())
    assert not missing, "README.md's example output is stale; rerun the first set-up command:\n" + "\n".join(
        missing
    )


def test_the_readme_comment_example_is_what_the_pr_gets(example_run: dict[str, str]) -> None:
    _, excerpt = _excerpt("comment")
    assert len([line for line in excerpt if line.strip()]) >= 5
    missing = _in_order(excerpt, example_run["comment"].splitlines())
    assert not missing, "README.md's PR comment excerpt is stale:\n" + "\n".join(missing)


def test_in_order_notices_a_changed_line() -> None:
    assert _in_order(["a", "…", "c"], ["a", "b", "c"]) == []
    assert _in_order(["c", "a"], ["a", "b", "c"]) == ["a"]
    assert _in_order(["a", "x"], ["a", "b"]) == ["x"]
    assert _in_order(["bob · 3 days ago"], ["bob · 12 days ago"]) == []


# --------------------------------------------------------------------------------------------------
# What ships


def test_the_packaged_report_schema_is_the_one_the_tests_validate_against() -> None:
    """Users get tfdrift_ci/schemas/report-schema.json inside the package; the tests validate every
    report against tests/schemas/report-schema.json. They must be the same file: edit both."""
    packaged = resources.files("tfdrift_ci.schemas").joinpath("report-schema.json").read_bytes()
    assert packaged == (REPO / "tests" / "schemas" / "report-schema.json").read_bytes()
    assert packaged == (REPO / "tfdrift_ci" / "schemas" / "report-schema.json").read_bytes()


def test_version_numbers_agree() -> None:
    """pyproject.toml, tfdrift_ci.__version__ and CHANGELOG.md's newest section name one version."""
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert tfdrift_ci.__version__ == version
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = changelog.split("\n## ", 1)[1].split("\n## ", 1)[0]
    heading = newest.splitlines()[0]
    if heading.startswith("[Unreleased]"):
        assert f"**{version}**" in newest, "say which version the Unreleased entries will become"
    else:
        assert heading.startswith(f"[{version}]"), heading


def test_every_tfdrift_environment_variable_is_documented() -> None:
    """The TFDRIFT_* variables the CLI reads (cli.py is the only module that reads the environment)
    are each a row of the README's environment table."""
    cli_source = (REPO / "tfdrift_ci" / "cli.py").read_text(encoding="utf-8")
    read = set(re.findall(r"\"(TFDRIFT_[A-Z_]+)\"", cli_source))
    assert {"TFDRIFT_PARSER", "TFDRIFT_CACHE_DIR", "TFDRIFT_NO_CACHE", "TFDRIFT_FETCH_MODULES"} <= read
    table = README.read_text(encoding="utf-8").split("### Environment variables", 1)[1].split("\n#", 1)[0]
    rows = {m for m in re.findall(r"^\| `(TFDRIFT_[A-Z_]+)", table, re.MULTILINE)}
    assert read <= rows, f"undocumented: {sorted(read - rows)}"
