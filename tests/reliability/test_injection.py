"""Markup injection: hostile values in every untrusted field (resource names and addresses,
attribute values, actor display/ARN/user agent, event names and ids, policy text, messages, file
paths, source errors, notices) are rendered inert by every format and by the PR comment.

The checks (``inert.py``) are written independently of ``tfdrift_ci.report.escape``: each output is
compared with the output for a benign twin report, so a hostile value can add no element, link,
mention, table cell, workflow command or sticky-comment marker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hostile_gen as gen
import inert
import pytest
from rel_support import CliRunner, GitHub, findings, github_env, github_server

PAYLOAD_IDS = sorted(gen.PAYLOADS)


def _benign_for(payload: str) -> str:
    # multi-line payloads get a multi-line twin so that a renderer may legitimately pick a block
    return "benign\nvalue" if "\n" in payload else gen.BENIGN


def _render(payload: str, fmt: str, **options: Any) -> tuple[str, str]:
    from tfdrift_ci.report import RenderOptions, render

    opts = RenderOptions(**options)
    hostile = render(gen.hostile_report(payload), fmt, opts)
    benign = render(gen.hostile_report(_benign_for(payload)), fmt, opts)
    return hostile, benign


def _formats() -> list[str]:
    from tfdrift_ci.report import FORMATS

    return sorted(FORMATS)


@pytest.mark.parametrize("key", PAYLOAD_IDS)
def test_text(key: str) -> None:
    out, _ = _render(gen.PAYLOADS[key], "text")
    inert.assert_terminal_safe(out)
    inert.assert_no_workflow_commands(out)


@pytest.mark.parametrize("key", PAYLOAD_IDS)
def test_text_with_colour_adds_only_its_own_escapes(key: str) -> None:
    out, benign = _render(gen.PAYLOADS[key], "text", color=True)
    assert out.count("\x1b") == benign.count("\x1b"), "escape sequences from untrusted values reached the TTY"
    assert "\x1b]" not in out and "\x07" not in out  # no OSC (hyperlinks / window title)
    inert.assert_no_workflow_commands(out)


@pytest.mark.parametrize("key", PAYLOAD_IDS)
def test_markdown(key: str) -> None:
    out, benign = _render(gen.PAYLOADS[key], "markdown")
    inert.assert_markdown_inert(out, benign)


@pytest.mark.parametrize("key", PAYLOAD_IDS)
def test_github_annotations(key: str) -> None:
    out, benign = _render(gen.PAYLOADS[key], "github")
    inert.assert_annotations_inert(out, benign)
    if key == "workflow_pct":
        # a literal "%0A" must be sent as "%250A", or the runner turns it into a line break
        assert "%0A::error::pwned" not in out


@pytest.mark.parametrize("key", PAYLOAD_IDS)
def test_sarif(key: str) -> None:
    out, benign = _render(gen.PAYLOADS[key], "sarif")
    inert.assert_sarif_inert(out, benign)


@pytest.mark.parametrize("key", PAYLOAD_IDS)
def test_json_stays_valid_and_round_trips(key: str) -> None:
    payload = gen.PAYLOADS[key]
    out, _ = _render(payload, "json")
    doc = inert.strict_json(out)
    inert.assert_no_workflow_commands(out)
    assert doc["exit_code"] == 1
    messages = {f["message"] for f in doc["findings"]}
    # data is kept for machines (escaped by JSON itself); at most invisible controls are dropped
    assert {inert.strip_controls(m) for m in messages} == {inert.strip_controls(payload)}
    drift = next(f for f in doc["findings"] if f["kind"] == "drift")
    assert inert.strip_controls(drift["actor"]["user_agent"]) == inert.strip_controls(payload)
    assert inert.strip_controls(drift["event"]["id"]) == inert.strip_controls(payload)


@pytest.mark.parametrize("key", PAYLOAD_IDS)
def test_falco(key: str) -> None:
    from tfdrift_ci.report import FORMATS

    if "falco" not in FORMATS:
        pytest.skip("no falco format")
    out, _ = _render(gen.PAYLOADS[key], "falco")
    inert.assert_no_workflow_commands(out)
    assert "\x1b" not in out
    lines = [ln for ln in out.splitlines() if ln.strip()]
    try:
        inert.strict_json(out)
    except ValueError:
        for line in lines:  # JSON lines
            inert.strict_json(line)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif", "github", "falco"])
def test_access_key_ids_are_never_rendered(fmt: str) -> None:
    from tfdrift_ci.report import FORMATS

    if fmt not in FORMATS:
        pytest.skip(f"no {fmt} format")
    out, _ = _render(gen.PAYLOADS["mixed"], fmt)
    assert "ASIAHOSTILEKEY000001" not in out


@pytest.mark.parametrize("key", PAYLOAD_IDS)
def test_every_format_has_no_raw_payload_controls(key: str) -> None:
    for fmt in _formats():
        out, _ = _render(gen.PAYLOADS[key], fmt)
        assert "\x1b[31m" not in out, fmt
        assert "\u202e" not in out, fmt


# --------------------------------------------------------------------------------------------------
# PR comment and job summary


def _comment_body_direct(report: Any, limit: int | None = None) -> str | None:
    """The PR comment body as ``github.post_comment`` builds it (marker added by comments.upsert)."""
    from tfdrift_ci.report import RenderOptions
    from tfdrift_ci.report.markdown import COMMENT_LIMIT, render_comment

    return render_comment(
        report,
        RenderOptions(),
        summary_url="https://github.invalid/acme/infra/actions/runs/42",
        limit=limit or COMMENT_LIMIT,
    )


@pytest.mark.parametrize("key", PAYLOAD_IDS)
def test_comment_body_from_markdown_renderer(key: str) -> None:
    payload = gen.PAYLOADS[key]
    body = _comment_body_direct(gen.hostile_report(payload))
    if body is None:
        pytest.skip("no direct comment-body builder; covered through the CLI below")
    benign = _comment_body_direct(gen.hostile_report(_benign_for(payload)))
    assert benign is not None
    inert.assert_markdown_inert(body, benign)


# --------------------------------------------------------------------------------------------------
# End to end: hostile Terraform + hostile CloudTrail through the CLI, every output and the comment

HOSTILE_NAME = (
    "<img src=x onerror=alert(1)> @org/team ``` | %0A::error::pwned \x1b[31m \u202e [x](javascript:alert(1))"
)
HOSTILE_FILE = "evil\n::error::pwned <img src=x onerror=alert(1)> @org.tf"


def _hcl_string(value: str) -> str:
    """An HCL string literal for ``value`` (escapes per the HCL native syntax spec)."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    # template sequences: ${ and %{ are escaped by doubling the sigil
    return '"' + "".join(out).replace("${", "$${").replace("%{", "%%{") + '"'


