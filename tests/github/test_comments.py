"""The sticky PR comment and the job summary against a local GitHub (fakegithub.py)."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from fakegithub import TOKEN, FakeGitHub, Recorded, Scripted
from mdcheck import assert_inert
from report_loader import load_report

from tfdrift_ci.github import deliver
from tfdrift_ci.github.comments import marker
from tfdrift_ci.models import Report

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "github"
CREATE = json.loads((SCHEMAS / "issues-create-comment.request.json").read_text(encoding="utf-8"))
UPDATE = json.loads((SCHEMAS / "issues-update-comment.request.json").read_text(encoding="utf-8"))
MARK = marker("examples/infra")
BOT = "github-actions[bot]"  # the author of our own earlier comments (find_comment trusts bots)


def clean() -> Report:
    return replace(load_report(), findings=(), exit_code=0)


def check_bodies(gh: FakeGitHub) -> None:
    """Every write matches GitHub's request schema, carries the marker first and the token only in
    the Authorization header."""
    for req in gh.writes():
        jsonschema.validate(req.body, CREATE if req.method == "POST" else UPDATE)
        assert req.body["body"].startswith(MARK + "\n")
        assert TOKEN not in req.body["body"]
    for req in gh.requests:
        assert req.headers["authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in req.path
        assert req.headers["x-github-api-version"] == "2022-11-28"


def test_creates_the_comment_when_absent(gh: FakeGitHub, env: dict[str, str]) -> None:
    warnings = deliver(load_report(), comment=True, env=env, template_dir=None)
    assert warnings == []
    [post] = gh.writes()
    assert post.method == "POST" and post.path == f"/repos/{gh.repo}/issues/{gh.pr}/comments"
    body = post.body["body"]
    assert "4 findings at or above high" in body
    assert "[job summary](https://github.com/octo/infra/actions/runs/4242)" in body
    assert_inert(body, allowed_links=("https://github.com/octo/infra/actions/runs/4242",), comments=1)
    check_bodies(gh)


def test_updates_the_existing_comment_in_place(gh: FakeGitHub, env: dict[str, str]) -> None:
    gh.add_comment("unrelated")
    old = gh.add_comment(f"{MARK}\nold result", login=BOT)
    assert deliver(load_report(), comment=True, env=env, template_dir=None) == []
    [patch] = gh.writes()
    assert patch.method == "PATCH" and patch.path == f"/repos/{gh.repo}/issues/comments/{old['id']}"
    assert len(gh.comments) == 2 and "4 findings at or above high" in gh.comments[1]["body"]
    check_bodies(gh)


def test_same_body_is_not_rewritten(gh: FakeGitHub, env: dict[str, str]) -> None:
    deliver(load_report(), comment=True, env=env, template_dir=None)
    deliver(load_report(), comment=True, env=env, template_dir=None)
    assert [r.method for r in gh.writes()] == ["POST"]


def test_clean_result_updates_the_old_comment(gh: FakeGitHub, env: dict[str, str]) -> None:
    old = gh.add_comment(f"{MARK}\n### ❌ tfdrift-ci: 4 findings", login=BOT)
    assert deliver(clean(), comment=True, env=env, template_dir=None) == []
    [patch] = gh.writes()
    assert patch.path.endswith(f"/comments/{old['id']}")
    assert "no drift and no unsafe configuration found" in patch.body["body"]
    check_bodies(gh)


def test_clean_result_with_no_previous_comment_creates_nothing(gh: FakeGitHub, env: dict[str, str]) -> None:
    assert deliver(clean(), comment=True, env=env, template_dir=None) == []
    assert gh.writes() == []
    assert [r.method for r in gh.requests] == ["GET"]


def test_finds_the_marker_on_page_three(gh: FakeGitHub, env: dict[str, str]) -> None:
    for i in range(230):
        gh.add_comment(f"comment {i}" if i != 215 else f"{MARK}\nold", login=BOT)
    # A comment that only quotes the marker is not ours.
    gh.comments.insert(5, {"id": 1, "body": f"> {MARK}\n> quoted", "user": {"login": "x"}})
    assert deliver(load_report(), comment=True, env=env, template_dir=None) == []
    gets = [r for r in gh.requests if r.method == "GET" and r.path.endswith("/issues/7/comments")]
    assert [g.query.get("page", ["1"])[0] for g in gets] == ["1", "2", "3"]
    assert all(g.query["per_page"] == ["100"] for g in gets)
    [patch] = gh.writes()
    assert patch.method == "PATCH" and patch.path.endswith(f"/comments/{gh.comments[216]['id']}")


def test_one_comment_per_root(gh: FakeGitHub, env: dict[str, str]) -> None:
    deliver(load_report(), comment=True, env=env, template_dir=None)
    other = replace(load_report(), path="examples/other")
    deliver(other, comment=True, env=env, template_dir=None)
    assert [r.method for r in gh.writes()] == ["POST", "POST"]
    assert gh.comments[1]["body"].startswith(marker("examples/other"))


@pytest.mark.parametrize(
    ("status", "hint"),
    [(403, "fork"), (404, "no longer exists"), (500, "HTTP 500")],
)
def test_errors_become_one_warning_and_the_summary_is_still_written(
    gh: FakeGitHub, env: dict[str, str], sleeps: list[float], status: int, hint: str
) -> None:
    message = {"message": "Resource not accessible by integration" if status == 403 else "boom"}
    gh.script = [Scripted("*", status, {}, message) for _ in range(5)]
    warnings = deliver(load_report(), comment=True, env=env, template_dir=None)
    assert len(warnings) == 1 and warnings[0].startswith("PR comment skipped:")
    assert hint in warnings[0] and f"HTTP {status}" in warnings[0]
    assert TOKEN not in warnings[0]
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8").startswith("### ❌ tfdrift-ci")
    assert gh.writes() == []
    if status == 500:
        assert sleeps == [1.0, 2.0, 4.0]  # bounded: 4 attempts


def _sticky(gh: FakeGitHub) -> list[Recorded]:
    """The requests of the sticky comment (the review of suggestions has its own endpoints)."""
    return [r for r in gh.requests if "/issues/" in r.path]


def test_5xx_then_success_is_retried(gh: FakeGitHub, env: dict[str, str], sleeps: list[float]) -> None:
    gh.script = [Scripted("GET", 502, {}, {"message": "Bad Gateway"}), Scripted("POST", 503, {}, None)]
    assert deliver(load_report(), comment=True, env=env, template_dir=None) == []
    # The failed create is followed by a fresh look for the comment before creating again.
    assert [r.method for r in _sticky(gh)] == ["GET", "GET", "POST", "GET", "POST"]
    assert sleeps == [1.0, 1.0]
    assert len(gh.comments) == 1


def test_a_create_that_happened_despite_a_502_is_not_duplicated(
    gh: FakeGitHub, env: dict[str, str], sleeps: list[float]
) -> None:
    gh.store_then_fail = 502  # GitHub stored the comment but the answer was lost
    assert deliver(load_report(), comment=True, env=env, template_dir=None) == []
    assert [r.method for r in _sticky(gh)] == ["GET", "POST", "GET"]
    assert len(gh.comments) == 1 and gh.comments[0]["body"].startswith(MARK)


@pytest.mark.parametrize(
    ("scripted", "expected_wait"),
    [
        (
            Scripted(
                "POST", 403, {"retry-after": "1"}, {"message": "You have exceeded a secondary rate limit"}
            ),
            1.0,
        ),
        (Scripted("POST", 429, {"retry-after": "0"}, {"message": "Too Many Requests"}), 0.0),
        (
            Scripted(
                "POST", 403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "RESET"}, {"message": "x"}
            ),
            None,
        ),
    ],
    ids=["403-retry-after-1", "429-retry-after-0", "403-ratelimit-reset"],
)
def test_secondary_rate_limits_are_waited_out(
    gh: FakeGitHub, env: dict[str, str], sleeps: list[float], scripted: Scripted, expected_wait: float | None
) -> None:
    if "x-ratelimit-reset" in scripted.headers:
        scripted.headers["x-ratelimit-reset"] = str(int(time.time()) + 2)
    gh.script = [scripted]
    assert deliver(load_report(), comment=True, env=env, template_dir=None) == []
    assert len(gh.comments) == 1
    assert len(sleeps) == 1
    if expected_wait is not None:
        assert sleeps[0] == expected_wait
    else:
        assert 0 < sleeps[0] <= 4


def test_a_long_rate_limit_reset_is_not_waited_for(
    gh: FakeGitHub, env: dict[str, str], sleeps: list[float]
) -> None:
    gh.script = [Scripted("GET", 403, {"retry-after": "3600"}, {"message": "secondary rate limit"})]
    [warning] = deliver(load_report(), comment=True, env=env, template_dir=None)
    assert "HTTP 403" in warning and sleeps == []


def test_422_too_long_retries_once_with_a_short_body(gh: FakeGitHub, env: dict[str, str]) -> None:
    gh.max_body = 15_000  # GitHub counts differently from us: make the full body too long for it
    big = _big_report(600)
    [warning] = deliver(big, comment=True, env=env, template_dir=None)
    assert "shortened" in warning
    posts = gh.writes()
    assert len(posts) == 2 and len(posts[0].body["body"]) > 15_000 >= len(posts[1].body["body"])
    assert posts[1].body["body"].split("\n")[1].startswith("### ❌ tfdrift-ci: 600 findings")
    check_bodies(gh)


def test_422_twice_is_a_warning(gh: FakeGitHub, env: dict[str, str]) -> None:
    gh.max_body = 500
    [warning] = deliver(_big_report(600), comment=True, env=env, template_dir=None)
    assert "HTTP 422" in warning and "body is too long" in warning
    assert gh.comments == []


def test_full_body_respects_65536(gh: FakeGitHub, env: dict[str, str]) -> None:
    assert deliver(_big_report(3000), comment=True, env=env, template_dir=None) == []
    body = gh.comments[0]["body"]
    assert len(body) <= 65_536 and "see the [job summary]" in body


def test_link_to_another_host_is_refused(gh: FakeGitHub, env: dict[str, str]) -> None:
    for i in range(150):
        gh.add_comment(f"c{i}")
    gh.link_override = "https://evil.example/steal?page=2"
    [warning] = deliver(load_report(), comment=True, env=env, template_dir=None)
    assert "another host" in warning and "evil.example" in warning
    assert gh.writes() == []


def test_not_a_pull_request_is_a_warning_and_no_call(
    gh: FakeGitHub, env: dict[str, str], tmp_path: Path
) -> None:
    push = tmp_path / "push.json"
    push.write_text(json.dumps({"ref": "refs/heads/main"}), encoding="utf-8")
    [warning] = deliver(
        load_report(), comment=True, env={**env, "GITHUB_EVENT_PATH": str(push)}, template_dir=None
    )
    assert "not for a pull request" in warning
    assert gh.requests == []


def test_missing_token_is_a_warning(gh: FakeGitHub, env: dict[str, str]) -> None:
    env = {k: v for k, v in env.items() if k != "GITHUB_TOKEN"}
    [warning] = deliver(load_report(), comment=True, env=env, template_dir=None)
    assert "GITHUB_TOKEN is not set" in warning


def test_summary_only_without_comment(gh: FakeGitHub, env: dict[str, str]) -> None:
    Path(env["GITHUB_STEP_SUMMARY"]).write_text("previous step\n", encoding="utf-8")
    assert deliver(load_report(), comment=False, env=env, template_dir=None) == []
    assert deliver(clean(), comment=False, env=env, template_dir=None) == []
    text = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert text.startswith("previous step\n### ❌ tfdrift-ci")  # appended, never overwritten
    assert "tfdrift-ci: no drift and no unsafe configuration found" in text
    assert gh.requests == []


def test_unwritable_summary_is_a_warning(env: dict[str, str], tmp_path: Path) -> None:
    env = {**env, "GITHUB_STEP_SUMMARY": str(tmp_path / "missing-dir" / "summary.md")}
    [warning] = deliver(load_report(), comment=False, env=env, template_dir=None)
    assert "job summary" in warning


def test_hostile_report_comment_is_inert(gh: FakeGitHub, env: dict[str, str]) -> None:
    from report import test_injection  # tests/report/test_injection.py: the corpus and the hostile report

    for value in test_injection.CORPUS.values():
        report = replace(test_injection.hostile_report(value), path="examples/infra")
        gh.comments.clear()
        deliver(report, comment=True, env=env, template_dir=None)
        # One sticky comment per Terraform root: a hostile root name gets its own comment, whose
        # marker is percent-encoded; every body stays inert.
        assert gh.comments
        for posted in gh.comments:
            body = posted["body"]
            assert body.startswith(MARK[: -len(" -->")])
            assert body.split("\n", 1)[0].endswith(" -->")
            url = "https://github.com/octo/infra/actions/runs/4242"
            assert_inert(body, allowed_links=(url,), comments=1)


def _big_report(n: int) -> Report:
    base = load_report()
    template = base.findings[0]
    many = tuple(
        replace(
            template, address=f"aws_ecr_repository.r{i:05d}", event=replace(template.event, id=f"e-{i:05d}")
        )
        for i in range(n)
    )
    return replace(base, findings=many)


def _two_roots(prod_findings: bool, staging_findings: bool) -> Report:
    base = replace(load_report(), path="infra")
    template = next(f for f in base.findings if f.address)
    resources = tuple(replace(r, root=root) for r in base.resources[:1] for root in ("prod", "staging"))
    findings = []
    if prod_findings:
        findings.append(replace(template, root="prod"))
    if staging_findings:
        findings.append(replace(template, root="staging"))
    worst = 1 if findings else 0
    return replace(base, resources=resources, findings=tuple(findings), exit_code=worst)


def test_one_sticky_comment_per_terraform_root(gh: FakeGitHub, env: dict[str, str]) -> None:
    deliver(_two_roots(prod_findings=True, staging_findings=False), comment=True, env=env, template_dir=None)
    # staging is clean and has no earlier comment: nothing is created for it
    assert [c["body"].split("\n", 1)[0] for c in gh.comments] == [marker("infra/prod")]

    deliver(_two_roots(prod_findings=False, staging_findings=True), comment=True, env=env, template_dir=None)
    by_root = {c["body"].split("\n", 1)[0]: c["body"] for c in gh.comments}
    assert set(by_root) == {marker("infra/prod"), marker("infra/staging")}
    # prod's own comment was updated in place to say it is clean now
    assert "no drift and no unsafe configuration found" in by_root[marker("infra/prod")]
    assert "❌" in by_root[marker("infra/staging")]
    assert len(gh.comments) == 2
