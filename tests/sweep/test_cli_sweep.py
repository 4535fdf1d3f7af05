"""``tfdrift-ci sweep`` through the real CLI against the fake GitHub (tests/github/fakegithub.py)."""

from __future__ import annotations

import json
from pathlib import Path

from fakegithub import FakeGitHub
from sweep_support import SweepRunner, ecr, immutable, mutable, scan, write_events

from tfdrift_ci.sweep.records import decode_state


def _comments(gh: FakeGitHub, number: int) -> list[str]:
    return [c["body"] for c in gh.issue_comments.get(number, [])]


def test_open_update_close_reopen_over_four_sweeps(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub
) -> None:
    events = workspace / "events"
    e1 = mutable("e1-alice", "2026-11-02T09:00:00Z")
    e2 = scan("e2-bob", "2026-11-04T10:00:00Z", on=False)
    e3 = immutable("e3-terraform", "2026-11-06T12:00:00Z")
    e4 = scan("e4-terraform", "2026-11-06T12:00:05Z", on=True, who="terraform")
    e5 = mutable("e5-carol", "2026-11-09T08:30:00Z", who="carol")

    # 1. Alice makes tags mutable: one issue opens, with who/what/when and both fixes.
    write_events(events, [e1])
    r1 = sweep("2026-11-03T00:00:00Z", github=gh)
    assert r1.code == 1, r1.err
    [issue] = gh.ours()
    number = issue["number"]
    assert issue["state"] == "open"
    assert issue["title"] == "Drift: aws_ecr_repository.drift_lifecycle (infra) changed outside Terraform"
    body = issue["body"]
    assert "alice@\u200bexample.com · console · 2026-11-02 09:00 UTC" in body
    assert "<code>&quot;IMMUTABLE&quot;</code> → <code>&quot;MUTABLE&quot;</code>" in body
    assert "terraform -chdir=infra apply -target='aws_ecr_repository.drift_lifecycle'" in body
    assert "infra/main.tf:10: set <code>image\\_tag\\_mutability = &quot;MUTABLE&quot;</code>" in body
    assert _comments(gh, number) == []
    assert "sweep: new drift: aws_ecr_repository.drift_lifecycle (infra) → #" in r1.err

    # 2. Bob turns scan on push off: a comment on the same issue, never a second issue.
    write_events(events, [e1, e2])
    r2 = sweep("2026-11-05T00:00:00Z", github=gh)
    assert r2.code == 1, r2.err
    assert [i["number"] for i in gh.ours()] == [number]
    [comment] = _comments(gh, number)
    assert (
        "**bob** (AWS CLI) changed <code>image\\_scanning\\_configuration.scan\\_on\\_push</code>" in comment
    )
    assert "<code>true</code> → <code>false</code>" in comment
    body = gh.issue(number)["body"]
    assert "image\\_tag\\_mutability" in body and "scan\\_on\\_push" in body
    assert "more drift: aws_ecr_repository.drift_lifecycle (infra) → #" in r2.err

    # 3. terraform apply sets both back: the issue closes, with a note saying how.
    write_events(events, [e1, e2, e3, e4])
    r3 = sweep("2026-11-08T00:00:00Z", github=gh)
    # The window still holds e1 and e2 (now noted as set back): the exit code is the check's.
    assert r3.code == 1, r3.err
    issue = gh.issue(number)
    assert issue["state"] == "closed" and issue["state_reason"] == "completed"
    closing = _comments(gh, number)[-1]
    assert "The drift is gone: closing." in closing
    assert "Terraform set it back to &quot;IMMUTABLE&quot; on 2026-11-06 12:00 UTC" in closing
    assert "Terraform set it back to true" in closing
    assert "drift gone: aws_ecr_repository.drift_lifecycle (infra)" in r3.err
    # The window reached back to the oldest open change (e1), so the engine saw the set-back.
    assert r3.report["scanned"]["window"]["since"] == "2026-11-02T09:00:00Z"

    # 4. Carol makes tags mutable again: the same issue reopens.
    write_events(events, [e1, e2, e3, e4, e5])
    r4 = sweep("2026-11-10T00:00:00Z", github=gh)
    assert r4.code == 1, r4.err
    issue = gh.issue(number)
    assert issue["state"] == "open" and issue["state_reason"] == "reopened"
    assert [i["number"] for i in gh.ours()] == [number]
    back = _comments(gh, number)[-1]
    assert "The drift is back." in back and "carol@\u200bexample.com" in back
    assert "drift returned: aws_ecr_repository.drift_lifecycle (infra) → #" in r4.err
    # After a closed sweep the window starts at the last sweep's end, less an hour.
    assert r4.report["scanned"]["window"]["since"] == "2026-11-07T23:00:00Z"

    # The same window again changes nothing.
    writes = len(gh.writes())
    r5 = sweep("2026-11-10T00:00:00Z", github=gh)
    assert r5.code == 1
    assert len(gh.writes()) == writes
    assert "sweep:" not in r5.err
    state = decode_state(gh.issue(number)["body"])
    assert [s[0] for s in state["seen"]] == ["e1-alice", "e2-bob", "e3-terraform", "e4-terraform", "e5-carol"]


