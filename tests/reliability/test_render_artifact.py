"""``tfdrift-ci render REPORT.json`` (issue 13 §7): the documented way to comment on a fork's pull
request is a ``workflow_run`` job that renders the JSON report the pull request's run uploaded. That
artifact is attacker-controlled: the command validates it against the packaged schema, rebuilds the
report and escapes every value again through the normal renderers. Before, there was no such command
(the docs told users to post the artifact themselves)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import hostile_gen as gen
import inert
import pytest
from rel_support import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "github"))

from fakegithub import TOKEN, FakeGitHub
from report_loader import load_report

FORMATS = ("text", "markdown", "sarif", "github", "html", "gitlab")
# Fields whose value the schema constrains (enums, times, identifiers): kept, everything else hostile.
KEEP = {"version", "kind", "severity", "time", "since", "until", "fail_on", "via", "name"}


def _json_report(report: Any) -> dict[str, Any]:
    from tfdrift_ci.report import render

    data: dict[str, Any] = json.loads(render(report, "json"))
    return data


def _poison(value: Any, payload: str, key: str | None = None) -> Any:
    """Every free-text string of a JSON report replaced by ``payload`` (keys of free-form objects too)."""
    if isinstance(value, dict):
        free = key in ("expected", "actual", "inputs", "diff")
        return {(f"{payload}{k}" if free else k): _poison(v, payload, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v, payload, key) for v in value]
    if isinstance(value, str) and key not in KEEP:
        return f"{payload} {value}"
    return value


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_round_trip_renders_what_check_rendered(tmp_path: Path) -> None:
    """JSON → render gives the same output as rendering the report itself, in every format."""
    from tfdrift_ci.report import render
    from tfdrift_ci.report.from_json import load

    report = load_report()
    path = _write(tmp_path / "report.json", _json_report(report))
    again = load(str(path))
    for fmt in (*FORMATS, "json"):
        assert render(again, fmt) == render(report, fmt), fmt


@pytest.mark.parametrize("key", sorted(gen.PAYLOADS))
def test_hostile_artifact_renders_inert(cli: CliRunner, tmp_path: Path, key: str) -> None:
    base = _json_report(load_report())
    hostile = _write(tmp_path / "hostile.json", _poison(base, gen.PAYLOADS[key]))
    benign = _write(tmp_path / "benign.json", _poison(base, gen.BENIGN))
    out: dict[str, dict[str, str]] = {}
    for name, path in (("hostile", hostile), ("benign", benign)):
        out[name] = {}
        for fmt in FORMATS:
            target = tmp_path / f"{name}.{fmt}"
            run = cli(["render", str(path), "--format", fmt, "--output", str(target)], outputs=[target])
            assert run.rc == 0, run.err
            out[name][fmt] = run.files[target.name]
    h, b = out["hostile"], out["benign"]
    inert.assert_markdown_inert(h["markdown"], b["markdown"])
    inert.assert_annotations_inert(h["github"], b["github"])
    inert.assert_sarif_inert(h["sarif"], b["sarif"])
    inert.assert_terminal_safe(h["text"])
    for fmt in FORMATS:  # html is a file, not a log (printed, it goes through cli._write)
        if fmt not in ("github", "html"):
            inert.assert_no_workflow_commands(h[fmt])
    assert "<img" not in h["html"] and "<script>alert" not in h["html"]
    json.loads(h["gitlab"])


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("not-json", b"{not json", "not a JSON report"),
        ("nan", b'{"version": NaN}', "not a JSON report"),
        ("latin1", b'{"version": "\xff"}', "not a JSON report"),
        ("empty-object", b"{}", "not a valid tfdrift-ci JSON report"),
        ("array", b"[]", "not a valid tfdrift-ci JSON report"),
        ("deep", b"[" * 100_000 + b"]" * 100_000, "report"),
    ],
)
def test_invalid_report_is_one_line_exit_2(
    cli: CliRunner, tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(content)
    run = cli(["render", str(path), "--format", "markdown"])
    assert run.rc == 2, run.err
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tfdrift-ci: error: ") and says in lines[0], run.err
    assert run.out == ""


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("findings"),
        lambda d: d["findings"][0].update(severity="catastrophic"),
        lambda d: d["findings"][0].update(line="12; rm -rf /"),
        lambda d: d.update(exit_code="0"),
        lambda d: d["scanned"].update(window={"since": "yesterday", "until": "now"}),
        lambda d: d["findings"][0].update(rule_id=["TFD-ECR-001"]),
    ],
)
def test_schema_violations_are_refused(cli: CliRunner, tmp_path: Path, damage: Any) -> None:
    data = _json_report(load_report())
    damage(data)
    run = cli(["render", str(_write(tmp_path / "r.json", data)), "--format", "text"])
    assert run.rc == 2, (run.rc, run.err[-500:])
    assert run.err.startswith("tfdrift-ci: error: ") and "Traceback" not in run.err
    assert run.out == ""


def test_missing_file(cli: CliRunner, tmp_path: Path) -> None:
    run = cli(["render", str(tmp_path / "nope.json")])
    assert run.rc == 2 and "cannot read" in run.err


# --------------------------------------------------------------------------------------------------
# --comment from a workflow_run job


def _workflow_run_env(gh: FakeGitHub, tmp_path: Path, sha: str, prs: list[Any]) -> dict[str, str]:
    event = {
        "action": "completed",
        "workflow_run": {
            "head_sha": sha,
            "head_branch": "patch-1",
            "head_repository": {"full_name": "mallory/infra", "owner": {"login": "mallory"}},
            "pull_requests": prs,
        },
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    return {
        "GITHUB_REPOSITORY": gh.repo,
        "GITHUB_API_URL": gh.url,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_EVENT_NAME": "workflow_run",
    }


def test_comment_on_a_forks_pull_request_found_by_head_commit(
    cli: CliRunner, gh: FakeGitHub, tmp_path: Path
) -> None:
    sha = "a" * 40
    gh.pulls = [
        {"number": 3, "head": {"sha": "b" * 40, "label": "mallory:patch-1"}},
        {"number": gh.pr, "head": {"sha": sha, "label": "mallory:patch-1"}},
    ]
    artifact = _write(tmp_path / "report.json", _poison(_json_report(load_report()), gen.PAYLOADS["mention"]))
    run = cli(["render", str(artifact), "--comment", "--format", "github"],
              env=_workflow_run_env(gh, tmp_path, sha, []))  # fmt: skip
    assert run.rc == 0, run.err
    posts = gh.writes()  # one per Terraform root (the hostile root names one more)
    assert posts and {p.path for p in posts} == {f"/repos/{gh.repo}/issues/{gh.pr}/comments"}
    pulls = [r for r in gh.requests if r.path.endswith("/pulls")]
    assert pulls and pulls[0].query["head"] == ["mallory:patch-1"]
    for post in posts:
        assert post.body["body"].startswith("<!-- tfdrift-ci:root=")
        assert len(inert.MARKER.findall(post.body["body"])) == 1
        html = inert.markdown_structure(post.body["body"])
        assert not [t for t in html.text_outside_code if inert.MENTION.search(t)]


def test_no_pull_request_at_that_commit_means_no_comment(
    cli: CliRunner, gh: FakeGitHub, tmp_path: Path
) -> None:
    gh.pulls = [{"number": 3, "head": {"sha": "b" * 40, "label": "mallory:patch-1"}}]
    artifact = _write(tmp_path / "report.json", _json_report(load_report()))
    run = cli(["render", str(artifact), "--comment", "--format", "github"],
              env=_workflow_run_env(gh, tmp_path, "a" * 40, []))  # fmt: skip
    assert run.rc == 0
    assert gh.writes() == [] and "comment skipped" in run.err


def test_explicit_pr(cli: CliRunner, gh: FakeGitHub, tmp_path: Path) -> None:
    artifact = _write(tmp_path / "report.json", _json_report(load_report()))
    run = cli(["render", str(artifact), "--comment", "--pr", str(gh.pr), "--format", "github"],
              env=_workflow_run_env(gh, tmp_path, "a" * 40, []))  # fmt: skip
    assert run.rc == 0, run.err
    assert [w.path for w in gh.writes()] == [f"/repos/{gh.repo}/issues/{gh.pr}/comments"]
