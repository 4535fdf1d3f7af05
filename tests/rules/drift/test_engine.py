"""The drift engine on hand-built resources and events (tfdrift_ci/rules/drift/_engine.py).

Scenario tests (``test_scenarios.py``) run the same engine on .tf files and CloudTrail records."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rules.drift.helpers import (
    AAS,
    ACCT,
    ALICE,
    CODEDEPLOY,
    REGION,
    SPOOFER,
    TERRAFORM,
    TF_ROLE,
    drift,
    ecr,
    ev,
    repo,
    res,
    service,
)
from tfdrift_ci.events.names import ECR_PUBLIC
from tfdrift_ci.models import Event, Finding, Severity, Unknown
from tfdrift_ci.settings import DriftRuleSetting, RuleSetting, Settings


def one(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [f.message for f in findings]
    return findings[0]


# ---- ECR


def test_tag_mutability_turned_mutable_is_high_with_who_what_when() -> None:
    f = one(
        drift(
            [repo()],
            [
                ecr(
                    "PutImageTagMutability",
                    {"repositoryName": "api", "imageTagMutability": "MUTABLE"},
                    actor=ALICE,
                )
            ],
        )
    )
    assert (f.rule_id, f.kind, f.severity) == ("TFD-DRIFT-001", "drift", Severity.HIGH)
    assert (f.address, f.attribute, f.expected, f.actual) == (
        "aws_ecr_repository.api",
        "image_tag_mutability",
        "IMMUTABLE",
        "MUTABLE",
    )
    assert f.line == 12 and f.file == "main.tf"
    assert "alice@example.com via the console" in f.message and '"IMMUTABLE" → "MUTABLE"' in f.message
    assert "2026-11-04 09:00 UTC" in f.message and "eu-west-1" in f.message
    assert 'image_tag_mutability = "MUTABLE" in main.tf:12' in (f.remediation or "")


def test_setting_the_declared_value_is_not_drift() -> None:
    events = [
        ecr("PutImageTagMutability", {"repositoryName": "api", "imageTagMutability": "IMMUTABLE"}),
        ecr(
            "PutImageScanningConfiguration",
            {"repositoryName": "api", "imageScanningConfiguration": {"scanOnPush": True}},
        ),
    ]
    assert drift([repo()], events) == []


def test_omitted_attribute_compares_with_the_provider_default() -> None:
    r = res("aws_ecr_repository", "api", {"name": "api"}, kind="repository")
    assert (
        drift([r], [ecr("PutImageTagMutability", {"repositoryName": "api", "imageTagMutability": "MUTABLE"})])
        == []
    )
    f = one(
        drift(
            [r], [ecr("PutImageTagMutability", {"repositoryName": "api", "imageTagMutability": "IMMUTABLE"})]
        )
    )
    assert f.expected == "MUTABLE" and f.severity == Severity.LOW


def test_scan_on_push_off_is_high() -> None:
    f = one(
        drift(
            [repo()],
            [
                ecr(
                    "PutImageScanningConfiguration",
                    {"repositoryName": "api", "imageScanningConfiguration": {"scanOnPush": False}},
                )
            ],
        )
    )
    assert (f.rule_id, f.severity, f.attribute, f.expected, f.actual) == (
        "TFD-DRIFT-002",
        Severity.HIGH,
        "image_scanning_configuration.scan_on_push",
        True,
        False,
    )


def test_delete_repository_is_critical() -> None:
    f = one(drift([repo()], [ecr("DeleteRepository", {"repositoryName": "api", "force": True})]))
    assert (f.rule_id, f.severity, f.attribute) == ("TFD-DRIFT-005", Severity.CRITICAL, None)
    assert "(forced)" in f.message


def test_repository_policy_made_public_is_critical_and_compared_as_json() -> None:
    declared = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ci",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": ["ecr:BatchGetImage"],
            }
        ],
    }
    pol = res(
        "aws_ecr_repository_policy", "api", {"repository": "api", "policy": declared}, kind="repository"
    )
    same_text = (
        '{"Statement":[{"Action":"ecr:BatchGetImage","Effect":"Allow",'
        '"Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Sid":"ci"}],"Version":"2012-10-17"}'
    )
    assert (
        drift([pol], [ecr("SetRepositoryPolicy", {"repositoryName": "api", "policyText": same_text})]) == []
    )
    public = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*"}]}'
    f = one(drift([pol], [ecr("SetRepositoryPolicy", {"repositoryName": "api", "policyText": public})]))
    assert (f.rule_id, f.severity, f.attribute) == ("TFD-DRIFT-003", Severity.CRITICAL, "policy")
    assert f.actual["Statement"][0]["Principal"] == "*"


def test_policy_events_do_not_touch_the_repository_itself() -> None:
    # SetRepositoryPolicy on a repository whose policy is not declared: nothing to compare with
    assert drift([repo()], [ecr("SetRepositoryPolicy", {"repositoryName": "api", "policyText": "{}"})]) == []


def test_lifecycle_policy_deleted_is_medium_expected_is_declared_else_the_echo() -> None:
    event = ecr(
        "DeleteLifecyclePolicy", {"repositoryName": "api"}, response={"lifecyclePolicyText": '{"rules": [1]}'}
    )
    lp = res(
        "aws_ecr_lifecycle_policy", "api", {"repository": "api", "policy": {"rules": []}}, kind="repository"
    )
    f = one(drift([lp], [event]))
    assert (f.rule_id, f.severity, f.expected) == ("TFD-DRIFT-004", Severity.MEDIUM, {"rules": []})
    unknown = res("aws_ecr_lifecycle_policy", "api", {"repository": "api"}, kind="repository")
    assert one(drift([unknown], [event])).expected == {"rules": [1]}


def test_replication_is_registry_level() -> None:
    rc = res(
        "aws_ecr_replication_configuration",
        "this",
        {
            "replication_configuration": [
                {"rule": [{"destination": [{"region": "eu-central-1", "registry_id": ACCT}]}]}
            ]
        },
        kind="registry",
        ident_name="",
    )
    same = ecr(
        "PutReplicationConfiguration",
        {
            "replicationConfiguration": {
                "rules": [{"destinations": [{"region": "eu-central-1", "registryId": ACCT}]}]
            }
        },
    )
    assert drift([rc], [same]) == []
    other = ecr(
        "PutReplicationConfiguration",
        {
            "replicationConfiguration": {
                "rules": [{"destinations": [{"region": "eu-central-1", "registryId": "444455556666"}]}]
            }
        },
    )
    f = one(drift([rc], [other]))
    assert (f.rule_id, f.attribute, f.severity) == (
        "TFD-DRIFT-006",
        "replication_configuration",
        Severity.HIGH,
    )


def test_pull_through_cache_rule_changed() -> None:
    ptc = res(
        "aws_ecr_pull_through_cache_rule",
        "hub",
        {"ecr_repository_prefix": "hub", "upstream_registry_url": "registry-1.docker.io"},
        kind="pull_through_cache_rule",
        ident_name="hub",
    )
    f = one(
        drift(
            [ptc],
            [
                ecr(
                    "UpdatePullThroughCacheRule",
                    {"ecrRepositoryPrefix": "hub", "upstreamRegistryUrl": "evil.example.com"},
                )
            ],
        )
    )
    assert (f.rule_id, f.attribute, f.expected, f.actual) == (
        "TFD-DRIFT-009",
        "upstream_registry_url",
        "registry-1.docker.io",
        "evil.example.com",
    )


def test_ecr_public_policy_and_delete() -> None:
    pub = res(
        "aws_ecrpublic_repository",
        "tool",
        {"repository_name": "tool"},
        kind="public_repository",
        region="us-east-1",
    )
    f = one(
        drift(
            [pub], [ev("DeleteRepository", {"repositoryName": "tool"}, source=ECR_PUBLIC, region="us-east-1")]
        )
    )
    assert (f.rule_id, f.severity) == ("TFD-DRIFT-005", Severity.CRITICAL)


# ---- tags


@pytest.mark.parametrize(
    ("event", "attribute", "expected", "actual"),
    [
        (
            ecr(
                "TagResource",
                {
                    "resourceArn": f"arn:aws:ecr:{REGION}:{ACCT}:repository/api",
                    "tags": [{"Key": "team", "Value": "growth"}],
                },
            ),
            "tags.team",
            "payments",
            "growth",
        ),
        (
            ecr(
                "TagResource",
                {
                    "resourceArn": f"arn:aws:ecr:{REGION}:{ACCT}:repository/api",
                    "tags": [{"Key": "owner", "Value": "eve"}],
                },
            ),
            "tags.owner",
            None,
            "eve",
        ),
        (
            ecr(
                "UntagResource",
                {"resourceArn": f"arn:aws:ecr:{REGION}:{ACCT}:repository/api", "tagKeys": ["team"]},
            ),
            "tags.team",
            "payments",
            None,
        ),
    ],
)
def test_ecr_tags(event: Event, attribute: str, expected: object, actual: object) -> None:
    f = one(drift([repo()], [event]))
    assert (f.rule_id, f.severity, f.attribute, f.expected, f.actual) == (
        "TFD-DRIFT-023",
        Severity.LOW,
        attribute,
        expected,
        actual,
    )


@pytest.mark.parametrize(
    "arn",
    [f"arn:aws:ecs:{REGION}:{ACCT}:service/main/api", f"arn:aws:ecs:{REGION}:{ACCT}:service/api"],
)
def test_ecs_tags_lower_case_keys_new_and_old_style_arns(arn: str) -> None:
    f = one(
        drift(
            [service()],
            [ev("TagResource", {"resourceArn": arn, "tags": [{"key": "team", "value": "growth"}]})],
        )
    )
    assert (f.address, f.attribute, f.actual) == ("aws_ecs_service.api", "tags.team", "growth")
    assert (
        drift(
            [service()],
            [ev("TagResource", {"resourceArn": arn, "tags": [{"key": "team", "value": "payments"}]})],
        )
        == []
    )


def test_untag_of_undeclared_key_is_not_drift() -> None:
    arn = f"arn:aws:ecs:{REGION}:{ACCT}:cluster/main"
    cl = res("aws_ecs_cluster", "main", {"name": "main", "tags": {"a": "b"}}, kind="cluster")
    assert drift([cl], [ev("UntagResource", {"resourceArn": arn, "tagKeys": ["other"]})]) == []
    f = one(drift([cl], [ev("UntagResource", {"resourceArn": arn, "tagKeys": ["a"]})]))
    assert f.address == "aws_ecs_cluster.main"


def test_tags_on_task_definition_and_capacity_provider_arns() -> None:
    td = res("aws_ecs_task_definition", "api", {"family": "api", "tags": {}}, kind="task_definition")
    cp = res("aws_ecs_capacity_provider", "ec2", {"name": "ec2"}, kind="capacity_provider")
    events = [
        ev(
            "TagResource",
            {
                "resourceArn": f"arn:aws:ecs:{REGION}:{ACCT}:task-definition/api:3",
                "tags": [{"key": "x", "value": "1"}],
            },
        ),
        ev(
            "TagResource",
            {
                "resourceArn": f"arn:aws:ecs:{REGION}:{ACCT}:capacity-provider/ec2",
                "tags": [{"key": "x", "value": "1"}],
            },
        ),
    ]
    assert sorted(str(f.address) for f in drift([td, cp], events)) == [
        "aws_ecs_capacity_provider.ec2",
        "aws_ecs_task_definition.api",
    ]


# ---- ECS services


def test_manual_scale_is_medium_and_exec_on_is_high() -> None:
    events = [
        ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6}),
        ev(
            "UpdateService",
            {
                "cluster": f"arn:aws:ecs:{REGION}:{ACCT}:cluster/main",
                "service": f"arn:aws:ecs:{REGION}:{ACCT}:service/main/api",
                "enableExecuteCommand": True,
            },
            minutes=5,
        ),
    ]
    a, b = drift([service()], events)
    assert (a.rule_id, a.severity, a.expected, a.actual) == ("TFD-DRIFT-010", Severity.MEDIUM, 2, 6)
    assert (b.rule_id, b.severity, b.expected, b.actual) == ("TFD-DRIFT-012", Severity.HIGH, False, True)


def test_other_cluster_region_or_account_does_not_match() -> None:
    events = [
        ev("UpdateService", {"cluster": "blue", "service": "api", "desiredCount": 6}),
        ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6}, region="us-east-1"),
        ev(
            "UpdateService",
            {"service": f"arn:aws:ecs:{REGION}:444455556666:service/main/api", "desiredCount": 6},
        ),
    ]
    r = res("aws_ecs_service", "api", {"desired_count": 2}, kind="service", cluster="main", account=ACCT)
    assert drift([r], events) == []


def test_assign_public_ip_enabled_maps_to_bool_and_is_high() -> None:
    f = one(
        drift(
            [service()],
            [
                ev(
                    "UpdateService",
                    {
                        "cluster": "main",
                        "service": "api",
                        "networkConfiguration": {
                            "awsvpcConfiguration": {
                                "subnets": ["subnet-b", "subnet-a"],
                                "securityGroups": ["sg-1"],
                                "assignPublicIp": "ENABLED",
                            }
                        },
                    },
                )
            ],
        )
    )
    assert (f.rule_id, f.attribute, f.expected, f.actual, f.severity) == (
        "TFD-DRIFT-013",
        "network_configuration.assign_public_ip",
        False,
        True,
        Severity.HIGH,
    )


def test_task_definition_compared_by_family_and_revision() -> None:
    arn11 = f"arn:aws:ecs:{REGION}:{ACCT}:task-definition/api:11"
    assert (
        drift(
            [service()], [ev("UpdateService", {"cluster": "main", "service": "api", "taskDefinition": arn11})]
        )
        == []
    )
    f = one(
        drift(
            [service()],
            [ev("UpdateService", {"cluster": "main", "service": "api", "taskDefinition": "api:14"})],
        )
    )
    assert (f.rule_id, f.severity, f.expected, f.actual) == (
        "TFD-DRIFT-011",
        Severity.MEDIUM,
        "api:11",
        "api:14",
    )


def test_declared_value_unknown_is_reported_and_said() -> None:
    svc = service(task_definition=Unknown("aws_ecs_task_definition.api.arn"))
    f = one(
        drift([svc], [ev("UpdateService", {"cluster": "main", "service": "api", "taskDefinition": "api:14"})])
    )
    assert "declared value unknown" in f.message and any("declared value unknown" in n for n in f.notes)


def test_capacity_provider_strategy_is_high() -> None:
    svc = service(capacity_provider_strategy=[{"capacity_provider": "FARGATE", "weight": 1, "base": 0}])
    f = one(
        drift(
            [svc],
            [
                ev(
                    "UpdateService",
                    {
                        "cluster": "main",
                        "service": "api",
                        "capacityProviderStrategy": [
                            {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
                        ],
                    },
                )
            ],
        )
    )
    assert (f.rule_id, f.severity, f.attribute) == (
        "TFD-DRIFT-014",
        Severity.HIGH,
        "capacity_provider_strategy",
    )


def test_delete_service_is_critical() -> None:
    f = one(drift([service()], [ev("DeleteService", {"cluster": "main", "service": "api", "force": True})]))
    assert (f.rule_id, f.severity) == ("TFD-DRIFT-016", Severity.CRITICAL)


def test_service_in_default_cluster() -> None:
    svc = service(cluster=None)
    assert one(drift([svc], [ev("UpdateService", {"service": "api", "desiredCount": 3})])).actual == 3
    assert drift([svc], [ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 3})]) == []


def test_cluster_reference_resolved_to_declared_cluster() -> None:
    cl = res("aws_ecs_cluster", "main", {"name": "prod"}, kind="cluster", ident_name="prod")
    svc = service(cluster=Unknown("aws_ecs_cluster.main.id"))
    f = one(drift([cl, svc], [ev("UpdateService", {"cluster": "prod", "service": "api", "desiredCount": 5})]))
    assert not f.matched_by_pattern
    assert (
        drift([cl, svc], [ev("UpdateService", {"cluster": "other", "service": "api", "desiredCount": 5})])
        == []
    )


def test_unknown_name_matches_by_pattern_and_finding_says_so() -> None:
    svc = res(
        "aws_ecs_service",
        "api",
        {"desired_count": 2},
        kind="service",
        ident_name=Unknown("${var.env}-api", "*-api"),
        cluster="main",
    )
    f = one(
        drift([svc], [ev("UpdateService", {"cluster": "main", "service": "prod-api", "desiredCount": 4})])
    )
    assert f.matched_by_pattern and any("*-api" in n for n in f.notes)


# ---- not drift


def test_terraform_user_agent_is_not_drift() -> None:
    assert (
        drift(
            [service()],
            [ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6}, actor=TERRAFORM)],
        )
        == []
    )


def test_configured_principal_is_not_drift_and_spoofed_agent_is() -> None:
    settings = Settings(terraform_principals=(TF_ROLE,))
    event = ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6}, actor=TERRAFORM)
    assert drift([service()], [event], settings) == []
    spoofed = ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6}, actor=SPOOFER)
    f = one(drift([service()], [spoofed], settings))
    assert f.kind == "drift" and any("claims Terraform" in n for n in f.notes)
    # without configured principals the same user agent is trusted
    assert drift([service()], [spoofed]) == []


def test_ignore_changes_hides_and_show_ignored_lists_as_info() -> None:
    svc = service(ignore_changes=("desired_count",))
    event = ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6})
    assert drift([svc], [event]) == []
    f = one(drift([svc], [event], Settings(show_ignored=True)))
    assert f.severity == Severity.INFO and any("ignore_changes" in n for n in f.notes)
    # other attributes of the same event are still drift
    both = ev(
        "UpdateService",
        {"cluster": "main", "service": "api", "desiredCount": 6, "enableExecuteCommand": True},
    )
    assert [f.attribute for f in drift([svc], [both])] == ["enable_execute_command"]


def test_ignore_changes_all_and_nested_paths() -> None:
    assert (
        drift(
            [service(ignore_changes="all")],
            [ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6})],
        )
        == []
    )
    svc = service(ignore_changes=("network_configuration[0].assign_public_ip",))
    event = ev(
        "UpdateService",
        {
            "cluster": "main",
            "service": "api",
            "networkConfiguration": {"awsvpcConfiguration": {"assignPublicIp": "ENABLED"}},
        },
    )
    assert drift([svc], [event]) == []


def test_autoscaling_named_low_with_advice_or_nothing_when_ignored() -> None:
    event = ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 5}, actor=AAS)
    f = one(drift([service()], [event]))
    assert f.severity == Severity.LOW and "Application Auto Scaling" in f.message
    assert any("ignore_changes" in n for n in f.notes)
    assert drift([service(ignore_changes=("desired_count",))], [event]) == []


def test_codedeploy_task_sets_expected_on_code_deploy_services() -> None:
    svc = service(deployment_controller=[{"type": "CODE_DEPLOY"}])
    events = [
        ev(
            "CreateTaskSet",
            {"cluster": "main", "service": "api", "taskDefinition": "api:15"},
            actor=CODEDEPLOY,
        ),
        ev(
            "UpdateServicePrimaryTaskSet",
            {"cluster": "main", "service": "api", "primaryTaskSet": "ts-1"},
            actor=CODEDEPLOY,
        ),
        ev("DeleteTaskSet", {"cluster": "main", "service": "api", "taskSet": "ts-0"}, actor=CODEDEPLOY),
        ev(
            "UpdateService",
            {"cluster": "main", "service": "api", "taskDefinition": "api:15"},
            actor=CODEDEPLOY,
        ),
    ]
    assert drift([svc], events) == []
    # the same task set on a service Terraform deploys itself is drift
    f = drift([service()], events[:1])
    assert [x.rule_id for x in f] == ["TFD-DRIFT-011"]


def test_failed_calls_are_attempts_never_drift() -> None:
    denied = ecr(
        "PutImageScanningConfiguration",
        {"repositoryName": "api", "imageScanningConfiguration": {"scanOnPush": False}},
        error_code="AccessDeniedException",
    )
    f = one(drift([repo()], [denied]))
    assert (f.kind, f.rule_id, f.severity) == ("attempt", "TFD-DRIFT-028", Severity.MEDIUM)
    other = ev(
        "UpdateService",
        {"cluster": "main", "service": "api", "desiredCount": 9},
        error_code="ServiceNotActiveException",
    )
    g = one(drift([service()], [other]))
    assert (g.kind, g.severity) == ("attempt", Severity.INFO)


def test_read_only_and_service_events_are_dropped() -> None:
    events = [
        ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6}, read_only=True),
        ecr("PolicyExecutionEvent", {}, event_type="AwsServiceEvent"),
        ev("DescribeServices", {"cluster": "main", "services": ["api"]}, read_only=True),
    ]
    assert drift([service(), repo()], events) == []


def test_duplicate_event_ids_are_reported_once() -> None:
    a = ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6}, event_id="dup")
    assert len(drift([service()], [a, a])) == 1


# ---- creates, unmanaged, task definitions, clusters


def test_undeclared_create_in_same_place_is_unmanaged() -> None:
    f = one(drift([repo()], [ecr("CreateRepository", {"repositoryName": "scratch"})]))
    assert (f.kind, f.rule_id, f.address, f.resource_type, f.actual) == (
        "unmanaged",
        "TFD-DRIFT-027",
        None,
        "aws_ecr_repository",
        "scratch",
    )
    # another region: not this project's business
    assert drift([repo()], [ecr("CreateRepository", {"repositoryName": "scratch"}, region="us-east-1")]) == []
    # Terraform creating something this root does not declare (another root): not unmanaged
    assert drift([repo()], [ecr("CreateRepository", {"repositoryName": "scratch"}, actor=TERRAFORM)]) == []


def test_declared_resource_created_out_of_band() -> None:
    findings = drift(
        [repo()],
        [ecr("CreateRepository", {"repositoryName": "api", "imageTagMutability": "MUTABLE"}, actor=ALICE)],
    )
    assert sorted(f.rule_id for f in findings) == ["TFD-DRIFT-001", "TFD-DRIFT-026"]


def test_register_task_definition_reports_container_changes_masking_secrets() -> None:
    declared = [
        {
            "name": "api",
            "image": "repo/api:3f9c2e1",
            "environment": [{"name": "DB_PASSWORD", "value": "old"}, {"name": "ENV", "value": "prod"}],
        }
    ]
    td = res(
        "aws_ecs_task_definition",
        "api",
        {
            "family": "api",
            "container_definitions": declared,
            "cpu": 512,
            "task_role_arn": "arn:aws:iam::1:role/a",
        },
        kind="task_definition",
    )
    request = {
        "family": "api",
        "cpu": "512",
        "taskRoleArn": "arn:aws:iam::1:role/admin",
        "containerDefinitions": [
            {
                "name": "api",
                "image": "repo/api:latest",
                "privileged": True,
                "environment": [{"name": "DB_PASSWORD", "value": "new"}, {"name": "ENV", "value": "prod"}],
            }
        ],
    }
    findings = drift(
        [td], [ev("RegisterTaskDefinition", request, response={"taskDefinition": {"revision": 14}})]
    )
    by_attr = {f.attribute: f for f in findings}
    assert set(by_attr) == {
        "container_definitions[api].image",
        "container_definitions[api].privileged",
        "container_definitions[api].environment",
        "task_role_arn",
    }
    assert by_attr["container_definitions[api].privileged"].severity == Severity.HIGH
    assert by_attr["task_role_arn"].severity == Severity.HIGH
    assert by_attr["container_definitions[api].image"].severity == Severity.MEDIUM
    env = by_attr["container_definitions[api].environment"]
    # every environment value is hidden, whatever its name; the one that changed says so
    assert env.expected == {"DB_PASSWORD": "(hidden)", "ENV": "(hidden)"}
    assert env.actual == {"DB_PASSWORD": "(hidden, changed)", "ENV": "(hidden)"}
    assert "new" not in env.message and "prod" not in env.message
    assert "revision 14" in by_attr["task_role_arn"].message


def test_register_identical_revision_is_still_reported() -> None:
    declared = [{"name": "api", "image": "repo/api:1"}]
    td = res(
        "aws_ecs_task_definition",
        "api",
        {"family": "api", "container_definitions": declared},
        kind="task_definition",
    )
    f = one(drift([td], [ev("RegisterTaskDefinition", {"family": "api", "containerDefinitions": declared})]))
    assert (f.rule_id, f.severity, f.attribute) == ("TFD-DRIFT-020", Severity.MEDIUM, None)


def test_cluster_settings_exec_logging_and_delete() -> None:
    cl = res(
        "aws_ecs_cluster",
        "main",
        {"name": "main", "setting": [{"name": "containerInsights", "value": "enabled"}]},
        kind="cluster",
    )
    events = [
        ev(
            "UpdateClusterSettings",
            {"cluster": "main", "settings": [{"name": "containerInsights", "value": "disabled"}]},
        ),
        ev(
            "UpdateCluster",
            {"cluster": "main", "configuration": {"executeCommandConfiguration": {"logging": "NONE"}}},
            minutes=1,
        ),
        ev("DeleteCluster", {"cluster": "main"}, minutes=2),
    ]
    a, b, c = drift([cl], events)
    assert (a.attribute, a.expected, a.actual, a.severity) == (
        "setting.containerInsights",
        "enabled",
        "disabled",
        Severity.HIGH,
    )
    assert (b.attribute, b.severity) == ("configuration.execute_command_configuration.logging", Severity.HIGH)
    assert (c.rule_id, c.severity) == ("TFD-DRIFT-019", Severity.CRITICAL)


def test_delete_cluster_from_eks_is_ignored() -> None:
    cl = res("aws_ecs_cluster", "main", {"name": "main"}, kind="cluster")
    assert drift([cl], [ev("DeleteCluster", {"name": "main"}, source="eks.amazonaws.com")]) == []


def test_put_cluster_capacity_providers() -> None:
    ccp = res(
        "aws_ecs_cluster_capacity_providers",
        "main",
        {"cluster_name": "main", "capacity_providers": ["FARGATE"]},
        kind="cluster_capacity_providers",
    )
    cl = res("aws_ecs_cluster", "main", {"name": "main"}, kind="cluster")
    f = one(
        drift(
            [cl, ccp],
            [
                ev(
                    "PutClusterCapacityProviders",
                    {
                        "cluster": "main",
                        "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                        "defaultCapacityProviderStrategy": [],
                    },
                )
            ],
        )
    )
    assert (f.address, f.rule_id, f.severity) == (
        "aws_ecs_cluster_capacity_providers.main",
        "TFD-DRIFT-018",
        Severity.HIGH,
    )


def test_execute_command_is_an_access_finding_graded_by_declared_exec() -> None:
    req = {
        "cluster": "main",
        "task": f"arn:aws:ecs:{REGION}:{ACCT}:task/main/abc",
        "container": "api",
        "command": "/bin/sh",
        "interactive": True,
    }
    f = one(drift([service(enable_execute_command=True)], [ev("ExecuteCommand", req)]))
    assert (f.kind, f.rule_id, f.severity, f.address) == (
        "attempt",
        "TFD-DRIFT-029",
        Severity.LOW,
        "aws_ecs_service.api",
    )
    g = one(drift([service()], [ev("ExecuteCommand", req)]))
    assert g.severity == Severity.HIGH and any("turned on outside Terraform" in n for n in g.notes)


def test_container_instances_state_is_info() -> None:
    cl = res("aws_ecs_cluster", "main", {"name": "main"}, kind="cluster")
    f = one(
        drift(
            [cl],
            [
                ev(
                    "UpdateContainerInstancesState",
                    {"cluster": "main", "containerInstances": ["a", "b"], "status": "DRAINING"},
                )
            ],
        )
    )
    assert (f.rule_id, f.severity) == ("TFD-DRIFT-030", Severity.INFO)


def test_capacity_provider_and_account_setting() -> None:
    cp = res(
        "aws_ecs_capacity_provider",
        "ec2",
        {
            "name": "ec2",
            "auto_scaling_group_provider": [
                {"managed_scaling": [{"status": "ENABLED", "target_capacity": 90}]}
            ],
        },
        kind="capacity_provider",
    )
    f = one(
        drift(
            [cp],
            [
                ev(
                    "UpdateCapacityProvider",
                    {
                        "name": "ec2",
                        "autoScalingGroupProvider": {
                            "managedScaling": {"status": "DISABLED", "targetCapacity": 90}
                        },
                    },
                )
            ],
        )
    )
    assert (f.attribute, f.expected, f.actual) == (
        "auto_scaling_group_provider.managed_scaling.status",
        "ENABLED",
        "DISABLED",
    )
    acc = res(
        "aws_ecs_account_setting_default",
        "insights",
        {"name": "containerInsights", "value": "enabled"},
        kind="account_setting",
        ident_name="containerInsights",
    )
    g = one(
        drift([acc], [ev("PutAccountSettingDefault", {"name": "containerInsights", "value": "disabled"})])
    )
    assert (g.rule_id, g.actual) == ("TFD-DRIFT-024", "disabled")


# ---- plan, settings


def test_plan_revert_is_said() -> None:
    svc = service(
        planned={"desired_count": 2},
        plan_actions=("update",),
    )
    f = one(
        drift(
            [svc],
            [ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6}, actor=ALICE)],
        )
    )
    assert f.reverted_by_plan is True
    assert f.notes[0].startswith(
        "applying this change reverts a manual change by alice@example.com made 2 days ago"
    )
    assert "alice@example.com via the console" in f.message
    no_plan = one(
        drift([service()], [ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6})])
    )
    assert no_plan.reverted_by_plan is None
    adopts = service(planned={"desired_count": 6}, plan_actions=("no-op",))
    assert (
        one(
            drift([adopts], [ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6})])
        ).reverted_by_plan
        is False
    )


def test_later_terraform_revert_is_noted() -> None:
    events = [
        ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6}),
        ev(
            "UpdateService",
            {"cluster": "main", "service": "api", "desiredCount": 2},
            actor=TERRAFORM,
            minutes=60,
            event_id="tf-1",
        ),
    ]
    f = one(drift([service()], events))
    assert any("Terraform set it back" in n and "tf-1" in n for n in f.notes)


def test_drift_rules_regrade_and_rule_overrides() -> None:
    event = ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6})
    s = Settings(
        drift_rules=(
            DriftRuleSetting(
                name="scale",
                resource_types=("aws_ecs_service",),
                watched_attributes=("desired_count",),
                severity=Severity.CRITICAL,
            ),
        )
    )
    f = one(drift([service()], [event], s))
    assert f.severity == Severity.CRITICAL and any("scale" in n for n in f.notes)
    other = DriftRuleSetting(name="x", resource_types=("aws_ecr_repository",), severity=Severity.INFO)
    assert one(drift([service()], [event], Settings(drift_rules=(other,)))).severity == Severity.MEDIUM
    assert drift([service()], [event], Settings(rules={"TFD-DRIFT-010": RuleSetting(enabled=False)})) == []
    low = Settings(rules={"TFD-DRIFT-010": RuleSetting(severity=Severity.LOW)})
    assert one(drift([service()], [event], low)).severity == Severity.LOW


def test_task_definition_reference_compares_family_from_pattern() -> None:
    ref = Unknown("aws_ecs_task_definition.api.arn", "arn:aws*:ecs:*:*:task-definition/api:*")
    other = one(
        drift(
            [service(task_definition=ref)],
            [ev("UpdateService", {"cluster": "main", "service": "api", "taskDefinition": "debug:1"})],
        )
    )
    assert other.expected == "api:(revision unknown)" and "declared value unknown" not in other.message
    same = one(
        drift(
            [service(task_definition=ref)],
            [ev("UpdateService", {"cluster": "main", "service": "api", "taskDefinition": "api:15"})],
        )
    )
    assert any("same family api" in n for n in same.notes)


def test_spoofed_terraform_is_described_as_unverified() -> None:
    settings = Settings(terraform_principals=(TF_ROLE,))
    f = one(
        drift(
            [service()],
            [ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6}, actor=SPOOFER)],
            settings,
        )
    )
    assert f.message.startswith("mallory via a client whose user agent claims Terraform")


def test_terraform_own_failed_calls_are_not_attempts() -> None:
    event = ev(
        "UpdateService",
        {"cluster": "main", "service": "api", "desiredCount": 3},
        actor=TERRAFORM,
        error_code="AccessDeniedException",
    )
    assert drift([service()], [event]) == []


def test_default_tags_from_a_plan_are_declared() -> None:
    r = res(
        "aws_ecr_repository",
        "api",
        {"name": "api", "tags": {"team": "payments"}, "tags_all": {"team": "payments", "env": "prod"}},
        kind="repository",
    )
    arn = f"arn:aws:ecr:{REGION}:{ACCT}:repository/api"
    assert (
        drift([r], [ecr("TagResource", {"resourceArn": arn, "tags": [{"Key": "env", "Value": "prod"}]})])
        == []
    )
    f = one(drift([r], [ecr("UntagResource", {"resourceArn": arn, "tagKeys": ["env"]})]))
    assert (f.attribute, f.expected) == ("tags.env", "prod")


def test_truncated_register_uses_the_response_echo_and_says_so() -> None:
    declared = [{"name": "api", "image": "repo/api:1"}]
    td = res(
        "aws_ecs_task_definition",
        "api",
        {"family": "api", "container_definitions": declared},
        kind="task_definition",
    )
    event = replace(
        ev(
            "RegisterTaskDefinition",
            {"family": "api"},
            response={
                "taskDefinition": {
                    "revision": 3,
                    "containerDefinitions": [{"name": "api", "image": "repo/api:2"}],
                }
            },
        ),
        truncated=True,
    )
    f = one(drift([td], [event]))
    assert (f.attribute, f.actual) == ("container_definitions[api].image", "repo/api:2")
    assert any("truncated" in n for n in f.notes)


def test_failed_autoscaling_calls_and_probes_are_not_attempts() -> None:
    probe = replace(
        AAS, service="application-autoscaling.amazonaws.com", role_arn=None, arn=None, user_agent=None
    )
    events = [
        ev(
            "UpdateService",
            {"cluster": "main", "service": "api", "desiredCount": 9},
            actor=AAS,
            error_code="AccessDeniedException",
        ),
        ev(
            "UpdateService",
            {"cluster": "main", "service": "api", "desiredCount": 2},
            actor=probe,
            error_code="AccessDeniedException",
        ),
    ]
    assert drift([service()], events) == []


def test_manual_set_back_is_noted_on_the_earlier_change() -> None:
    events = [
        ev("UpdateService", {"cluster": "main", "service": "api", "enableExecuteCommand": True}),
        ev(
            "UpdateService",
            {"cluster": "main", "service": "api", "enableExecuteCommand": False},
            actor=ALICE,
            minutes=30,
        ),
    ]
    f = one(drift([service()], events))
    assert f.actual is True
    assert any(
        n.startswith("alice@example.com via the console") and "set it back to false" in n for n in f.notes
    )


def test_console_form_defaults_for_undeclared_attributes_are_not_drift() -> None:
    console_form = {
        "cluster": "main",
        "service": "api",
        "desiredCount": 2,
        "platformVersion": "LATEST",
        "healthCheckGracePeriodSeconds": 0,
        "loadBalancers": [],
        "serviceRegistries": [],
        "placementConstraints": [],
        "propagateTags": "NONE",
        "enableECSManagedTags": False,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "forceNewDeployment": False,
    }
    assert drift([service()], [ev("UpdateService", console_form, actor=ALICE)]) == []
    # a real value in an undeclared attribute is still reported
    f = one(drift([service()], [ev("UpdateService", {**console_form, "healthCheckGracePeriodSeconds": 600})]))
    assert (f.attribute, f.expected, f.actual) == ("health_check_grace_period_seconds", None, 600)


def test_same_capacity_provider_strategy_with_zero_base_is_not_drift() -> None:
    svc = service(capacity_provider_strategy=[{"capacity_provider": "FARGATE", "weight": 1}])
    req = {
        "cluster": "main",
        "service": "api",
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
    }
    assert drift([svc], [ev("UpdateService", req)]) == []


def test_unmanaged_services_only_in_clusters_the_project_uses() -> None:
    create = ev("CreateService", {"cluster": "main", "serviceName": "debug"})
    f = one(drift([service()], [create]))
    assert (f.kind, f.actual) == ("unmanaged", "main/debug")
    other = ev("CreateService", {"cluster": "team-b", "serviceName": "debug"})
    assert drift([service()], [other]) == []


def test_delete_task_definitions_names_each_declared_family() -> None:
    td = res("aws_ecs_task_definition", "api", {"family": "api"}, kind="task_definition")
    event = ev(
        "DeleteTaskDefinitions",
        {"taskDefinitions": ["api:3", f"arn:aws:ecs:{REGION}:{ACCT}:task-definition/api:4", "other:1"]},
    )
    f = one(drift([td], [event]))
    assert f.rule_id == "TFD-DRIFT-021" and "deleted api:3" in f.message


def test_tag_mutability_exclusions_are_graded() -> None:
    req = {
        "repositoryName": "api",
        "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
        "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "latest"}],
    }
    by_attr = {f.attribute: f.severity for f in drift([repo()], [ecr("PutImageTagMutability", req)])}
    assert by_attr == {
        "image_tag_mutability": Severity.MEDIUM,
        "image_tag_mutability_exclusion_filter": Severity.HIGH,
    }


def test_multi_account_events_with_unknown_resource_account_say_so() -> None:
    events = [
        ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6}),
        ev(
            "UpdateService",
            {"cluster": "main", "service": "api", "desiredCount": 2},
            account="444455556666",
            actor=TERRAFORM,
        ),
    ]
    f = one(drift([service()], events))
    assert any("events come from 2 accounts" in n for n in f.notes)
    pinned = res("aws_ecs_service", "api", {"desired_count": 2}, kind="service", cluster="main", account=ACCT)
    g = one(drift([pinned], events))
    assert not any("accounts" in n for n in g.notes)


def test_unknown_region_with_multi_region_events_says_so() -> None:
    anywhere = res(
        "aws_ecs_service", "api", {"desired_count": 2}, kind="service", cluster="main", region=None
    )
    events = [
        ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6}),
        ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 7}, region="us-east-1"),
    ]
    findings = drift([anywhere], events)
    assert len(findings) == 2 and all(any("2 regions" in n for n in f.notes) for f in findings)


def test_ignore_changes_on_one_tag_key() -> None:
    svc = service(ignore_changes=('tags["team"]',))
    arn = f"arn:aws:ecs:{REGION}:{ACCT}:service/main/api"
    events = [
        ev("TagResource", {"resourceArn": arn, "tags": [{"key": "team", "value": "growth"}]}),
        ev("TagResource", {"resourceArn": arn, "tags": [{"key": "owner", "value": "bob"}]}, minutes=1),
    ]
    assert [f.attribute for f in drift([svc], events)] == ["tags.owner"]


def test_daemon_services_have_no_desired_count_drift() -> None:
    daemon = service(scheduling_strategy="DAEMON")
    assert (
        drift([daemon], [ev("UpdateService", {"cluster": "main", "service": "api", "desiredCount": 6})]) == []
    )