def test_two_sweeps_over_the_same_window_change_nothing(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub
) -> None:
    write_events(
        workspace / "events",
        [mutable("a", "2026-11-02T09:00:00Z"), mutable("b", "2026-11-02T10:00:00Z", repo="shop-worker")],
    )
    sweep("2026-11-03T00:00:00Z", github=gh)
    requests = len(gh.api())
    writes = len(gh.writes())
    assert writes == 2
    r = sweep("2026-11-03T00:00:00Z", github=gh)
    assert len(gh.writes()) == writes
    assert [q.method for q in gh.api()[requests:]] == ["GET"]  # one page of issues, nothing else
    assert "sweep:" not in r.err


def test_the_cap_opens_worst_first_and_lists_the_rest_in_one_summary_issue(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub
) -> None:
    write_events(
        workspace / "events",
        [
            mutable("a", "2026-11-02T09:00:00Z"),
            mutable("b", "2026-11-02T10:00:00Z", repo="shop-worker"),
            mutable("c", "2026-11-02T11:00:00Z", repo="shop-batch"),
        ],
    )
    r1 = sweep("2026-11-03T00:00:00Z", "--max-new-issues", "2", github=gh)
    titles = [i["title"] for i in gh.ours()]
    assert titles == [
        "Drift: aws_ecr_repository.drift_lifecycle (infra) changed outside Terraform",
        "Drift: aws_ecr_repository.drift_second (infra) changed outside Terraform",
        "Drift: more resources changed outside Terraform than one sweep opens issues for",
    ]
    summary = gh.ours()[2]
    assert "aws\\_ecr\\_repository.drift\\_third" in summary["body"]
    assert "One sweep opens at most 2 issues" in summary["body"]
    assert "new drift (over the cap: listed in the summary issue): aws_ecr_repository.drift_third" in r1.err

    # The next sweep opens the waiting resource's issue (the cap is per run) and closes the summary.
    r2 = sweep("2026-11-04T00:00:00Z", "--max-new-issues", "2", github=gh)
    issues = gh.ours()
    assert [i["state"] for i in issues] == ["open", "open", "closed", "open"]
    assert issues[3]["title"] == "Drift: aws_ecr_repository.drift_third (infra) changed outside Terraform"
    assert "alice@\u200bexample.com" in issues[3]["body"]  # the record came from the summary's state
    assert "now has its own issue" in _comments(gh, summary["number"])[-1]
    assert "new drift: aws_ecr_repository.drift_third (infra) → #" in r2.err

    # And then nothing is left to do.
    writes = len(gh.writes())
    sweep("2026-11-04T00:00:00Z", "--max-new-issues", "2", github=gh)
    assert len(gh.writes()) == writes


def test_a_token_without_issues_write_is_a_warning_and_the_exit_code_stays_the_findings(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub
) -> None:
    from fakegithub import TOKEN, Scripted

    write_events(workspace / "events", [mutable("a", "2026-11-02T09:00:00Z")])
    gh.script = [Scripted("POST", 403, {}, {"message": "Resource not accessible by integration"})]
    r = sweep("2026-11-03T00:00:00Z", github=gh)
    assert r.code == 1
    assert r.report["exit_code"] == 1
    assert (
        "tfdrift-ci: warning: open an issue for aws_ecr_repository.drift_lifecycle: POST create issue: "
        "HTTP 403: Resource not accessible by integration (give the job `permissions: issues: write`)"
    ) in r.err
    assert "Traceback" not in r.err and TOKEN not in r.err + r.out
    assert gh.ours() == []


def test_issues_that_cannot_be_read_are_a_warning_too(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub
) -> None:
    from fakegithub import Scripted

    write_events(workspace / "events", [mutable("a", "2026-11-02T09:00:00Z")])
    gh.script = [Scripted("GET", 404, {}, {"message": "Not Found"})]
    r = sweep("2026-11-03T00:00:00Z", github=gh)
    assert r.code == 1
    assert (
        "warning: cannot read the sweep's issues: GET issues labelled 'tfdrift': HTTP 404: Not Found" in r.err
    )
    assert "issues and alerts skipped" in r.err
    assert gh.writes() == []


