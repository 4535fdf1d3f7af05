"""No token, AWS secret, session token, presigned URL or plaintext secret value appears in any
output: stdout, stderr (with ``--debug``), every ``--output`` file in every format, the job summary
and the request bodies sent to GitHub. The run uses recognisable fake secrets in the environment,
in CloudTrail records (ExecuteCommand ``session.tokenValue`` / ``streamUrl``, a presigned URL in
``responseElements``, a secret in a task definition's environment) and in Terraform.

Hand-registered task definitions (tests/fixtures/hostile/secrets): environment values and
log-driver options never appear, whatever their names (a Stripe key under ``STRIPE_KEY``, a Splunk
token in ``logConfiguration.options``), nor anything of a revision compared with container
definitions the inventory cannot evaluate but its container names and images; in every format,
the PR comment, the job summary, the sweep's issue bodies and its alert payloads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import hostile_gen as gen
import pytest
from fakegithub import FakeGitHub
from rel_support import (
    GOOD_TF,
    HOSTILE,
    TRACEBACK,
    GitHub,
    LookupEvents,
    github_env,
    github_server,
    run_cli,
    serve,
)
from support.webhook_server import WebhookReceiver

SECRET_KEY = "tfdriftFAKEsecretKEY/0123456789abcdefghijKLMN"
SESSION_TOKEN = "FwoGZXIvYXdzEFAKESESSIONtfdrift0123456789sessiontokenvalue"
GITHUB_TOKEN = "ghs_FAKEgithubTOKENtfdrift0123456789"
EXEC_TOKEN = "AAEAAFAKEexecTOKENvalueTFDRIFT0123456789"
STREAM_URL = "wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/ecs-execute-command-0abc?role=publish_subscribe&cell-number=FAKECELLtfdrift0001"
PRESIGNED_SIG = "fakesig0123456789abcdef0123456789abcdef0123456789abcdef01234567"
PRESIGNED_TOKEN = "IQoJb3JpZ2luX2VjFAKEPRESIGNEDtoken0001"
PRESIGNED_URL = (
    "https://prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com/abc/layer?"
    f"X-Amz-Security-Token={PRESIGNED_TOKEN}&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261120T100000Z"
    "&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Credential=ASIAFAKE%2F20261120%2Feu-west-1%2Fs3%2Faws4_request"
    f"&X-Amz-Signature={PRESIGNED_SIG}"
)
TF_PLAINTEXT = "tfdriftFAKEplaintextDBpass0001"
EVENT_PLAINTEXT = "tfdriftFAKEeventAPItoken0001"

EVERY_FORMAT = ("json", "markdown", "sarif", "github", "falco", "text", "html", "gitlab")

SECRETS = {
    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    "AWS_SESSION_TOKEN": SESSION_TOKEN,
    "GITHUB_TOKEN": GITHUB_TOKEN,
    "ExecuteCommand tokenValue": EXEC_TOKEN,
    "ExecuteCommand streamUrl": "FAKECELLtfdrift0001",
    "presigned URL signature": PRESIGNED_SIG,
    "presigned URL token": PRESIGNED_TOKEN,
    "plaintext secret in Terraform": TF_PLAINTEXT,
    "plaintext secret in a CloudTrail task definition": EVENT_PLAINTEXT,
}

EXTRA_TF = f"""
resource "aws_ecs_cluster" "prod" {{
  name = "prod"
}}

resource "aws_ecs_service" "api" {{
  name                   = "api"
  cluster                = "prod"
  task_definition        = "leaky"
  desired_count          = 1
  enable_execute_command = true
}}

