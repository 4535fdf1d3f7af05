"""TFD-DRIFT-036: ECR account setting or pull-time update exclusion changed outside Terraform.

ECR's PutAccountSetting (name, value: ``BASIC_SCAN_TYPE_VERSION``, ``REGISTRY_POLICY_SCOPE`` …) and
Register-/DeregisterPullTimeUpdateExclusion (principalArn): the ECR API reference
(https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutAccountSetting.html).
"""

from __future__ import annotations

from tfdrift_ci.events.names import ECR
from tfdrift_ci.models import Event, Resource, Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import Change, deleted, request_members
from tfdrift_ci.rules.drift._rows import ECR_ACCOUNT_SETTING, PULL_TIME_UPDATE_EXCLUSION, EventRow

RULE = Rule(
    id="TFD-DRIFT-036",
    kind="drift",
    severity=Severity.MEDIUM,
    title="ECR account setting or pull-time update exclusion changed outside Terraform",
    resource_types=("aws_ecr_account_setting", "aws_ecr_pull_time_update_exclusion"),
    docs=RuleDoc(
        what=(
            "ECR PutAccountSetting changing a setting declared with `aws_ecr_account_setting` "
            "(basic scan type version, registry policy scope); DeregisterPullTimeUpdateExclusion "
            "removing a declared `aws_ecr_pull_time_update_exclusion`, and "
            "RegisterPullTimeUpdateExclusion adding one next to declared ones (unmanaged)."
        ),
        why=(
            "The registry policy scope decides which registry policy actions apply; the basic scan "
            "version decides which scanner runs. A pull-time exclusion keeps a principal's pulls "
            "from counting as use, which lifecycle policies that archive unused images act on."
        ),
        example=(
            'resource "aws_ecr_account_setting" "scan" {\n'
            '  name  = "BASIC_SCAN_TYPE_VERSION"\n'
            '  value = "AWS_NATIVE"\n'
            "}\n"
            '# CloudTrail: PutAccountSetting {"name": "BASIC_SCAN_TYPE_VERSION", "value": "CLAIR"}'
        ),
        fix="Restore the declared setting (terraform apply), or adopt the change in the .tf file.",
    ),
    remediation="Revert with terraform apply (value), or adopt the change in the .tf file.",
    mitre=(),
)


# PutAccountSetting {name, value}: the name is the identity, the value the attribute
extract = request_members(skip=("name",))


def _registered(event: Event, resource: Resource) -> list[Change]:
    return []  # registering a declared exclusion again changes nothing


EVENTS = (
    EventRow(ECR, "PutAccountSetting", (ECR_ACCOUNT_SETTING,), extract, security=True),
    EventRow(
        ECR,
        "RegisterPullTimeUpdateExclusion",
        (PULL_TIME_UPDATE_EXCLUSION,),
        _registered,
        creates="aws_ecr_pull_time_update_exclusion",
    ),
    EventRow(ECR, "DeregisterPullTimeUpdateExclusion", (PULL_TIME_UPDATE_EXCLUSION,), deleted),
)
