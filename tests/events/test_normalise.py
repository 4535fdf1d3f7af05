from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfdrift_ci.events.normalise import (
    REDACTED,
    MalformedRecord,
    classify_via,
    is_terraform_user_agent,
    normalise,
)
from tfdrift_ci.models import Event

FIXTURE = Path(__file__).parents[1] / "fixtures" / "cloudtrail" / "records.json"


def records() -> list[dict[str, Any]]:
    return list(json.loads(FIXTURE.read_text())["Records"])


def one(name: str, *, index: int = 0, source: str | None = None) -> dict[str, Any]:
    found = [
        r for r in records() if r["eventName"] == name and (source is None or r["eventSource"] == source)
    ]
    return found[index]


def event(record: dict[str, Any]) -> Event:
    e = normalise(record)
    assert e is not None
    return e


def test_every_write_record_in_the_fixture_normalises() -> None:
    recs = records()
    events = [normalise(r) for r in recs]
    dropped = sorted(r["eventName"] for r, e in zip(recs, events, strict=True) if e is None)
    assert dropped == ["DescribeRepositories", "DescribeServices", "PolicyExecutionEvent"]
    for e in events:
        if e is not None:
            assert e.time.tzinfo is not None
            assert e.time.utcoffset() == UTC.utcoffset(None)


def test_fields() -> None:
    e = event(one("PutImageScanningConfiguration"))
    assert e.id == "00000002-aaaa-4bbb-8ccc-dddddddddddd"
    assert e.source == "ecr.amazonaws.com"
    assert e.time == datetime(2026, 11, 21, 9, 14, 3, tzinfo=UTC)
    assert e.region == "eu-west-1"
    assert e.account == "123456789012"
    assert e.request["imageScanningConfiguration"] == {"scanOnPush": False}
    assert e.resources[0]["ARN"].endswith(":repository/app/api")
    assert e.error_code is None and not e.read_only and not e.truncated
    assert e.event_type == "AwsApiCall"


@pytest.mark.parametrize(
    ("name", "index", "display", "via", "service", "role_suffix"),
    [
        (
            "CreateRepository",
            0,
            "github-terraform-apply (session GitHubActions-8412345678)",
            "terraform",
            None,
            "role/github-terraform-apply",
        ),
        (
            "PutImageScanningConfiguration",
            0,
            "jane@example.com",
            "console",
            None,
            "AdministratorAccess_0123456789abcdef",
        ),
        ("PutImageTagMutability", 0, "bob", "cli", None, None),
        (
            "PutLifecyclePolicy",
            0,
            "deploy-bot (session botocore-session-1732180000)",
            "sdk",
            None,
            "role/deploy-bot",
        ),
        (
            "SetRepositoryPolicy",
            0,
            "AWSCloudFormation",
            "service",
            "cloudformation.amazonaws.com",
            "role/cfn-exec-role",
        ),
        ("PutReplicationConfiguration", 0, "jane@example.com", "console", None, None),  # Mozilla UA
        ("PutRegistryPolicy", 0, "root", "cli", None, None),
        ("PutImage", 0, "github-build (session GitHubActions-8412345000)", "service", "AWS Internal", None),
        (
            "CreateTaskSet",
            0,
            "CodeDeploy-d-EXAMPLE11",
            "service",
            "codedeploy.amazonaws.com",
            "role/ecsCodeDeployRole",
        ),
    ],
)
def test_actor(  # noqa: PLR0917
    name: str, index: int, display: str, via: str, service: str | None, role_suffix: str | None
) -> None:
    actor = event(one(name, index=index, source=None)).actor
    assert actor.display == display
    assert actor.via == via
    assert actor.service == service
    if role_suffix:
        assert actor.role_arn is not None and actor.role_arn.endswith(role_suffix)


def test_application_auto_scaling_is_a_service_through_its_linked_role() -> None:
    update = [r for r in records() if r["eventName"] == "UpdateService"]
    aas = event(update[1]).actor
    assert aas.via == "service"
    assert aas.service == "ecs.application-autoscaling.amazonaws.com"
    assert aas.role_arn == (
        "arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_ECSService"
    )


def test_failed_call_keeps_error_and_empty_response() -> None:
    denied = event([r for r in records() if r["eventName"] == "UpdateService"][2])
    assert denied.error_code == "AccessDeniedException"
    assert denied.error_message and "ecs:UpdateService" in denied.error_message
    assert denied.response == {}


