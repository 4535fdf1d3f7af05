"""GitHub API faults during ``--comment``: 403 (fork PR, read-only token), 404 (PR gone), 422,
5xx bursts and outages, secondary rate limits, broken responses, a Link header to another host,
an unreachable API. The comment is retried or skipped with one warning, the job summary is still
written, and the exit code is the one the findings decided."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rel_support import GOOD_TF, TRACEBACK, CliRunner, GitHub, Run, github_env, github_server, serve

TOKEN = "ghs_fakeGithubTokenForTests000001"


def _baseline(cli: CliRunner, *extra: str) -> int:
    return cli(["check", str(GOOD_TF), "--offline", *extra]).rc


def _comment_run(cli: CliRunner, tmp_path: Path, state: GitHub, *extra: str) -> tuple[Run, dict[str, str]]:
    with github_server(state) as server:
        env = github_env(server.url, tmp_path, token=TOKEN)
        run = cli(["check", str(GOOD_TF), "--offline", "--comment", *extra], env=env)
    return run, env


def _assert_degraded(run: Run, env: dict[str, str], expected_rc: int) -> None:
    assert run.rc == expected_rc, (run.rc, run.err)
    assert TRACEBACK not in run.err
    warnings = [ln for ln in run.err.splitlines() if "warning" in ln.lower()]
    assert warnings, f"GitHub failure not reported: {run.err!r}"
    assert TOKEN not in run.err and TOKEN not in run.out
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8").strip(), "job summary not written"


def _always(status: int, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
    return lambda method, path, n: (status, body or {"message": f"HTTP {status}"}, headers or {})


def test_success_baseline(cli: CliRunner, tmp_path: Path) -> None:
    expected = _baseline(cli)
    state = GitHub()
    run, _ = _comment_run(cli, tmp_path, state)
    assert run.rc == expected == 1
    assert len(state.comments) == 1 and "tfdrift-ci" in state.comments[0]["body"]


@pytest.mark.parametrize("fail_on", ["high", "never"])
def test_403_fork_pr_read_only_token(cli: CliRunner, tmp_path: Path, fail_on: str) -> None:
    expected = _baseline(cli, "--fail-on", fail_on)
    state = GitHub(fault=_always(403, {"message": "Resource not accessible by integration"}))
    run, env = _comment_run(cli, tmp_path, state, "--fail-on", fail_on)
    _assert_degraded(run, env, expected)
    assert "403" in run.err


def test_404_pr_gone(cli: CliRunner, tmp_path: Path) -> None:
    state = GitHub(fault=_always(404, {"message": "Not Found"}))
    run, env = _comment_run(cli, tmp_path, state)
    _assert_degraded(run, env, _baseline(cli))


def test_422_on_every_post(cli: CliRunner, tmp_path: Path) -> None:
    def fault(method: str, path: str, n: int) -> Any:
        if method in ("POST", "PATCH"):
            return 422, {"message": "Validation Failed", "errors": [{"code": "custom", "field": "body"}]}, {}
        return None

    state = GitHub(fault=fault)
    run, env = _comment_run(cli, tmp_path, state)
    _assert_degraded(run, env, _baseline(cli))


def test_422_then_shorter_body_succeeds(cli: CliRunner, tmp_path: Path) -> None:
    def fault(method: str, path: str, n: int) -> Any:
        if method == "POST" and n == 0:
            return 422, {"message": "Validation Failed: body is too long"}, {}
        return None

    state = GitHub(fault=fault)
    run, _ = _comment_run(cli, tmp_path, state)
    assert run.rc == _baseline(cli)
    assert len(state.comments) == 1


def test_5xx_burst_is_retried(cli: CliRunner, tmp_path: Path) -> None:
    def fault(method: str, path: str, n: int) -> Any:
        if method == "GET" and n < 2:
            return 502, {"message": "Bad Gateway"}, {}
        return None

    state = GitHub(fault=fault)
    run, _ = _comment_run(cli, tmp_path, state)
    assert run.rc == _baseline(cli)
    assert TRACEBACK not in run.err
    assert len(state.comments) == 1, "a transient 5xx burst lost the comment"
    assert state.counts["GET"] == 3


def test_persistent_5xx_gives_up_with_a_warning(cli: CliRunner, tmp_path: Path) -> None:
    state = GitHub(fault=_always(503, {"message": "Service Unavailable"}))
    run, env = _comment_run(cli, tmp_path, state)
    _assert_degraded(run, env, _baseline(cli))
    total = sum(state.counts.values())
    assert 1 < total <= 10, f"retries not bounded: {state.counts}"


def test_secondary_rate_limit_is_retried(cli: CliRunner, tmp_path: Path) -> None:
    def fault(method: str, path: str, n: int) -> Any:
        if method == "POST" and n == 0:
            return (
                403,
                {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."},
                {"Retry-After": "1"},
            )
        return None

    state = GitHub(fault=fault)
    run, _ = _comment_run(cli, tmp_path, state)
    assert run.rc == _baseline(cli)
    assert len(state.comments) == 1
    assert state.counts["POST"] == 2


def test_long_retry_after_is_not_waited_for(cli: CliRunner, tmp_path: Path) -> None:
    """A rate limit that resets in an hour: give up with a warning instead of hanging the job."""
    state = GitHub(fault=_always(429, {"message": "rate limited"}, {"Retry-After": "3600"}))
    run, env = _comment_run(cli, tmp_path, state)
    _assert_degraded(run, env, _baseline(cli))


@pytest.mark.parametrize("body", [b"<html>502 Bad Gateway</html>", b'{"not": "a list"}', b"[1, 2, 3]", b""])
def test_broken_list_response(cli: CliRunner, tmp_path: Path, body: bytes) -> None:
    class Broken(GitHub):
        def handle(self, req: Any) -> tuple[int, dict[str, str], bytes]:
            if req.method == "GET":
                return 200, {"Content-Type": "application/json"}, body
            return super().handle(req)

    state = Broken()
    run, _ = _comment_run(cli, tmp_path, state)
    assert run.rc == _baseline(cli)
    assert TRACEBACK not in run.err
    # either a warning, or (for a usable empty/odd list) a comment was created
    assert "warning" in run.err.lower() or state.comments


def test_link_header_to_another_host_is_not_followed(cli: CliRunner, tmp_path: Path) -> None:
    """The token must never be sent to a host the API URL does not name."""
    with serve(lambda req: (200, {"Content-Type": "application/json"}, b"[]")) as evil:

        class Redirecting(GitHub):
            def handle(self, req: Any) -> tuple[int, dict[str, str], bytes]:
                if req.method == "GET":
                    link = f'<{evil.url}/steal?page=2>; rel="next"'
                    return 200, {"Content-Type": "application/json", "Link": link}, b"[]"
                return super().handle(req)

        state = Redirecting()
        run, _ = _comment_run(cli, tmp_path, state)
        assert run.rc == _baseline(cli)
        assert not [r for r in evil.requests if TOKEN in json.dumps(r.headers)], "token sent to another host"


def test_api_unreachable(cli: CliRunner, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = github_env(f"http://127.0.0.1:{port}", tmp_path, token=TOKEN)
    run = cli(["check", str(GOOD_TF), "--offline", "--comment"], env=env)
    _assert_degraded(run, env, _baseline(cli))


def test_no_pull_request_in_event(cli: CliRunner, tmp_path: Path) -> None:
    state = GitHub()
    with github_server(state) as server:
        env = github_env(server.url, tmp_path, token=TOKEN)
        Path(env["GITHUB_EVENT_PATH"]).write_text('{"ref": "refs/heads/main"}')
        env["GITHUB_EVENT_NAME"] = "push"
        run = cli(["check", str(GOOD_TF), "--offline", "--comment"], env=env)
    assert run.rc == _baseline(cli)
    assert TRACEBACK not in run.err
    assert not state.comments


@pytest.mark.parametrize("content", ["", "not json", "[]", '{"number": "seven"}', '{"pull_request": null}'])
def test_broken_event_payload(cli: CliRunner, tmp_path: Path, content: str) -> None:
    state = GitHub()
    with github_server(state) as server:
        env = github_env(server.url, tmp_path, token=TOKEN)
        Path(env["GITHUB_EVENT_PATH"]).write_text(content)
        run = cli(["check", str(GOOD_TF), "--offline", "--comment"], env=env)
    assert TRACEBACK not in run.err
    assert run.rc in (_baseline(cli), 2)


def test_missing_token(cli: CliRunner, tmp_path: Path) -> None:
    state = GitHub()
    with github_server(state) as server:
        env = github_env(server.url, tmp_path, token="")
        run = cli(["check", str(GOOD_TF), "--offline", "--comment"], env=env)
    assert TRACEBACK not in run.err
    assert run.rc in (_baseline(cli), 2)
    assert not state.comments


def test_summary_file_unwritable(cli: CliRunner, tmp_path: Path) -> None:
    state = GitHub()
    with github_server(state) as server:
        env = github_env(server.url, tmp_path, token=TOKEN)
        env["GITHUB_STEP_SUMMARY"] = str(tmp_path / "no-such-dir" / "sub" / "summary.md")
        (tmp_path / "no-such-dir").write_text("a file, not a directory")
        run = cli(["check", str(GOOD_TF), "--offline", "--comment"], env=env)
    assert TRACEBACK not in run.err
    assert run.rc in (_baseline(cli), 2)


def test_marker_in_someone_elses_comment_is_not_taken_as_ours(cli: CliRunner, tmp_path: Path) -> None:
    """Anyone can comment on a PR. A comment that starts with our hidden marker but was written by
    a person (say, a fake "all clear") must not become the sticky comment: editing it would leave
    the author able to rewrite our report, and failing to edit it would leave only the fake."""
    from tfdrift_ci.github.comments import marker

    fake = marker(".") + "\n## ✅ tfdrift-ci: no drift, no findings"
    state = GitHub(
        existing=[{"id": 1, "body": fake, "user": {"login": "mallory", "type": "User"}}],
    )
    with github_server(state) as server:
        env = github_env(server.url, tmp_path, token=TOKEN)
        env["GITHUB_WORKSPACE"] = str(GOOD_TF)
        run = cli(["check", str(GOOD_TF), "--offline", "--comment"], env=env)
    assert run.rc == _baseline(cli)
    assert state.comments[0]["body"] == fake, "another user's comment was edited"
    ours = [c for c in state.comments if c["user"]["login"] == "github-actions[bot]"]
    assert len(ours) == 1, "the report was not posted as our own comment"


def test_marker_comment_by_a_repository_member_is_updated(cli: CliRunner, tmp_path: Path) -> None:
    """With a personal token the sticky comment is written by the token's user (GET /user): that
    one is ours and is updated (a member's comment is not, with any other token: test_comment_trust)."""
    from tfdrift_ci.github.comments import marker

    original = marker(".") + "\nold result"
    state = GitHub(
        existing=[
            {
                "id": 1,
                "body": original,
                "user": {"login": "alice", "type": "User"},
                "author_association": "MEMBER",
            }
        ],
        login="alice",
    )
    with github_server(state) as server:
        env = github_env(server.url, tmp_path, token=TOKEN)
        env["GITHUB_WORKSPACE"] = str(GOOD_TF)
        run = cli(["check", str(GOOD_TF), "--offline", "--comment"], env=env)
    assert run.rc == _baseline(cli)
    assert len(state.comments) == 1, "a second comment was created instead of updating ours"
    assert state.comments[0]["body"] != original and "old result" not in state.comments[0]["body"]


def _roots(tmp_path: Path, count: int) -> Path:
    """``count`` Terraform roots, each with one broken file (an error finding per root)."""
    proj = tmp_path / "roots"
    for i in range(count):
        root = proj / f"r{i:02d}"
        root.mkdir(parents=True)
        broken = 'resource "aws_ecr_repository" "broken" {\n  name = "\n'
        (root / "main.tf").write_text(broken, encoding="utf-8")
    return proj


@pytest.mark.parametrize(("roots", "comments"), [(40, 1), (3, 3)])
def test_many_roots_share_one_comment_above_the_cap(
    cli: CliRunner, tmp_path: Path, roots: int, comments: int
) -> None:
    """40 broken roots wrote 40 comments: above MAX_ROOT_COMMENTS (5) roots, the run writes one
    comment for all of them; up to the cap, one per root (tfdrift_ci/github/__init__.py)."""
    from tfdrift_ci.github import MAX_ROOT_COMMENTS

    assert MAX_ROOT_COMMENTS == 5  # documented in docs/github-action.md and docs/security.md
    proj = _roots(tmp_path, roots)
    state = GitHub()
    with github_server(state) as server:
        env = github_env(server.url, tmp_path, token=TOKEN)
        run = cli(["check", str(proj), "--offline", "--comment"], env=env)
    assert TRACEBACK not in run.err
    assert run.rc == 1, run.err
    assert state.counts.get("POST", 0) == comments, (state.counts, run.err[-2000:])
    assert len(state.comments) == comments
    if comments == 1:
        body = state.comments[0]["body"]
        # the shared comment covers every root
        assert "r00" in body and f"r{roots - 1:02d}" in body, body[:3000]