def _project(root: Path, name: str, file_name: str) -> Path:
    root.mkdir(parents=True)
    (root / "main.tf").write_text('provider "aws" {\n  region = "eu-west-1"\n}\n', encoding="utf-8")
    (root / file_name).write_text(
        'resource "aws_ecr_repository" "drifted_bad" {\n'
        f"  name                 = {_hcl_string(name)}\n"
        '  image_tag_mutability = "IMMUTABLE"\n'
        "  image_scanning_configuration {\n    scan_on_push = false\n  }\n}\n",
        encoding="utf-8",
    )
    return root


def _events(path: Path, value: str) -> Path:
    rec = gen.record(
        eventID=value,
        userAgent=value,
        sourceIPAddress=value,
        requestParameters={"repositoryName": value, "imageTagMutability": "MUTABLE"},
        responseElements={"repositoryName": value, "imageTagMutability": "MUTABLE", "note": value},
    )
    rec["userIdentity"]["arn"] = f"arn:aws:sts::{gen.ACCOUNT}:assumed-role/Role/{value}"
    rec["userIdentity"]["principalId"] = f"AROAX:{value}"
    rec["resources"] = [{"ARN": f"arn:aws:ecr:{gen.REGION}:{gen.ACCOUNT}:repository/{value}"}]
    return gen.write_records(path, [rec])