def test_execute_command_secrets_are_redacted_everywhere() -> None:
    record = one("ExecuteCommand")
    original = copy.deepcopy(record)
    e = event(record)
    assert e.response["session"]["tokenValue"] == REDACTED
    assert e.response["session"]["streamUrl"] == REDACTED
    assert e.response["session"]["sessionId"] == "ecs-execute-command-0123456789abcdef0"
    dumped = json.dumps(dict(e.raw)) + repr(e)
    assert "FAKE-EXEC-SESSION-TOKEN" not in dumped
    assert "FAKESTREAMSECRET" not in dumped
    # the access key id is kept on the actor for matching, never in raw
    assert e.actor.access_key_id == "ASIAEXAMPLEKEY000002"
    assert "ASIAEXAMPLEKEY000002" not in json.dumps(dict(e.raw))
    assert "access_key_id" not in e.actor.as_dict()
    # the caller's record is not modified
    assert record == original


def test_read_only_and_service_events_are_dropped() -> None:
    assert normalise(one("DescribeServices")) is None
    assert normalise(one("PolicyExecutionEvent")) is None
    r = one("UpdateService")
    assert normalise(dict(r, readOnly="true")) is None  # Athena / LookupEvents give a string
    assert normalise(dict(r, readOnly="false")) is not None


@pytest.mark.parametrize("missing", ["eventID", "eventName", "eventSource", "eventTime"])
def test_missing_required_fields_are_malformed(missing: str) -> None:
    r = one("UpdateService")
    del r[missing]
    with pytest.raises(MalformedRecord, match=missing):
        normalise(r)


@pytest.mark.parametrize(
    "change",
    [
        {"eventID": 12},
        {"eventTime": "yesterday"},
        {"eventTime": 1732180000},
        {"userIdentity": "root"},
        {"requestParameters": 5},
        {"resources": "arn:aws:ecr:…"},
    ],
)
def test_wrong_types_are_malformed(change: dict[str, Any]) -> None:
    with pytest.raises(MalformedRecord):
        normalise(dict(one("UpdateService"), **change))


def test_not_a_mapping_is_malformed() -> None:
    with pytest.raises(MalformedRecord):
        normalise(["not", "a", "record"])  # type: ignore[arg-type]


def test_missing_user_identity_is_an_unknown_actor() -> None:
    r = one("UpdateService")
    del r["userIdentity"]
    r.pop("sessionCredentialFromConsole")
    r["userAgent"] = "curl/8.0"
    e = event(r)
    assert e.actor.display == "unknown"
    assert e.actor.via == "unknown"
    assert e.account == "123456789012"


def test_request_as_string_is_parsed_and_truncated_string_is_flagged() -> None:
    r = one("RegisterTaskDefinition")
    as_text = dict(r, requestParameters=json.dumps(r["requestParameters"]))
    assert event(as_text).request == r["requestParameters"]
    assert not event(as_text).truncated
    cut = dict(r, requestParameters=json.dumps(r["requestParameters"])[:150])
    e = event(cut)
    assert e.truncated and e.request == {}
    assert event(dict(r, requestParameters=None)).request == {}


def test_times_with_fractions_offsets_and_lake_format() -> None:
    r = one("UpdateService")
    want = datetime(2026, 11, 21, 13, 0, 0, tzinfo=UTC)
    for text in (
        "2026-11-21T13:00:00Z",
        "2026-11-21T13:00:00.000Z",
        "2026-11-21T14:00:00+01:00",
        "2026-11-21 13:00:00.000",
    ):
        assert event(dict(r, eventTime=text)).time == want


@pytest.mark.parametrize(
    ("ua", "expected"),
    [
        (
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.70.0 "
            "(+https://registry.terraform.io/providers/hashicorp/aws) "
            "aws-sdk-go-v2/1.32.2 os/linux lang/go#1.23.1",
            True,
        ),
        (
            "aws-sdk-go/1.44.0 (go1.19; linux; amd64) APN/1.0 HashiCorp/1.0 Terraform/1.3.7 "
            "(+https://www.terraform.io) terraform-provider-aws/4.50.0 "
            "(+https://registry.terraform.io/providers/hashicorp/aws) "
            "HashiCorp-terraform-exec/0.17.3",
            True,
        ),
        ("apn/1.0 hashicorp/1.0 terraform/1.5.0 terraform-provider-aws/5.0.0", True),
        ("aws-cli/2.9.8 Python/3.9.11 Linux/5.15 terraform-helper/1.0", False),
        ("my-terraform-provider-aws-clone/1.0", False),
        ("", False),
    ],
)
def test_terraform_user_agent(ua: str, expected: bool) -> None:
    assert is_terraform_user_agent(ua) is expected


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"userAgent": "signin.amazonaws.com"}, "console"),
        ({"userAgent": "AWS Internal", "sessionCredentialFromConsole": "true"}, "console"),
        ({"userAgent": "AWS Internal"}, "service"),
        ({"userAgent": "Boto3/1.35.0 Python/3.12 Linux Botocore/1.35.0"}, "sdk"),
        ({"userAgent": "aws-sdk-java/2.20.0 Linux/5.10"}, "sdk"),
        ({"userAgent": "aws-cli/1.29.0 Python/3.11 botocore/1.31.0"}, "cli"),
        ({"userAgent": "curl/8.0"}, "unknown"),
        ({"userAgent": "Boto3/1.35.0", "sourceIPAddress": "cloudformation.amazonaws.com"}, "service"),
    ],
)
def test_classify_via(record: dict[str, Any], expected: str) -> None:
    assert (
        classify_via(record, {}, kind="AssumedRole", invoked_by=None, user_agent=record.get("userAgent"))
        == expected
    )