def test_server_errors_are_retried_and_never_duplicate_an_issue(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub, sleeps: list[float]
) -> None:
    from fakegithub import Scripted

    write_events(workspace / "events", [mutable("a", "2026-11-02T09:00:00Z")])
    gh.script = [Scripted("GET", 502, {}, {"message": "Bad Gateway"})]
    gh.store_issue_then_fail = 502  # the create is stored, but answered with 502
    r = sweep("2026-11-03T00:00:00Z", github=gh)
    assert r.code == 1 and "warning" not in r.err, r.err
    assert len(gh.ours()) == 1
    methods = [(q.method, q.path.rsplit("/", 1)[-1]) for q in gh.api()]
    assert methods == [("GET", "issues"), ("GET", "issues"), ("POST", "issues"), ("GET", "issues")]
    assert 1.0 in sleeps  # backoff before the retried list and before looking for the stored issue


def test_a_sweep_over_the_bundled_example_opens_one_issue_per_drifted_resource(
    sweep: SweepRunner, gh: FakeGitHub
) -> None:
    repo = Path(__file__).resolve().parents[2]
    r = sweep(
        "2026-11-23T00:00:00Z",
        github=gh,
        cwd=repo,
        path="examples/infra",
        events="examples/cloudtrail",
        since="2026-11-01T00:00:00Z",
    )
    assert r.code == 1
    titles = sorted(i["title"] for i in gh.ours())
    assert titles == [
        "Drift: aws_ecr_repository.api (examples/infra) changed outside Terraform",
        "Drift: aws_ecs_service.api (examples/infra) changed outside Terraform",
    ]
    service = next(i for i in gh.ours() if "aws_ecs_service" in i["title"])
    # Exec turned on by carol is still drifted; bob's desired_count was set back by Terraform.
    assert "carol@\u200bexample.com" in service["body"]
    assert "desired\\_count</code>: Terraform set it back to 2 on 2026-11-10 14:03 UTC" in service["body"]
    # Bob's failed attempt on the repository is not drift: the repository's issue is about alice.
    repository = next(i for i in gh.ours() if "aws_ecr_repository" in i["title"])
    assert "bob" not in repository["body"]


def test_without_github_or_a_state_file_it_says_what_to_set(workspace: Path, sweep: SweepRunner) -> None:
    write_events(workspace / "events", [mutable("a", "2026-11-02T09:00:00Z")])
    r = sweep("2026-11-03T00:00:00Z")
    assert r.code == 2
    assert r.err.startswith(
        "tfdrift-ci: error: sweep keeps one GitHub issue per drifted resource: set GITHUB_REPOSITORY"
    )
    assert "--state FILE" in r.err and len(r.err.strip().splitlines()) == 1


def test_pull_request_options_and_offline_are_refused(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub
) -> None:
    for flag in ("--comment", "--changed-only", "--offline"):
        r = sweep("2026-11-03T00:00:00Z", flag, github=gh)
        assert r.code == 2 and r.err.startswith(f"tfdrift-ci: error: sweep: {flag} "), r.err
    r = sweep("2026-11-03T00:00:00Z", "--issue-label", "a,b", github=gh)
    assert r.code == 2 and "--issue-label" in r.err
    assert gh.requests == []


def test_issues_someone_else_wrote_are_never_touched(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub
) -> None:
    from tfdrift_ci.sweep.records import marker, record_key

    key = record_key("infra", "aws_ecr_repository.drift_lifecycle")
    # A drive-by user opens an issue with our marker and label, claiming the drift is closed.
    fake = gh.add_issue("Drift: fake", f"{marker(key)}\nall clear", login="mallory", association="NONE")
    write_events(workspace / "events", [mutable("a", "2026-11-02T09:00:00Z")])
    r = sweep("2026-11-03T00:00:00Z", github=gh)
    assert (
        f"warning: issue #{fake['number']} carries a tfdrift-ci marker but was not written by "
        "github-actions[bot] (this token's identity): ignored"
    ) in r.err
    assert gh.issue(fake["number"])["body"] == f"{marker(key)}\nall clear"
    assert not any(w.path.endswith(f"/issues/{fake['number']}") for w in gh.writes())
    assert len(gh.ours()) == 2  # ours was opened beside it


