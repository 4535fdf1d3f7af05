"""rules/finding.py: one builder; the rule, the resource and the event give the defaults."""

from __future__ import annotations

from datetime import UTC, datetime

from tfdrift_ci.models import Actor, Event, Resource, Severity
from tfdrift_ci.rules.catalog import BY_ID
from tfdrift_ci.rules.finding import make_finding

RULE = BY_ID["TFD-ECR-001"]
RES = Resource(
    address="module.app.aws_ecr_repository.mutable_bad",
    type="aws_ecr_repository",
    name="mutable_bad",
    module_path=("app",),
    file="app/main.tf",
    line=3,
    root="infra",
)
ACTOR = Actor(display="alice")
EVENT = Event(
    id="e1",
    name="PutImageTagMutability",
    source="ecr.amazonaws.com",
    time=datetime(2026, 1, 2, tzinfo=UTC),
    region="eu-west-1",
    account="1",
    actor=ACTOR,
)


def test_defaults_come_from_rule_and_resource() -> None:
    f = make_finding(RULE, "tags can be overwritten", resource=RES)
    assert (f.rule_id, f.kind, f.severity, f.title, f.remediation) == (
        RULE.id,
        RULE.kind,
        RULE.severity,
        RULE.title,
        RULE.remediation,
    )
    assert (f.address, f.resource_type, f.file, f.line, f.root) == (
        RES.address,
        "aws_ecr_repository",
        "app/main.tf",
        3,
        "infra",
    )
    assert (f.message, f.event, f.actor, f.notes, f.suppressed) == (
        "tags can be overwritten",
        None,
        None,
        (),
        False,
    )


def test_overrides_win() -> None:
    f = make_finding(
        RULE,
        "m",
        resource=RES,
        event=EVENT,
        kind="drift",
        severity=Severity.LOW,
        title="T",
        remediation="R",
        attribute="image_tag_mutability",
        expected="IMMUTABLE",
        actual="MUTABLE",
        line=9,
        notes=["n"],
        reverted_by_plan=True,
        matched_by_pattern=True,
    )
    assert (f.kind, f.severity, f.title, f.remediation, f.line) == ("drift", Severity.LOW, "T", "R", 9)
    assert (f.attribute, f.expected, f.actual, f.notes) == (
        "image_tag_mutability",
        "IMMUTABLE",
        "MUTABLE",
        ("n",),
    )
    assert f.event is EVENT and f.actor is ACTOR
    assert f.reverted_by_plan is True and f.matched_by_pattern is True


def test_without_a_resource() -> None:
    f = make_finding(
        RULE, "created outside Terraform", event=EVENT, resource_type="aws_ecr_repository", root="."
    )
    assert (f.address, f.file, f.line, f.resource_type, f.root) == (
        None,
        None,
        None,
        "aws_ecr_repository",
        ".",
    )
    assert f.actor is ACTOR
