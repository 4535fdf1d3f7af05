"""TFD-ECS-012: Container Insights off on a cluster.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContainerInsights.html
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_cluster#setting
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdrift_ci.models import Resource, Severity, Unknown
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line, blocks, by_type, same_place

ON = ("enabled", "enhanced")
ACCOUNT_DEFAULT = "aws_ecs_account_setting_default"

RULE = Rule(
    id="TFD-ECS-012",
    kind="config",
    severity=Severity.LOW,
    title="ECS cluster has Container Insights off",
    resource_types=("aws_ecs_cluster",),
    peers=PeerIds(
        checkov=("CKV_AWS_65",),
        trivy=("AVD-AWS-0034", "aws-ecs-enable-container-insight"),
        kics=("97cb0688-369a-4d26-b1f7-86c4c91231bc",),  # ECS Cluster with Container Insights Disabled
    ),
    remediation='Add setting { name = "containerInsights", value = "enhanced" } (or "enabled").',
    docs=RuleDoc(
        what=(
            "The `setting` block named `containerInsights` on `aws_ecs_cluster`: `enabled` and "
            "`enhanced` pass; `disabled` fails. An omitted setting fails unless the project declares "
            "an `aws_ecs_account_setting_default` for `containerInsights` that is `enabled`/`enhanced` "
            "in the same account and region (new clusters inherit the account default)."
        ),
        why=(
            "Container Insights collects per-task CPU, memory, network and restart metrics and "
            "diagnostic events; without it an incident on the cluster leaves little to investigate."
        ),
        example=(
            'resource "aws_ecs_cluster" "insights_bad" {\n'
            '  name = "main"\n'
            "}\n\n"
            'resource "aws_ecs_cluster" "insights_ok" {\n'
            '  name = "main"\n'
            "  setting {\n"
            '    name  = "containerInsights"\n'
            '    value = "enhanced"\n'
            "  }\n"
            "}"
        ),
        fix='Add `setting { name = "containerInsights", value = "enhanced" }` to the cluster.',
    ),
)


def _account_default_on(resource: Resource, ctx: ConfigContext) -> bool:
    for r in by_type(ctx.inventory).get(ACCOUNT_DEFAULT, ()):
        if not same_place(resource, r):
            continue
        name, value = r.attributes.get("name"), r.attributes.get("value")
        if name == "containerInsights" and isinstance(value, str) and value.lower() in ON:
            return True
    return False


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    if isinstance(resource.attributes.get("setting"), Unknown):
        return
    for setting in blocks(resource.attributes, "setting"):
        if setting.get("name") != "containerInsights":
            continue
        value = setting.get("value")
        if isinstance(value, Unknown) or (isinstance(value, str) and value.lower() in ON):
            return
        yield Hit(
            message=f"containerInsights is {value!r}",
            attribute="setting.containerInsights",
            actual=value,
            expected="enhanced",
            line=attr_line(resource, "setting"),
        )
        return
    if _account_default_on(resource, ctx):
        return
    yield Hit(
        message="no containerInsights setting: Container Insights is off by default",
        attribute="setting.containerInsights",
        actual=None,
        expected="enhanced",
        line=resource.line,
    )
