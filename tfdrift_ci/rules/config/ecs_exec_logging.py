"""TFD-ECS-002: ECS Exec sessions on a cluster must be logged and encrypted with a customer key.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-logging
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_cluster#execute_command_configuration
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity, Unknown
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import as_bool, attr_line, block, related, upper

ATTRIBUTE = "configuration.execute_command_configuration"

RULE = Rule(
    id="TFD-ECS-002",
    kind="config",
    severity=Severity.MEDIUM,
    title="ECS Exec sessions are not logged or not encrypted with a customer key",
    resource_types=("aws_ecs_cluster",),
    peers=PeerIds(checkov=("CKV_AWS_224",)),
    mitre=("T1609",),
    remediation=(
        'Set configuration { execute_command_configuration { logging = "DEFAULT" or "OVERRIDE", '
        "kms_key_id = <customer key> } }."
    ),
    docs=RuleDoc(
        what=(
            '`configuration.execute_command_configuration` on `aws_ecs_cluster`. `logging = "NONE"` '
            "fails (medium): exec session output is not recorded. A declared "
            "`execute_command_configuration` without `kms_key_id` fails (low): the session channel is "
            "not encrypted with a customer key. A cluster with no exec configuration at all is only "
            "reported (low) when a service in the project enables execute-command on it; clusters "
            "nobody can exec into are left alone."
        ),
        why=(
            "Exec sessions are interactive shells in production containers; the audit trail of what "
            "was typed is the session log. A customer KMS key adds encryption of the session data "
            "channel and lets you restrict who can open sessions through the key policy."
        ),
        example=(
            'resource "aws_ecs_cluster" "nolog_bad" {\n'
            '  name = "main"\n'
            "  configuration {\n"
            "    execute_command_configuration {\n"
            '      logging = "NONE"\n'
            "    }\n"
            "  }\n"
            "}\n\n"
            'resource "aws_ecs_cluster" "logged_ok" {\n'
            '  name = "main"\n'
            "  configuration {\n"
            "    execute_command_configuration {\n"
            "      kms_key_id = aws_kms_key.exec.arn\n"
            '      logging    = "OVERRIDE"\n'
            "      log_configuration {\n"
            "        cloud_watch_encryption_enabled = true\n"
            "        cloud_watch_log_group_name     = aws_cloudwatch_log_group.exec.name\n"
            "      }\n"
            "    }\n"
            "  }\n"
            "}"
        ),
        fix=(
            "Declare `configuration { execute_command_configuration { kms_key_id = …, logging = "
            '"OVERRIDE", log_configuration { … } } }` with an encrypted CloudWatch log group or S3 '
            "bucket."
        ),
    ),
)


def _exec_services(resource: Resource, ctx: ConfigContext) -> list[str]:
    return sorted(
        s.address
        for s in related(ctx.inventory, "aws_ecs_service", "cluster", resource)
        if as_bool(s.attributes.get("enable_execute_command")) is True
    )


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    conf = block(resource.attributes, "configuration")
    if isinstance(resource.attributes.get("configuration"), Unknown):
        return
    exec_cfg = block(conf, "execute_command_configuration") if conf is not None else None
    if conf is not None and isinstance(conf.get("execute_command_configuration"), Unknown):
        return
    line = attr_line(resource, "configuration")
    if exec_cfg is None:
        services = _exec_services(resource, ctx)
        if services:
            yield Hit(
                message="no execute_command_configuration while "
                f"{', '.join(services)} enable execute-command on this cluster: sessions are not "
                "encrypted with a customer key",
                attribute=f"{ATTRIBUTE}.kms_key_id",
                actual=None,
                expected="a customer managed KMS key",
                line=line,
                severity=Severity.LOW,
            )
        return
    logging = exec_cfg.get("logging")
    if upper(logging) == "NONE":
        yield Hit(
            message='execute_command_configuration.logging = "NONE": exec sessions are not logged',
            attribute=f"{ATTRIBUTE}.logging",
            actual=logging,
            expected="DEFAULT or OVERRIDE",
            line=line,
        )
    key = exec_cfg.get("kms_key_id")
    if not key and not isinstance(key, Unknown):
        yield Hit(
            message="execute_command_configuration has no kms_key_id: the exec session channel is "
            "not encrypted with a customer key",
            attribute=f"{ATTRIBUTE}.kms_key_id",
            actual=None,
            expected="a customer managed KMS key",
            line=line,
            severity=Severity.LOW,
        )