def _run_everything(cli: CliRunner, tmp: Path, name: str, file_name: str) -> dict[str, str]:
    proj = _project(tmp / "proj", name, file_name)
    events = _events(tmp / "events.json", name)
    state = GitHub()
    outputs = {fmt: tmp / f"out.{fmt}" for fmt in ("json", "markdown", "sarif", "github", "text")}
    args = ["check", str(proj), "--events", str(events), *gen.WINDOW, "--no-progress", "--comment"]
    for fmt, path in outputs.items():
        args += ["--format", fmt, "--output", str(path)]
    with github_server(state) as server:
        env = github_env(server.url, tmp)
        run = cli(args, env=env, outputs=list(outputs.values()))
    assert run.rc == 1, run.err
    result = {fmt: path.read_text(encoding="utf-8") for fmt, path in outputs.items()}
    result["stdout"] = run.out
    result["stderr"] = run.err
    result["summary"] = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    result["comment"] = "\n".join(json.loads(b).get("body", "") for b in state.bodies)
    assert result["comment"], "no PR comment was posted"
    return result


def test_cli_end_to_end_hostile_values_are_inert(cli: CliRunner, tmp_path: Path) -> None:
    hostile = _run_everything(cli, tmp_path / "h", HOSTILE_NAME, HOSTILE_FILE)
    benign = _run_everything(cli, tmp_path / "b", "benign-value", "benign.tf")

    doc = inert.strict_json(hostile["json"])
    drift = findings(doc, kind="drift")
    assert drift, "the hostile drift event was not matched (the test would prove nothing)"
    assert doc["exit_code"] == 1

    inert.assert_terminal_safe(hostile["text"])
    inert.assert_no_workflow_commands(hostile["text"])
    inert.assert_markdown_inert(hostile["markdown"], benign["markdown"])
    inert.assert_markdown_inert(hostile["summary"], benign["summary"])
    inert.assert_markdown_inert(hostile["comment"], benign["comment"])
    inert.assert_annotations_inert(hostile["github"], benign["github"])
    inert.assert_sarif_inert(hostile["sarif"], benign["sarif"])
    inert.assert_terminal_safe(hostile["stderr"])
    inert.assert_no_workflow_commands(hostile["stderr"])


@pytest.mark.parametrize("key", ["fence", "table", "marker"])
def test_comment_trimmed_to_githubs_limit_stays_inert(key: str) -> None:
    """Thousands of hostile findings: the body is cut to GitHub's limit by dropping details, the
    verdict stays, and cutting never leaves an open fence, table or <details> behind."""
    from dataclasses import replace

    from tfdrift_ci.report.markdown import COMMENT_LIMIT

    def big(payload: str) -> Any:
        report = gen.hostile_report(payload * 20)
        many = tuple(
            replace(f, rule_id=f"{f.rule_id}", address=f"{f.address}[{i}]", line=i + 1)
            for i in range(120)
            for f in report.findings[:2]
        )
        return replace(report, findings=many)

    body = _comment_body_direct(big(gen.PAYLOADS[key]))
    benign = _comment_body_direct(big(_benign_for(gen.PAYLOADS[key])))
    assert body is not None and benign is not None
    assert len(body) <= COMMENT_LIMIT
    untrimmed = _comment_body_direct(big(gen.PAYLOADS[key]), limit=10**9)
    assert untrimmed is not None and len(untrimmed) > COMMENT_LIMIT, "the test never made the body trim"
    assert "tfdrift-ci" in body.splitlines()[0] or "tfdrift-ci" in body[:300], "verdict lost when trimming"
    html = inert.markdown_structure(body)
    assert not html.bad
    assert body.count("<details") == body.count("</details>")
    assert not [t for t in html.text_outside_code if inert.MENTION.search(t)]
    assert len(inert.MARKER.findall(body)) == len(inert.MARKER.findall(benign))
