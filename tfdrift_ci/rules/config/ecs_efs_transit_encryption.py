"""TFD-ECS-010: EFS volumes of a task must use encryption in transit.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_task_definition#efs_volume_configuration
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity, Unknown
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line, block, blocks, upper

RULE = Rule(
    id="TFD-ECS-010",
    kind="config",
    severity=Severity.MEDIUM,
    title="ECS task mounts an EFS volume without encryption in transit",
    resource_types=("aws_ecs_task_definition",),
    peers=PeerIds(
        checkov=("CKV_AWS_97",),
        trivy=("AVD-AWS-0035", "aws-ecs-enable-in-transit-encryption"),
        kics=("4d46ff3b-7160-41d1-a310-71d6d370b08f",),  # ECS Task Definition Volume Not Encrypted
    ),
    mitre=("T1040",),
    remediation='Set volume { efs_volume_configuration { transit_encryption = "ENABLED" } }.',
    docs=RuleDoc(
        what=(
            "Every `volume` of `aws_ecs_task_definition` with an `efs_volume_configuration`: "
            "`transit_encryption` `DISABLED` or omitted (the default is disabled) fails; `ENABLED` "
            "passes. Volumes without EFS are not concerned."
        ),
        why=(
            "Without TLS, file contents travel in clear between the task and the EFS mount target; "
            "transit encryption is also required to use EFS access points with IAM authorization."
        ),
        example=(
            'resource "aws_ecs_task_definition" "efs_bad" {\n'
            '  family = "api"\n'
            "  volume {\n"
            '    name = "data"\n'
            "    efs_volume_configuration {\n"
            "      file_system_id = aws_efs_file_system.data.id\n"
            "    }\n"
            "  }\n"
            "}\n\n"
            'resource "aws_ecs_task_definition" "efs_ok" {\n'
            '  family = "api"\n'
            "  volume {\n"
            '    name = "data"\n'
            "    efs_volume_configuration {\n"
            "      file_system_id     = aws_efs_file_system.data.id\n"
            '      transit_encryption = "ENABLED"\n'
            "    }\n"
            "  }\n"
            "}"
        ),
        fix='Add `transit_encryption = "ENABLED"` to each `efs_volume_configuration`.',
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    for index, volume in enumerate(blocks(resource.attributes, "volume")):
        efs = block(volume, "efs_volume_configuration")
        if efs is None:
            continue
        value = efs.get("transit_encryption")
        if isinstance(value, Unknown) or upper(value) == "ENABLED":
            continue
        name = volume.get("name")
        label = f"volume {name!r}" if isinstance(name, str) else f"volume #{index}"
        yield Hit(
            message=f"{label}: EFS transit_encryption is {upper(value) or 'not set (DISABLED)'}",
            attribute=f"volume[{index}].efs_volume_configuration.transit_encryption",
            actual=value,
            expected="ENABLED",
            line=attr_line(resource, "volume"),
        )