def test_deep_nesting_does_not_crash_and_is_not_walked_forever() -> None:
    nested: Any = {"tokenValue": "s3cr3t"}
    for _ in range(5000):
        nested = {"a": nested}
    r = dict(one("UpdateService"), responseElements=nested)
    e = event(r)
    # below the depth cap the structure is replaced, so the deep secret cannot survive
    assert "s3cr3t" not in repr(e.response)
    assert "s3cr3t" not in repr(dict(e.raw))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "eventID",
                "eventName",
                "eventSource",
                "eventTime",
                "userIdentity",
                "requestParameters",
                "responseElements",
                "readOnly",
                "eventType",
                "resources",
                "userAgent",
                "sourceIPAddress",
                "recipientAccountId",
                "errorCode",
                "sessionCredentialFromConsole",
            ]
        ),
        _json,
    )
)
def test_any_json_object_either_normalises_or_is_malformed(record: dict[str, Any]) -> None:
    with contextlib.suppress(MalformedRecord):
        normalise(record)


def test_github_oidc_session_is_named_by_its_run_and_attributed_to_the_role() -> None:
    oidc = [r for r in records() if r["eventName"] == "UpdateService"][4]
    assert "webIdFederationData" in oidc["userIdentity"]["sessionContext"]
    actor = event(oidc).actor
    assert actor.display == "github-deploy (session GitHubActions-8412399999)"
    assert actor.role_arn == "arn:aws:iam::123456789012:role/github-deploy"
    assert actor.via == "cli" and actor.service is None


# --------------------------------------------------------------------------------------------------
# Who did it, in words people recognise: a session that names a machine, a run or a function is shown
# after its role; a person's session (SSO e-mail, a named human session) and IAM users stay as they are.

_LAMBDA_UA = (
    "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.10.219 md/arch#x86_64 lang/python#3.12.3 "
    "md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.0"
)


def _assumed(role: str, session: str, *, issuer: bool = True, arn: bool = True) -> dict[str, Any]:
    ident: dict[str, Any] = {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLEID:{session}",
        "accountId": "123456789012",
    }
    if arn:
        ident["arn"] = f"arn:aws:sts::123456789012:assumed-role/{role}/{session}"
    if issuer:
        ident["sessionContext"] = {
            "sessionIssuer": {
                "type": "Role",
                "arn": f"arn:aws:iam::123456789012:role/{role}",
                "userName": role,
            }
        }
    return ident


