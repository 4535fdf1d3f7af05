"""Task sets: a declared ``aws_ecs_task_set`` is Terraform's; the task sets CodeDeploy or an external
controller creates are not, and events on them are not drift of the declared one."""

from __future__ import annotations

from typing import Any

from rules.drift.helpers import ACCT, BOB, TERRAFORM, drift, ev, res, service
from tfdrift_ci.models import Resource, Severity

OURS = "ecs-svc/1111111111111111111"
THEIRS = "ecs-svc/2222222222222222222"


def _task_set(**attrs: Any) -> Resource:
    base: dict[str, Any] = {
        "service": "api",
        "cluster": "main",
        "task_definition": "api:7",
        "scale": [{"unit": "PERCENT", "value": 100}],
    }
    base.update(attrs)
    return res("aws_ecs_task_set", "api", base, kind="task_set", ident_name="api", cluster="main")


def _external_service() -> Resource:
    return service(deployment_controller=[{"type": "EXTERNAL"}])


def _scale(task_set: str, value: float, **kw: Any) -> Any:
    request = {
        "cluster": "main",
        "service": "api",
        "taskSet": task_set,
        "scale": {"value": value, "unit": "PERCENT"},
    }
    return ev("UpdateTaskSet", request, **kw)


def _created(task_set: str, **kw: Any) -> Any:
    request = {"cluster": "main", "service": "api", "taskDefinition": "api:8", "externalId": "green"}
    return ev("CreateTaskSet", request, response={"taskSet": {"id": task_set}}, **kw)


def test_scaling_the_declared_task_set_is_drift_matched_on_its_service() -> None:
    (f,) = drift([_external_service(), _task_set()], [_scale(OURS, 10)])
    assert (f.address, f.attribute, f.severity) == ("aws_ecs_task_set.api", "scale", Severity.MEDIUM)
    assert any("matched on the service" in n and OURS in n for n in f.notes)


def test_the_declared_scale_is_no_finding() -> None:
    assert drift([_task_set()], [_scale(OURS, 100.0)]) == []


def test_a_task_set_the_controller_created_is_expected_churn() -> None:
    """bob's deploy tool (the EXTERNAL controller) creates a green task set, scales it up and deletes
    it: none of it touches Terraform's task set, and the service does not report it either."""
    events = [
        _created(THEIRS, minutes=1),
        _scale(THEIRS, 50, minutes=2),
        ev("DeleteTaskSet", {"cluster": "main", "service": "api", "taskSet": THEIRS}, minutes=3),
    ]
    assert drift([_external_service(), _task_set()], events) == []
    # without the CreateTaskSet in the window, the task set cannot be told apart: matched and said so
    (f,) = drift([_external_service(), _task_set()], events[1:2])
    assert any("matched on the service" in n for n in f.notes)


def test_terraforms_own_created_task_set_is_still_the_declared_one() -> None:
    events = [_created(OURS, actor=TERRAFORM, minutes=1), _scale(OURS, 10, minutes=2)]
    (f,) = drift([_task_set()], events)
    assert f.attribute == "scale"


def test_a_known_task_set_id_must_match() -> None:
    declared = _task_set(task_set_id=OURS)
    assert drift([declared], [_scale(THEIRS, 10)]) == []
    (f,) = drift([declared], [_scale(OURS, 10)])
    assert not any("matched on the service" in n for n in f.notes)


def test_task_set_arns_and_deletion() -> None:
    arn = f"arn:aws:ecs:eu-west-1:{ACCT}:task-set/main/api/{OURS}"
    (f,) = drift([_task_set()], [ev("DeleteTaskSet", {"cluster": "main", "service": "api", "taskSet": arn})])
    assert (f.attribute, f.severity) == (None, Severity.HIGH)
    other_service = ev("DeleteTaskSet", {"cluster": "main", "service": "worker", "taskSet": OURS}, actor=BOB)
    assert drift([_task_set()], [other_service]) == []