def test_a_person_closing_the_issue_is_respected_until_new_drift(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub
) -> None:
    events = workspace / "events"
    write_events(events, [mutable("a", "2026-11-02T09:00:00Z")])
    sweep("2026-11-03T00:00:00Z", github=gh)
    [issue] = gh.ours()
    issue["state"], issue["state_reason"] = "closed", "not_planned"  # closed by hand: accepted for now
    writes = len(gh.writes())
    sweep("2026-11-04T00:00:00Z", github=gh)
    assert len(gh.writes()) == writes and gh.issue(issue["number"])["state"] == "closed"
    write_events(
        events, [mutable("a", "2026-11-02T09:00:00Z"), mutable("b", "2026-11-04T09:00:00Z", who="zoe")]
    )
    sweep("2026-11-05T00:00:00Z", github=gh)
    assert gh.issue(issue["number"])["state"] == "open"


def test_the_job_summary_says_what_the_sweep_did(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    write_events(workspace / "events", [mutable("a", "2026-11-02T09:00:00Z")])
    sweep("2026-11-03T00:00:00Z", github=gh, env={"GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("### ")  # the check's own report comes first
    section = text[text.index("#### tfdrift-ci sweep") :]
    assert "Window 2026-10-04T00:00:00Z → 2026-11-03T00:00:00Z · issues: 1 opened" in section
    assert "- new drift: aws\\_ecr\\_repository.drift\\_lifecycle \\(infra\\) → \\#\u200b101" in section


def test_an_issue_whose_hidden_state_was_damaged_is_repaired_not_duplicated(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub
) -> None:
    from tfdrift_ci.sweep.records import marker, record_key

    key = record_key("infra", "aws_ecr_repository.drift_lifecycle")
    ours = gh.add_issue("Drift: x", f"{marker(key)}\n<!-- tfdrift-ci:state=1:garbage -->\nedited by hand")
    broken = gh.add_issue("Drift: y", "<!-- tfdrift-ci:sweep=../../etc -->\n")
    write_events(workspace / "events", [mutable("a", "2026-11-02T09:00:00Z")])
    r = sweep("2026-11-03T00:00:00Z", github=gh)
    assert f"issue #{ours['number']}: its hidden state is missing or damaged" in r.err
    assert f"issue #{broken['number']}: its tfdrift-ci marker is damaged: ignored" in r.err
    assert len(gh.ours()) == 2  # no new issue
    repaired = gh.issue(ours["number"])
    assert "alice@\u200bexample.com" in repaired["body"]
    assert len(_comments(gh, ours["number"])) == 1
    assert gh.issue(broken["number"])["body"] == "<!-- tfdrift-ci:sweep=../../etc -->\n"


def test_a_policy_replaced_by_hand_shows_what_changed(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub
) -> None:
    public = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PullFromCI",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                }
            ],
        }
    )
    event = ecr("p1", "2026-11-02T09:00:00Z", "SetRepositoryPolicy", "shop-images", {"policyText": public})
    write_events(workspace / "events", [event])
    sweep("2026-11-03T00:00:00Z", github=gh)
    [issue] = gh.ours()
    body = issue["body"]
    assert issue["title"] == "Drift: aws_ecr_repository_policy.policy_drift (infra) changed outside Terraform"
    assert (
        "- Statement\\[0\\].Principal.AWS: &quot;arn:aws:iam::111122223333:role/ci&quot; → &quot;\\*&quot;"
        in body
    )
    assert "```diff\n--- declared\n+++ observed\n" in body
    assert '-        "AWS": "arn:aws:iam::111122223333:role/ci"\n+        "AWS": "*"' in body


def test_a_deleted_repository_closes_when_terraform_recreates_it(
    workspace: Path, sweep: SweepRunner, gh: FakeGitHub
) -> None:
    events = workspace / "events"
    deleted = ecr("d1", "2026-11-02T09:00:00Z", "DeleteRepository", "shop-worker", {"force": True})
    write_events(events, [deleted])
    sweep("2026-11-03T00:00:00Z", github=gh)
    [issue] = gh.ours()
    assert (
        "<code>\\(the resource\\)</code> | <code>\\(declared\\)</code> → <code>deleted</code>"
        in issue["body"]
    )
    recreated = ecr(
        "c1", "2026-11-04T09:00:00Z", "CreateRepository", "shop-worker", {"imageTagMutability": "IMMUTABLE"},
        who="terraform",
    )  # fmt: skip
    write_events(events, [deleted, recreated])
    r = sweep("2026-11-05T00:00:00Z", github=gh)
    assert "drift gone: aws_ecr_repository.drift_second (infra)" in r.err
    assert gh.issue(issue["number"])["state"] == "closed"
    closing = _comments(gh, issue["number"])[-1]
    assert "Terraform's own CreateRepository on 2026-11-04 09:00 UTC \\(event c1\\)" in closing
