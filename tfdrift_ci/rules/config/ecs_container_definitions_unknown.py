"""TFD-ECS-016: container definitions the inventory could not evaluate (info).

The container rules (TFD-ECS-003, -006, -007, -008) never guess: when ``container_definitions``
cannot be evaluated they are silent. This rule says so, so that silence is never mistaken for a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tfdrift_ci.models import Resource, Severity, Unknown
from tfdrift_ci.rules.base import ConfigContext, Hit, Rule, RuleDoc
from tfdrift_ci.rules.config._util import (
    attr_line,
    containers,
    json_document,
    unknown_container_list,
)

ATTRIBUTE = "container_definitions"

RULE = Rule(
    id="TFD-ECS-016",
    kind="config",
    severity=Severity.INFO,
    title="ECS container definitions not evaluated",
    resource_types=("aws_ecs_task_definition",),
    remediation=(
        "Give the variables feeding container_definitions a value (tfvars, --var, --var-file) or "
        "check with --plan so that the container rules can run."
    ),
    docs=RuleDoc(
        what=(
            "`container_definitions` of `aws_ecs_task_definition` whose value tfdrift-ci could not "
            "evaluate: a variable without a value, a data source, a function it does not evaluate, "
            "text that is not JSON, or an `aws ecs describe-task-definition` document without a "
            "`containerDefinitions` list. The list Terraform expects, a single container object and "
            'the output of `aws ecs describe-task-definition` (the whole `{"taskDefinition": …}` '
            "response or the task definition object with its `containerDefinitions`) are all read. "
            "Informational: it lists the task definitions on which the container rules (privileged, "
            "read-only root, plaintext secrets, image tag) were not evaluated."
        ),
        why=(
            "tfdrift-ci does not guess what an expression will become. Without this note a task "
            "definition nobody could check would look exactly like one that passed."
        ),
        example=(
            'variable "containers" {}\n\n'
            'resource "aws_ecs_task_definition" "unknown_bad" {\n'
            '  family                = "api"\n'
            "  container_definitions = jsonencode(var.containers)\n"
            "}\n\n"
            'resource "aws_ecs_task_definition" "literal_ok" {\n'
            '  family                = "api"\n'
            '  container_definitions = jsonencode([{ name = "api", image = "repo/api:1.2.3" }])\n'
            "}"
        ),
        fix=(
            "Pass the values tfdrift-ci needs (`--var-file prod.tfvars`, `--var containers=…`), or run "
            "it on a plan (`terraform show -json plan > plan.json; tfdrift-ci check --plan plan.json`)."
        ),
    ),
)


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    if ATTRIBUTE not in resource.attributes or resource.attributes.get(ATTRIBUTE) is None:
        return
    if containers(resource) is not None:
        return
    value = resource.attributes.get(ATTRIBUTE)
    inner = unknown_container_list(resource)
    if isinstance(value, Unknown):
        shown = value.expr
    elif inner is not None:
        shown = f"containerDefinitions = {inner.expr}"
    elif isinstance(json_document(value), Mapping):
        # containers() reads any other object as one container: this is a describe document
        shown = "a describe-task-definition document whose containerDefinitions is not a list"
    else:
        shown = "not a JSON list of containers or a describe-task-definition document"
    yield Hit(
        message=f"container_definitions not evaluated ({shown}): container rules did not run",
        attribute=ATTRIBUTE,
        actual=shown,
        expected="a value tfdrift-ci can evaluate",
        line=attr_line(resource, ATTRIBUTE),
    )
