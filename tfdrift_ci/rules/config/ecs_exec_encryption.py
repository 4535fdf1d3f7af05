"""TFD-ECS-017: ECS Exec sessions and their logs must be encrypted with a customer managed key.

Split from TFD-ECS-002 (which keeps "exec output not logged", checkov CKV_AWS_223); this is checkov's
CKV_AWS_224.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-logging
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommandConfiguration.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommandLogConfiguration.html
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_cluster#execute_command_configuration
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tfdrift_ci.models import Resource, Severity, Unknown
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import (
    as_bool,
    attr_line,
    block,
    exec_configuration,
    exec_configuration_unknown,
    related,
    upper,
)

BASE = "configuration.execute_command_configuration"
KEY = f"{BASE}.kms_key_id"
LOG = f"{BASE}.log_configuration"
# (name attribute, encryption flag, what it is) per destination of log_configuration
DESTINATIONS = (
    ("cloud_watch_log_group_name", "cloud_watch_encryption_enabled", "a CloudWatch log group"),
    ("s3_bucket_name", "s3_bucket_encryption_enabled", "an S3 bucket"),
)

RULE = Rule(
    id="TFD-ECS-017",
    kind="config",
    severity=Severity.LOW,
    title="ECS Exec session or its log is not encrypted with a customer key",
    resource_types=("aws_ecs_cluster",),
    peers=PeerIds(checkov=("CKV_AWS_224",)),
    mitre=("T1609",),
    remediation=(
        "Set configuration { execute_command_configuration { kms_key_id = <customer key>, "
        'logging = "OVERRIDE", log_configuration { cloud_watch_encryption_enabled = true, … } } }.'
    ),
    docs=RuleDoc(
        what=(
            "`configuration.execute_command_configuration` on `aws_ecs_cluster`, as checkov's "
            "CKV_AWS_224 reads it. A declared exec configuration without `kms_key_id` fails: the "
            "session channel between the client and the container is not encrypted with a customer "
            "key. With a key, the session log must go to an encrypted destination: a "
            "`log_configuration` whose `cloud_watch_log_group_name` has "
            "`cloud_watch_encryption_enabled = true` or whose `s3_bucket_name` has "
            "`s3_bucket_encryption_enabled = true`; a flag that is `false` or unset fails. "
            '`logging = "DEFAULT"` (or unset) with a key but no encrypted `log_configuration` fails '
            "too, as in checkov: the output goes to the task definition's awslogs log group, whose "
            'encryption the cluster does not declare. `logging = "NONE"` records nothing, so only the '
            "key is checked (the missing log itself is TFD-ECS-002). Two documented differences from "
            "checkov: when both a log group and a bucket are named, each must be encrypted (checkov "
            "accepts one of the two); and a cluster with no exec configuration at all is reported "
            "when a service of the project enables execute-command on it (checkov does not evaluate "
            "it) — clusters nobody can exec into are left alone. Values the inventory cannot "
            "evaluate (a key from a variable without a value) are not evaluated. Up to tfdrift-ci "
            "0.1.0 this condition was part of TFD-ECS-002: a suppression written for it then needs "
            "TFD-ECS-017 (or `CKV_AWS_224`) now."
        ),
        why=(
            "Exec sessions carry everything typed into and printed by a production shell, secrets "
            "included. A customer KMS key encrypts the session data channel and lets the key policy "
            "decide who may open sessions at all; the session log holds the same text at rest and "
            "needs the same protection."
        ),
        example=(
            'resource "aws_ecs_cluster" "no_key_bad" {\n'
            '  name = "main"\n'
            "  configuration {\n"
            "    execute_command_configuration {\n"
            '      logging = "DEFAULT"\n'
            "    }\n"
            "  }\n"
            "}\n\n"
            'resource "aws_ecs_cluster" "override_encrypted_ok" {\n'
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
            "Create a customer managed KMS key for exec sessions, set `kms_key_id`, and send the "
            'session log to a KMS-encrypted log group or bucket with `logging = "OVERRIDE"` and '
            "`log_configuration { cloud_watch_encryption_enabled = true, cloud_watch_log_group_name = "
            "… }` (or the `s3_bucket_*` pair)."
        ),
    ),
)


def _exec_services(resource: Resource, ctx: ConfigContext) -> list[str]:
    return sorted(
        s.address
        for s in related(ctx.inventory, "aws_ecs_service", "cluster", resource)
        if as_bool(s.attributes.get("enable_execute_command")) is True
    )


def _unset(value: object) -> bool:
    return value is None or value == ""


def _log_hits(resource: Resource, log_cfg: Mapping[str, Any]) -> Iterable[Hit]:
    named = []
    for name_attr, flag_attr, label in DESTINATIONS:
        name, flag = log_cfg.get(name_attr), log_cfg.get(flag_attr)
        if _unset(name):
            continue
        named.append(flag)
        if isinstance(flag, Unknown) or as_bool(flag) is True:
            continue
        shown = "unset" if flag is None else f"= {str(flag).lower()}"
        yield Hit(
            message=f"exec session logs go to {label} with {flag_attr} {shown}: the log is not encrypted",
            attribute=(path := f"{LOG}.{flag_attr}"),
            actual=flag,
            expected=True,
            line=attr_line(resource, path),
        )
    if named:
        return
    # No destination named: as checkov, either encryption flag set to true passes.
    flags = [log_cfg.get(flag_attr) for _, flag_attr, _ in DESTINATIONS]
    if any(isinstance(f, Unknown) or as_bool(f) is True for f in flags):
        return
    yield Hit(
        message="log_configuration names no encrypted destination: set cloud_watch_encryption_enabled "
        "or s3_bucket_encryption_enabled to true",
        attribute=LOG,
        actual=None,
        expected="an encrypted CloudWatch log group or S3 bucket",
        line=attr_line(resource, LOG),
    )


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    if exec_configuration_unknown(resource):
        return
    exec_cfg = exec_configuration(resource)
    if exec_cfg is None:
        services = _exec_services(resource, ctx)
        if services:
            yield Hit(
                message="no execute_command_configuration while "
                f"{', '.join(services)} {'enables' if len(services) == 1 else 'enable'} "
                "execute-command on this cluster: sessions are not "
                "encrypted with a customer key",
                attribute=KEY,
                actual=None,
                expected="a customer managed KMS key",
                line=attr_line(resource, "configuration"),
            )
        return
    key = exec_cfg.get("kms_key_id")
    has_key = not _unset(key)
    if not has_key:
        yield Hit(
            message="execute_command_configuration has no kms_key_id: the exec session channel is "
            "not encrypted with a customer key",
            attribute=KEY,
            actual=None,
            expected="a customer managed KMS key",
            line=attr_line(resource, BASE),
        )
    logging_value = exec_cfg.get("logging")
    if isinstance(logging_value, Unknown):
        return
    logging = upper(logging_value) or "DEFAULT"
    if logging == "NONE":
        return  # nothing is logged (TFD-ECS-002 says so); only the key matters
    raw_log = exec_cfg.get("log_configuration")
    if isinstance(raw_log, Unknown):
        return
    log_cfg = block(exec_cfg, "log_configuration")
    if log_cfg is None:
        if logging == "OVERRIDE":
            yield Hit(
                message='logging = "OVERRIDE" without a log_configuration: no encrypted destination '
                "is declared for the session log",
                attribute=LOG,
                actual=None,
                expected="an encrypted CloudWatch log group or S3 bucket",
                line=attr_line(resource, f"{BASE}.logging"),
            )
        elif has_key:
            # Without a key the hit above already says the cluster declares no customer encryption.
            yield Hit(
                message=f'logging = "{logging}" sends exec session output to the task definition\'s '
                "awslogs log group, whose encryption this cluster does not declare",
                attribute=LOG,
                actual=None,
                expected='logging = "OVERRIDE" with an encrypted log_configuration',
                line=attr_line(resource, BASE),
            )
        return
    yield from _log_hits(resource, log_cfg)