resource "aws_ecs_task_definition" "leaky_bad" {{
  family       = "leaky"
  network_mode = "awsvpc"
  container_definitions = jsonencode([{{
    name      = "app"
    image     = "nginx:1.27.2"
    essential = true
    environment = [
      {{ name = "DB_PASSWORD", value = "{TF_PLAINTEXT}" }},
      {{ name = "LOG_LEVEL", value = "info" }},
    ]
  }}])
}}
"""


def _records() -> list[dict[str, Any]]:
    exec_cmd = gen.record(
        eventID="sec-exec-0001",
        eventSource="ecs.amazonaws.com",
        eventName="ExecuteCommand",
        requestParameters={
            "cluster": "prod",
            "container": "app",
            "command": "/bin/sh",
            "interactive": True,
            "task": f"arn:aws:ecs:{gen.REGION}:{gen.ACCOUNT}:task/prod/0abc",
        },
        responseElements={
            "clusterArn": f"arn:aws:ecs:{gen.REGION}:{gen.ACCOUNT}:cluster/prod",
            "containerName": "app",
            "interactive": True,
            "session": {
                "sessionId": "ecs-execute-command-0abc",
                "streamUrl": STREAM_URL,
                "tokenValue": EXEC_TOKEN,
            },
            "taskArn": f"arn:aws:ecs:{gen.REGION}:{gen.ACCOUNT}:task/prod/0abc",
        },
        resources=...,
    )
    presigned = gen.record(
        eventID="sec-url-0001",
        responseElements={
            "registryId": gen.ACCOUNT,
            "repositoryName": "drifted",
            "imageTagMutability": "MUTABLE",
            "downloadUrl": PRESIGNED_URL,
        },
    )
    register = gen.record(
        eventID="sec-td-0001",
        eventSource="ecs.amazonaws.com",
        eventName="RegisterTaskDefinition",
        requestParameters={
            "family": "leaky",
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": "nginx:1.27.3",
                    "essential": True,
                    "environment": [
                        {"name": "DB_PASSWORD", "value": TF_PLAINTEXT},
                        {"name": "API_TOKEN", "value": EVENT_PLAINTEXT},
                    ],
                }
            ],
        },
        responseElements={
            "taskDefinition": {
                "taskDefinitionArn": f"arn:aws:ecs:{gen.REGION}:{gen.ACCOUNT}:task-definition/leaky:2",
                "family": "leaky",
                "revision": 2,
                "containerDefinitions": [
                    {"name": "app", "environment": [{"name": "API_TOKEN", "value": EVENT_PLAINTEXT}]}
                ],
            }
        },
        resources=...,
    )
    return [exec_cmd, presigned, register]


@pytest.mark.slow
def test_no_secret_in_any_output(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    shutil.copytree(GOOD_TF, proj)
    (proj / "leaky.tf").write_text(EXTRA_TF, encoding="utf-8")
    events_file = gen.write_records(tmp_path / "trail" / "events.json", _records())
    home = tmp_path / "home"
    home.mkdir()
    outputs = {fmt: tmp_path / "out" / f"report.{fmt}" for fmt in EVERY_FORMAT}
    state = GitHub()
    lookup = LookupEvents(_records())
    args = [
        "check",
        str(proj),
        "--events",
        "aws",
        "--events",
        str(events_file),
        "--region",
        "eu-west-1",
        *gen.WINDOW,
        "--debug",
        "--comment",
        "--no-progress",
    ]
    for fmt, path in outputs.items():
        args += ["--format", fmt, "--output", str(path)]
    args += ["--format", "text"]
    with github_server(state) as gh, serve(lookup.handle) as aws:
        env = github_env(gh.url, tmp_path, token=GITHUB_TOKEN)
        env.update(
            {
                "AWS_ACCESS_KEY_ID": "ASIAFAKEACCESSKEY001",
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_SESSION_TOKEN": SESSION_TOKEN,
                "AWS_DEFAULT_REGION": "eu-west-1",
                "AWS_ENDPOINT_URL": aws.url,
            }
        )
        run = run_cli(args, home=home, env=env, timeout=300, outputs=list(outputs.values()))

    assert TRACEBACK not in run.err, run.err[-3000:]
    assert run.rc == 1, run.err[-3000:]
    assert lookup.calls, "the aws source never called the local endpoint"
    report = json.loads(run.files["report.json"])
    names = {f["rule_id"] for f in report["findings"]}
    assert any(f["kind"] == "drift" for f in report["findings"]), names

    everything = {
        "stdout": run.out,
        "stderr (--debug)": run.err,
        **{f"--output {name}": text for name, text in run.files.items()},
        "job summary": Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8"),
        **{f"GitHub request body {i}": body for i, body in enumerate(state.bodies)},
    }
    assert state.bodies, "no PR comment was sent"
    assert_no_leak(everything, SECRETS)
    # the secrets really went through the pipeline (otherwise this test would prove nothing)
    assert "TFD-ECS-007" in names, f"plaintext-secret rule did not fire: {names}"
    assert "DB_PASSWORD" in run.files["report.json"], "the finding should name the variable (not its value)"
    assert any((f.get("event") or {}).get("name") == "ExecuteCommand" for f in report["findings"]), names
    assert any((f.get("event") or {}).get("id") == "sec-url-0001" for f in report["findings"]), names
    assert "debug" in run.err.lower()


def assert_no_leak(everything: dict[str, str], secrets: dict[str, str]) -> None:
    """No secret in any output, as is or JSON-escaped."""
    leaks = [
        f"{what} in {where}"
        for where, text in everything.items()
        for what, secret in secrets.items()
        if secret in text or json.dumps(secret)[1:-1] in text
    ]
    assert not leaks, "secrets leaked:\n" + "\n".join(leaks)


# --------------------------------------------------------------------------------------------------
# Secrets that arrive in CloudTrail: hand-registered task definition revisions

REGISTERED = HOSTILE / "secrets"  # main.tf: three task definitions; events.json: their new revisions
REGISTERED_SECRETS = {
    "a Stripe key under a name that does not look secret": "sk_live_tfdriftFAKEstripeKEY0001",
    "an environment value with a plain name (declared)": "tfdriftFAKEplainVALUEold0001",
    "an environment value with a plain name (registered)": "tfdriftFAKEplainVALUEnew0002",
    "logConfiguration.options splunk-token": "tfdriftFAKEsplunkTOKEN",
    "logConfiguration.options splunk-url": "tfdriftFAKEsplunkHOST",
    "a secret-named variable beside unknown container definitions": "tfdriftFAKEopaqueDBpass0001",
    "a plain variable beside unknown container definitions": "tfdriftFAKEopaquePLAIN0002",
    "a log option beside unknown container definitions": "tfdriftFAKEopaqueLOGkey0003",
    "a GitHub token in the command": "tfdriftFAKEcommandTOKEN",
}
MEMBERS = ("environment", "logConfiguration")
REGISTERED_WINDOW = ("--since", "2026-11-01T00:00:00Z", "--until", "2026-11-23T00:00:00Z")


def _registered_project(tmp_path: Path) -> Path:
    proj = tmp_path / "repo" / "infra"
    shutil.copytree(REGISTERED, proj)
    (proj / "events.json").rename(tmp_path / "events.json")
    return proj


@pytest.mark.slow
def test_no_secret_from_a_hand_registered_task_definition_in_any_output(tmp_path: Path) -> None:
    proj = _registered_project(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    outputs = {fmt: tmp_path / "out" / f"report.{fmt}" for fmt in EVERY_FORMAT}
    args = ["check", str(proj), "--events", str(tmp_path / "events.json"), *REGISTERED_WINDOW]
    args += ["--comment", "--no-progress", "--debug"]
    for fmt, path in outputs.items():
        args += ["--format", fmt, "--output", str(path)]
    args += ["--format", "text"]
    state = GitHub()
    with github_server(state) as gh:
        env = github_env(gh.url, tmp_path)
        run = run_cli(args, home=home, env=env, timeout=300, outputs=list(outputs.values()))
    assert TRACEBACK not in run.err, run.err[-3000:]
    assert state.bodies, "no PR comment was sent"
    everything = {
        "stdout": run.out,
        "stderr (--debug)": run.err,
        **{f"--output {name}": text for name, text in run.files.items()},
        "job summary": Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8"),
        **{f"PR comment request {i}": body for i, body in enumerate(state.bodies)},
    }
    assert_no_leak(everything, REGISTERED_SECRETS)

    # The revisions were reported (otherwise the absence of the values would prove nothing), with
    # the names, the fact of the change and the kind of credential.
    report = json.loads(run.files["report.json"])
    drift = {
        f["address"]: f
        for f in report["findings"]
        if f["rule_id"] == "TFD-DRIFT-020"
        and f["attribute"] in ("container_definitions", *(f"container_definitions[app].{m}" for m in MEMBERS))
    }
    command = next(f for f in report["findings"] if f["attribute"] == "container_definitions[app].command")
    assert command["actual"] == ["serve", "(hidden: looks like a GitHub token)"], command
    stripe = drift["aws_ecs_task_definition.stripe"]
    assert stripe["actual"]["STRIPE_KEY"] == "(hidden: looks like a Stripe live key)", stripe
    assert stripe["actual"]["REGION_HINT"] == "(hidden, changed)", stripe
    assert "STRIPE_KEY" in run.files["report.markdown"] and "looks like a Stripe live key" in run.out
    splunk = drift["aws_ecs_task_definition.splunk"]
    assert splunk["actual"]["options"] == {"splunk-url": "(hidden)", "splunk-token": "(hidden)"}, splunk
    assert splunk["actual"]["secretOptions"][0]["valueFrom"].endswith(":parameter/splunk-format")
    opaque = drift["aws_ecs_task_definition.opaque"]
    assert opaque["actual"] == [{"name": "worker", "image": "busybox:1.37"}], opaque


@pytest.mark.slow
def test_no_secret_from_a_hand_registered_task_definition_in_sweep_issues_or_alerts(tmp_path: Path) -> None:
    proj = _registered_project(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    repo = proj.parent
    with FakeGitHub() as gh, WebhookReceiver("webhook") as hook:
        env = {
            "GITHUB_REPOSITORY": gh.repo,
            "GITHUB_API_URL": gh.url,
            "GITHUB_TOKEN": "ghs_FAKEtokenFAKEtokenFAKEtokenFAKE0000",
            "GITHUB_WORKSPACE": str(repo),
            "DRIFT_HOOK_URL": hook.url,
            "NO_PROXY": "127.0.0.1,localhost",
        }
        args = ["sweep", "infra", "--events", str(tmp_path / "events.json"), *REGISTERED_WINDOW]
        args += ["--notify", "webhook:DRIFT_HOOK_URL", "--no-progress", "--debug"]
        run = run_cli(args, home=home, env=env, cwd=repo, timeout=300)
        issues = [f"{i['title']}\n{i['body']}" for i in gh.issues]
        comments = [c["body"] for cs in gh.issue_comments.values() for c in cs]
        requests = [json.dumps(r.body) for r in gh.requests if r.body is not None]
        alerts = [r.raw.decode("utf-8", "replace") for r in hook.received]
    assert TRACEBACK not in run.err, run.err[-3000:]
    assert issues and alerts, (run.rc, run.err[-3000:])
    assert_no_leak(
        {
            "stdout": run.out,
            "stderr (--debug)": run.err,
            **{f"issue {i}": text for i, text in enumerate(issues)},
            **{f"issue comment {i}": text for i, text in enumerate(comments)},
            **{f"GitHub request {i}": text for i, text in enumerate(requests)},
            **{f"alert {i}": text for i, text in enumerate(alerts)},
        },
        REGISTERED_SECRETS,
    )
    bodies = "\n".join(issues)
    assert "STRIPE\\_KEY" in bodies or "STRIPE_KEY" in bodies, bodies[:3000]
    assert "busybox:1.37" in bodies, bodies[:3000]


CANARY = "tfdriftCANARYsecret0123456789"


@pytest.mark.parametrize(
    "expr",
    [
        'file("/proc/self/environ")',
        'file("../outside/canary.txt")',
        'file("${path.module}/../outside/canary.txt")',
        'file("leak.txt")',  # a symlink inside the project to a file outside it
        'templatefile("../outside/canary.txt", {})',
        'filebase64("../outside/canary.txt")',
        'jsondecode(file("../outside/canary.json")).secret',
    ],
)
def test_terraform_from_a_pr_cannot_read_files_outside_the_project(tmp_path: Path, expr: str) -> None:
    """A pull request controls the Terraform: ``file()`` must not turn the report (PR comment!)
    into a way to print the CI machine's environment or files."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "canary.txt").write_text(CANARY, encoding="utf-8")
    (outside / "canary.json").write_text(json.dumps({"secret": CANARY}), encoding="utf-8")
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "leak.txt").symlink_to(outside / "canary.txt")
    (proj / "main.tf").write_text(
        'resource "aws_ecr_repository" "exfil_bad" {\n'
        f"  name                 = {expr}\n"
        '  image_tag_mutability = "MUTABLE"\n'
        "}\n"
        'resource "aws_ecs_task_definition" "exfil_bad" {\n'
        '  family                = "exfil"\n'
        f'  container_definitions = jsonencode([{{ name = "a", image = {expr}, privileged = true }}])\n'
        "}\n",
        encoding="utf-8",
    )
    home = tmp_path / "home"
    home.mkdir()
    outputs = {fmt: tmp_path / "out" / f"r.{fmt}" for fmt in ("json", "markdown", "sarif", "github", "text")}
    args = ["check", str(proj), "--offline"]
    for fmt, path in outputs.items():
        args += ["--format", fmt, "--output", str(path)]
    args += ["--format", "text"]
    run = run_cli(
        args, home=home, env={"TFDRIFT_TEST_CANARY": CANARY}, timeout=120, outputs=list(outputs.values())
    )
    assert TRACEBACK not in run.err
    assert run.rc in (1, 2), run.err
    inv = run_cli(
        ["inventory", str(proj), "--format", "json"], home=home, env={"TFDRIFT_TEST_CANARY": CANARY}
    )
    for where, text in {
        "stdout": run.out,
        "stderr": run.err,
        "inventory": inv.out + inv.err,
        **run.files,
    }.items():
        assert CANARY not in text, f"{expr} leaked a file outside the project into {where}"
        assert CANARY.encode().hex() not in text and "dGZkcmlmdENBTkFSWX" not in text, where


