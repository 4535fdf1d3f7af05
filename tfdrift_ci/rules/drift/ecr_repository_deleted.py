"""TFD-DRIFT-005: Declared ECR repository deleted outside Terraform."""

from __future__ import annotations

from tfdrift_ci.events.names import ECR, ECR_PUBLIC
from tfdrift_ci.models import Severity
from tfdrift_ci.rules.base import Rule, RuleDoc
from tfdrift_ci.rules.drift._attributes import deleted
from tfdrift_ci.rules.drift._rows import PUBLIC_REPOSITORY, REPOSITORY, EventRow

RULE = Rule(
    id="TFD-DRIFT-005",
    kind="drift",
    severity=Severity.CRITICAL,
    title="Declared ECR repository deleted outside Terraform",
    resource_types=(
        "aws_ecr_repository",
        "aws_ecrpublic_repository",
    ),
    docs=RuleDoc(
        what="DeleteRepository (ECR or ECR Public) on a repository Terraform declares.",
        why=(
            "Deleting a repository deletes every image in it: services cannot start"
            " new tasks and rollbacks are impossible (ATT&CK T1485 Data "
            "Destruction)."
        ),
        example=(
            'resource "aws_ecr_repository" "api" { name = "api" }\n'
            '# CloudTrail: DeleteRepository {"repositoryName": "api", "force": '
            "true}"
        ),
        fix=(
            "Re-create the repository with terraform apply and push the images "
            "again; find out who deleted it and why."
        ),
    ),
    remediation=(
        "Re-create with terraform apply, or remove the resource from the "
        "configuration if the deletion was intended."
    ),
    mitre=("T1485",),
)


EVENTS = (
    EventRow(ECR, "DeleteRepository", (REPOSITORY,), deleted, security=True),
    EventRow(ECR_PUBLIC, "DeleteRepository", (PUBLIC_REPOSITORY,), deleted, security=True),
)
