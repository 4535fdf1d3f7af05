"""TFD-ECS-002: ECS Exec session output must not be switched off (``logging = "NONE"``).

Encryption of the session and of its log (checkov CKV_AWS_224) is TFD-ECS-017
(``ecs_exec_encryption.py``); until both were split, TFD-ECS-002 reported both conditions.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-logging
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommandConfiguration.html
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_cluster#execute_command_configuration
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line, exec_configuration, upper

ATTRIBUTE = "configuration.execute_command_configuration.logging"

RULE = Rule(
    id="TFD-ECS-002",
    kind="config",
    severity=Severity.MEDIUM,
    title="ECS Exec session output is not logged",
    resource_types=("aws_ecs_cluster",),
    peers=PeerIds(checkov=("CKV_AWS_223",)),
    mitre=("T1609",),
    remediation=(
        'Set configuration { execute_command_configuration { logging = "DEFAULT" } } (or "OVERRIDE" '
        "with a log_configuration), or remove logging."
    ),
    docs=RuleDoc(
        what=(
            '`configuration.execute_command_configuration.logging` on `aws_ecs_cluster`. `"NONE"` '
            'fails. `"DEFAULT"` passes, and so does an unset `logging` or a cluster without '
            "`execute_command_configuration`: AWS then sends the session output to the awslogs "
            'configuration of the task definition. `"OVERRIDE"` passes (the output goes to the '
            "declared CloudWatch log group or S3 bucket). This is checkov's CKV_AWS_223. Whether "
            "the session and its log are encrypted with a customer key is TFD-ECS-017; up to "
            "tfdrift-ci 0.1.0, TFD-ECS-002 reported both (an `ignore:` entry or "
            "`tfdrift:ignore:TFD-ECS-002` comment meant for the missing key now needs TFD-ECS-017)."
        ),
        why=(
            "Exec sessions are interactive shells in running containers; the session log is the "
            'audit trail of what was typed and printed. `logging = "NONE"` turns it off for every '
            "service of the cluster, so nobody can reconstruct what happened in a session."
        ),
        example=(
            'resource "aws_ecs_cluster" "logging_none_bad" {\n'
            '  name = "main"\n'
            "  configuration {\n"
            "    execute_command_configuration {\n"
            '      logging = "NONE"\n'
            "    }\n"
            "  }\n"
            "}\n\n"
            'resource "aws_ecs_cluster" "logging_default_ok" {\n'
            '  name = "main"\n'
            "  configuration {\n"
            "    execute_command_configuration {\n"
            "      kms_key_id = aws_kms_key.exec.arn\n"
            '      logging    = "DEFAULT"\n'
            "    }\n"
            "  }\n"
            "}"
        ),
        fix=(
            'Remove `logging = "NONE"` (the default logs through the task definition\'s awslogs '
            'configuration) or set `logging = "OVERRIDE"` with a `log_configuration` naming an '
            "encrypted CloudWatch log group or S3 bucket."
        ),
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    exec_cfg = exec_configuration(resource)
    if exec_cfg is None:
        return
    logging = exec_cfg.get("logging")
    if upper(logging) == "NONE":
        yield Hit(
            message='execute_command_configuration.logging = "NONE": exec session output is not '
            "recorded anywhere",
            attribute=ATTRIBUTE,
            actual=logging,
            expected="DEFAULT or OVERRIDE",
            line=attr_line(resource, ATTRIBUTE),
        )