def test_control_file_inside_the_project_is_read(tmp_path: Path) -> None:
    """Control for the test above: the same pipeline does print a value read from inside the
    project, so the absence of the canary there means the read was refused, not that names are
    never shown."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "c.txt").write_text(CANARY, encoding="utf-8")
    (proj / "main.tf").write_text(
        'resource "aws_ecr_repository" "exfil_bad" {\n  name = file("c.txt")\n}\n', encoding="utf-8"
    )
    home = tmp_path / "home"
    home.mkdir()
    inv = run_cli(["inventory", str(proj), "--format", "json"], home=home)
    assert CANARY in inv.out


GIT_TOKEN_CANARY = "tfdriftCANARYgitTOKEN0001"
REFUSED_CANARIES = ("tfdriftCANARYstate0001", "tfdriftCANARYenv0001", "tfdriftCANARYplan0001")
READ_REFUSED = HOSTILE / "file_reads"  # a repository: .git/, .terraform/, state, plan, .env, infra/


def _file_reads_repo(tmp_path: Path) -> Path:
    """tests/fixtures/hostile/file_reads as a checkout (``dot-git`` becomes ``.git``, ``dot-env``
    ``.env``, ``dot-terraform`` ``.terraform``: a repository cannot commit a ``.git``), with a symlink
    inside the repository to its ``.git/config``."""
    repo = tmp_path / "repo"
    shutil.copytree(READ_REFUSED, repo, symlinks=True)
    for name in ("dot-git", "dot-env", "dot-terraform"):
        (repo / name).rename(repo / ("." + name[4:]))
    (repo / "infra" / "innocent.txt").symlink_to(repo / ".git" / "config")
    return repo


@pytest.mark.parametrize(
    "expr",
    [
        'file("../.git/config")',
        'file("${path.module}/../.git/config")',
        'file("innocent.txt")',  # a symlink inside the repository to .git/config
        'templatefile("../.git/config", {})',
        'filebase64("../.git/config")',
        'file("../.terraform/terraform.tfstate")',
        'file("../prod.tfstate.backup")',
        'file("../release.tfplan")',
        'file("../.env")',
    ],
)
def test_file_functions_read_no_git_config_state_plan_or_env_file(tmp_path: Path, expr: str) -> None:
    """``path: infra`` in a checkout: the repository root is trusted, but not its ``.git/`` (where
    actions/checkout leaves the job's token), ``.terraform/``, state, plan or ``.env`` files. The
    value is unknown and a notice says what was not read."""
    repo = _file_reads_repo(tmp_path)
    (repo / "infra" / "main.tf").write_text(
        'resource "aws_ecr_repository" "smuggle_bad" {\n'
        f"  name = trimspace({expr})\n"
        "}\n"
        'resource "aws_ecs_task_definition" "smuggle_bad" {\n'
        '  family                = "smuggle"\n'
        f'  container_definitions = jsonencode([{{ name = "a", image = {expr}, privileged = true }}])\n'
        "}\n",
        encoding="utf-8",
    )
    home = tmp_path / "home"
    home.mkdir()
    outputs = {fmt: tmp_path / "out" / f"r.{fmt}" for fmt in EVERY_FORMAT}
    args = ["check", "infra", "--offline"]
    for fmt, path in outputs.items():
        args += ["--format", fmt, "--output", str(path)]
    run = run_cli([*args, "--format", "text"], home=home, cwd=repo, outputs=list(outputs.values()))
    inv = run_cli(["inventory", "infra", "--format", "json"], home=home, cwd=repo)
    assert TRACEBACK not in run.err + inv.err
    assert run.rc == 1, run.err
    for where, text in {
        "stdout": run.out,
        "stderr": run.err,
        "inventory": inv.out + inv.err,
        **run.files,
    }.items():
        for canary in (
            GIT_TOKEN_CANARY,
            "tfdriftCANARYstate0001",
            "tfdriftCANARYenv0001",
            "tfdriftCANARYplan0001",
        ):
            assert canary not in text, f"{expr} leaked into {where}"
            assert canary.encode().hex() not in text and "dGZkcmlmdENBTkFSWX" not in text, where
    notices = json.loads(run.files["r.json"])["scanned"]["notices"]
    assert any("not read" in n for n in notices), notices
    assert "not read" in run.out


def test_fileexists_answers_unknown_outside_the_repository(tmp_path: Path) -> None:
    repo = _file_reads_repo(tmp_path)
    (repo / "infra" / "main.tf").write_text(
        'resource "aws_ecr_repository" "outside" {\n'
        '  name = fileexists("/etc/passwd") ? "present" : "absent"\n'
        "}\n"
        'resource "aws_ecr_repository" "git" {\n'
        '  name = fileexists("../.git/config") ? "present" : "absent"\n'
        "}\n"
        'resource "aws_ecr_repository" "inside" {\n'
        '  name = fileexists("../shared/ok.txt") ? "present" : "absent"\n'
        "}\n"
        'resource "aws_ecr_repository" "read" {\n'
        '  name = trimspace(file("../shared/ok.txt"))\n'
        "}\n",
        encoding="utf-8",
    )
    home = tmp_path / "home"
    home.mkdir()
    inv = run_cli(["inventory", "infra", "--format", "json"], home=home, cwd=repo)
    assert TRACEBACK not in inv.err and inv.rc == 0, inv.err
    doc = json.loads(inv.out)
    names = {r["address"]: r["attributes"]["name"] for r in doc["resources"]}
    assert names["aws_ecr_repository.outside"] not in ("present", "absent"), names
    assert any(n.startswith("fileexists() did not look for") for n in doc["notices"]), doc["notices"]
    assert names["aws_ecr_repository.git"] not in ("present", "absent"), names
    # controls: a file of the repository is still found and read
    assert names["aws_ecr_repository.inside"] == "present", names
    assert names["aws_ecr_repository.read"] == "tfdrift-ok-shared", names