@pytest.mark.parametrize(
    ("identity", "user_agent", "display"),
    [
        # machines, runs and functions: the role first
        (_assumed("deployer", "i-0abc123"), None, "deployer (session i-0abc123)"),
        (_assumed("deployer", "i-0abc1234"), None, "deployer (session i-0abc1234)"),
        (_assumed("deployer", "i-0abc1234def567890"), None, "deployer (session i-0abc1234def567890)"),
        (
            _assumed("deploy-bot", "botocore-session-1732180000"),
            None,
            "deploy-bot (session botocore-session-1732180000)",
        ),
        (_assumed("gha-deploy", "GitHubActions"), None, "gha-deploy (session GitHubActions)"),
        (
            _assumed("gha-deploy", "GitHubActions-8412345678"),
            None,
            "gha-deploy (session GitHubActions-8412345678)",
        ),
        (
            _assumed("tf", "aws-go-sdk-1732180000123456789"),
            None,
            "tf (session aws-go-sdk-1732180000123456789)",
        ),
        (_assumed("tf", "aws-sdk-java-1732180000123"), None, "tf (session aws-sdk-java-1732180000123)"),
        (_assumed("ci", "gha-run-8123456789"), None, "ci (session gha-run-8123456789)"),
        (_assumed("ci", "1732180000"), None, "ci (session 1732180000)"),
        (
            _assumed("api-task", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
            None,
            "api-task (session 0f1e2d3c4b5a69788796a5b4c3d2e1f0)",
        ),
        (
            _assumed("ci", "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
            None,
            "ci (session 3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d)",
        ),
        (
            _assumed("build", "AWSCodeBuild-3f2b1c4d-5e6f-4a7b"),
            None,
            "build (session AWSCodeBuild-3f2b1c4d-5e6f-4a7b)",
        ),
        # a Lambda function: its name is the session; known by the runtime in the user agent …
        (_assumed("orders-exec", "orders-processor"), _LAMBDA_UA, "orders-exec (session orders-processor)"),
        # … or by the role the console creates for it ("<function>-role-<8 random>")
        (_assumed("resize-role-1a2b3c4d", "resize"), None, "resize-role-1a2b3c4d (session resize)"),
        # the role from the ARN when the session issuer is missing; from the issuer when the ARN is
        (_assumed("deployer", "i-0abc1234", issuer=False), None, "deployer (session i-0abc1234)"),
        (_assumed("deployer", "i-0abc1234", arn=False), None, "deployer (session i-0abc1234)"),
        # no role known at all: the session as it is
        ({"type": "AssumedRole", "principalId": "AROAEXAMPLEID:i-0abc1234"}, None, "i-0abc1234"),
        # people stay as they are
        (
            _assumed("AWSReservedSSO_AdministratorAccess_0123456789abcdef", "jane@example.com"),
            None,
            "jane@example.com",
        ),
        (_assumed("breakglass", "jane.doe"), None, "jane.doe"),
        (_assumed("breakglass", "jdoe2"), None, "jdoe2"),
        (_assumed("terraform", "terraform"), None, "terraform"),
        (_assumed("cfn-exec-role", "AWSCloudFormation"), None, "AWSCloudFormation"),
        (_assumed("orders-exec", "jane@example.com"), "aws-cli/2.15.0 Python/3.11", "jane@example.com"),
        (
            {"type": "IAMUser", "userName": "bob", "arn": "arn:aws:iam::123456789012:user/bob"},
            None,
            "bob",
        ),
        (
            {"type": "IdentityCenterUser", "userName": "jane", "accountId": "123456789012"},
            None,
            "jane",
        ),
    ],
)
def test_actor_display_leads_with_the_role_for_machine_sessions(
    identity: dict[str, Any], user_agent: str | None, display: str
) -> None:
    record = {
        "eventVersion": "1.09",
        "eventID": "00000000-0000-4000-8000-000000000001",
        "eventName": "UpdateService",
        "eventSource": "ecs.amazonaws.com",
        "eventTime": "2026-11-20T09:00:00Z",
        "awsRegion": "eu-west-1",
        "userIdentity": identity,
        **({"userAgent": user_agent} if user_agent else {}),
        "requestParameters": {"cluster": "main", "service": "api", "desiredCount": 2},
    }
    e = normalise(record)
    assert e is not None
    assert e.actor.display == display


def test_text_markdown_and_json_show_the_same_actor(tmp_path: Path) -> None:
    """An instance-profile session changes a declared service: every format names the role first."""
    import subprocess
    import sys

    from tfdrift_ci.report import escape

    repo = Path(__file__).parents[2]
    record = {
        "eventVersion": "1.09",
        "eventID": "00000000-0000-4000-8000-00000000e2e1",
        "eventName": "UpdateService",
        "eventSource": "ecs.amazonaws.com",
        "eventTime": "2026-11-18T10:00:00Z",
        "awsRegion": "eu-west-1",
        "recipientAccountId": "111122223333",
        "sourceIPAddress": "10.0.3.17",
        "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2023",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLEID:i-0abc1234def567890",
            "arn": "arn:aws:sts::111122223333:assumed-role/ops-instance/i-0abc1234def567890",
            "accountId": "111122223333",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": "arn:aws:iam::111122223333:role/ops-instance",
                    "userName": "ops-instance",
                }
            },
        },
        "requestParameters": {"cluster": "main", "service": "api", "desiredCount": 9},
        "readOnly": False,
        "eventType": "AwsApiCall",
    }
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"Records": [record]}), encoding="utf-8")
    outputs = {fmt: tmp_path / f"report.{fmt}" for fmt in ("text", "markdown", "json")}
    args = [
        sys.executable,
        "-m",
        "tfdrift_ci",
        "check",
        str(repo / "examples" / "infra"),
        "--events",
        str(events),
    ]
    args += ["--since", "2026-11-01T00:00:00Z", "--until", "2026-11-23T00:00:00Z", "--no-color"]
    for fmt, path in outputs.items():
        args += ["--format", fmt, "--output", str(path)]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    shown = "ops-instance (session i-0abc1234def567890)"
    report = json.loads(outputs["json"].read_text(encoding="utf-8"))
    actors = {f["actor"]["display"] for f in report["findings"] if f.get("actor")}
    assert actors == {shown}
    assert shown in outputs["text"].read_text(encoding="utf-8")
    assert escape.md(shown) in outputs["markdown"].read_text(encoding="utf-8")
