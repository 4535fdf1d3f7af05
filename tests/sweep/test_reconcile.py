"""The sweep's decision as a pure function: changes + what is remembered + what the code declares →
actions. No GitHub, no CLI."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tfdrift_ci.models import Resource
from tfdrift_ci.sweep.observe import Change, Current
from tfdrift_ci.sweep.reconcile import Plan, reconcile, window_start
from tfdrift_ci.sweep.records import Record, State, record_key

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
UNTIL = datetime(2026, 11, 3, tzinfo=UTC)
ADDRESS = "aws_ecr_repository.api"
RESOURCE = Resource(
    address=ADDRESS,
    type="aws_ecr_repository",
    name="api",
    attributes={
        "image_tag_mutability": "IMMUTABLE",
        "image_scanning_configuration": [{"scan_on_push": True}],
    },
    root=".",
)


def change(event_id: str, minutes: int, *, kind: str = "drift", attribute: str = "image_tag_mutability",
           actual: Any = "MUTABLE", declared: Any = "IMMUTABLE", address: str = ADDRESS,
           severity: str = "high", who: str = "alice") -> Change:  # fmt: skip
    return Change(
        key=record_key("infra", address),
        root="infra",
        address=address,
        resource_type="aws_ecr_repository",
        kind=kind,  # type: ignore[arg-type]
        attribute=attribute,
        time=T0 + timedelta(minutes=minutes),
        event_id=event_id,
        event_name="PutImageTagMutability",
        who=who,
        via="console",
        declared=declared,
        actual=actual if kind == "drift" else declared,
        rule_id="TFD-DRIFT-001",
        severity=severity,
        title="changed",
        message=f"{who} changed it" if kind == "drift" else f"Terraform set it back to {declared!r}",
    )


def current(**resources: Resource) -> Current:
    res = resources or {ADDRESS: RESOURCE}
    return Current(scope=".", resources={("infra", a): r for a, r in res.items()})


def run(state: State, changes: list[Change], now: Current | None = None, cap: int | None = 20) -> Plan:
    return reconcile(state, changes, now or current(), cap=cap, until=UNTIL)


def after(plan: Plan) -> State:
    """The state the next sweep loads (what GitHub would say)."""
    return State(records=dict(plan.records), last_until=UNTIL)


def test_new_drift_opens_one_record_per_resource() -> None:
    plan = run(
        State(),
        [
            change("a", 0),
            change(
                "b", 5, attribute="image_scanning_configuration.scan_on_push", actual=False, declared=True
            ),
        ],
    )
    [action] = plan.actions
    assert action.kind == "open" and action.alert
    assert [a.attribute for a in action.record.attributes] == [
        "image_scanning_configuration.scan_on_push",
        "image_tag_mutability",
    ]
    assert [c.event_id for c in action.new] == ["a", "b"]
    assert action.record.swept == UNTIL
    assert [s[0] for s in action.record.seen] == ["a", "b"]


def test_drift_set_back_in_the_same_window_opens_nothing() -> None:
    plan = run(State(), [change("a", 0), change("tf", 30, kind="set_back")])
    assert plan.actions == () and plan.records == {}


def test_more_drift_updates_and_the_same_changes_again_do_nothing() -> None:
    first = run(State(), [change("a", 0)])
    second = run(after(first), [change("a", 0), change("b", 10, who="bob", actual="MUTABLE")])
    [action] = second.actions
    assert action.kind == "update" and not action.alert
    assert [c.event_id for c in action.new] == ["b"]
    assert action.record.attributes[0].who == "bob"
    third = run(after(second), [change("a", 0), change("b", 10, who="bob")])
    assert third.actions == ()


def test_set_back_closes_and_new_drift_reopens() -> None:
    opened = after(run(State(), [change("a", 0)]))
    closed = run(opened, [change("a", 0), change("tf", 60, kind="set_back", who="Terraform")])
    [action] = closed.actions
    assert action.kind == "close" and action.record.status == "closed"
    [resolved] = action.resolved
    assert resolved.status == "set_back" and resolved.who == "Terraform" and resolved.event_id == "tf"
    reopened = run(
        after(closed), [change("a", 0), change("tf", 60, kind="set_back"), change("c", 120, who="carol")]
    )
    [action] = reopened.actions
    assert action.kind == "reopen" and action.alert and [c.event_id for c in action.new] == ["c"]
    assert action.record.status == "open"


def test_partly_set_back_is_an_update_with_what_is_resolved() -> None:
    scan = "image_scanning_configuration.scan_on_push"
    opened = after(
        run(State(), [change("a", 0), change("b", 1, attribute=scan, actual=False, declared=True)])
    )
    plan = run(opened, [change("tf", 60, kind="set_back")])
    [action] = plan.actions
    assert action.kind == "update" and action.new == ()
    assert [a.attribute for a in action.resolved] == ["image_tag_mutability"]
    assert [a.attribute for a in action.record.active] == [scan]


def test_a_set_back_older_than_the_change_it_would_undo_is_ignored() -> None:
    opened = after(run(State(), [change("a", 30)]))
    assert run(opened, [change("old-tf", 10, kind="set_back")]).actions == ()


def test_the_code_declaring_the_new_value_closes_it() -> None:
    opened = after(run(State(), [change("a", 0)]))
    adopted = replace(RESOURCE, attributes={**RESOURCE.attributes, "image_tag_mutability": "MUTABLE"})
    [action] = run(opened, [], current(**{ADDRESS: adopted})).actions
    assert action.kind == "close"
    assert action.resolved[0].status == "adopted"
    assert action.resolved[0].note == 'the code now declares image_tag_mutability = "MUTABLE"'


def test_the_code_declaring_a_third_value_keeps_it_open() -> None:
    opened = after(run(State(), [change("a", 0)]))
    other = replace(
        RESOURCE, attributes={**RESOURCE.attributes, "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION"}
    )
    assert run(opened, [], current(**{ADDRESS: other})).actions == ()


def test_a_resource_no_longer_declared_closes_it_unless_the_code_could_not_all_be_read() -> None:
    opened = after(run(State(), [change("a", 0)]))
    other = replace(RESOURCE, address="aws_ecr_repository.other")
    [action] = run(opened, [], current(**{"aws_ecr_repository.other": other})).actions
    assert action.kind == "close" and action.resolved[0].status == "removed"
    unread = replace(current(**{"aws_ecr_repository.other": other}), complete=False)
    assert run(opened, [], unread).actions == ()
    elsewhere = Current(scope="other-root", resources={})
    assert run(opened, [], elsewhere).actions == ()


def test_an_issue_a_person_reopened_is_not_closed_again_without_new_evidence() -> None:
    closed = after(run(after(run(State(), [change("a", 0)])), [change("tf", 60, kind="set_back")]))
    key = next(iter(closed.records))
    reopened_by_hand = State(records={key: replace(closed.records[key], status="open")}, last_until=UNTIL)
    assert run(reopened_by_hand, [change("a", 0), change("tf", 60, kind="set_back")]).actions == ()


def test_an_issue_a_person_closed_stays_closed_until_new_drift() -> None:
    opened = after(run(State(), [change("a", 0)]))
    key = next(iter(opened.records))
    closed_by_hand = State(records={key: replace(opened.records[key], status="closed")}, last_until=UNTIL)
    assert run(closed_by_hand, [change("a", 0)]).actions == ()
    [action] = run(closed_by_hand, [change("a", 0), change("b", 5)]).actions
    assert action.kind == "reopen"


def test_the_cap_opens_the_worst_first_and_keeps_the_rest_pending() -> None:
    changes = [
        change("low", 0, address="aws_ecr_repository.low", severity="low"),
        change("high-late", 20, address="aws_ecr_repository.high_late"),
        change("high-early", 10, address="aws_ecr_repository.high_early"),
        change("critical", 30, address="aws_ecr_repository.critical", severity="critical"),
    ]
    resources = {c.address: replace(RESOURCE, address=c.address) for c in changes}
    plan = run(State(), changes, current(**resources), cap=2)
    opened = [a.record.address for a in plan.of("open")]
    assert opened == ["aws_ecr_repository.critical", "aws_ecr_repository.high_early"]
    assert [a.record.address for a in plan.of("pending")] == [
        "aws_ecr_repository.high_late",
        "aws_ecr_repository.low",
    ]
    assert all(a.alert for a in plan.actions)  # alerted once, even while waiting
    assert [r.address for r in plan.pending] == ["aws_ecr_repository.high_late", "aws_ecr_repository.low"]
    # next run: the waiting ones open (no second alert); nothing new is pending
    nxt = run(after(plan), [], current(**resources), cap=2)
    assert [(a.kind, a.record.address, a.alert) for a in nxt.actions] == [
        ("open", "aws_ecr_repository.high_late", False),
        ("open", "aws_ecr_repository.low", False),
    ]
    assert nxt.pending == []


def test_a_pending_record_whose_drift_went_away_is_dropped() -> None:
    plan = run(State(), [change("a", 0)], cap=0)
    assert [a.kind for a in plan.actions] == ["pending"]
    gone = run(after(plan), [change("tf", 60, kind="set_back")], cap=0)
    assert [a.kind for a in gone.actions] == ["drop"]
    assert gone.records == {}


def test_a_damaged_record_is_repaired_by_the_next_change() -> None:
    key = record_key("infra", ADDRESS)
    damaged = State(
        records={key: Record(key=key, root="", address="", resource_type="", status="open", issue=7)}
    )
    [action] = run(damaged, [change("a", 0)]).actions
    assert action.kind == "update" and action.record.address == ADDRESS and action.record.issue == 7


def test_the_window_starts_at_the_last_sweep_reaches_back_for_open_drift_and_stops_at_the_cap() -> None:
    cap = UNTIL - timedelta(days=30)
    assert window_start(State(), cap=cap, until=UNTIL) == cap
    last = State(last_until=UNTIL - timedelta(hours=5))
    assert window_start(last, cap=cap, until=UNTIL) == UNTIL - timedelta(hours=6)
    opened = run(State(), [change("a", 0)])
    state = replace(after(opened), last_until=UNTIL - timedelta(hours=1))
    assert window_start(state, cap=cap, until=UNTIL) == T0
    assert window_start(state, cap=T0 + timedelta(hours=1), until=UNTIL) == T0 + timedelta(hours=1)


def apply(event_id: str, minutes: int, event_name: str) -> Change:
    return replace(
        change(event_id, minutes, kind="apply", attribute="", who="Terraform"),
        event_name=event_name,
        message=f"Terraform's own {event_name}",
    )


def test_terraform_recreating_a_deleted_resource_closes_it_but_not_attribute_drift() -> None:
    deleted = replace(
        change("del", 0, attribute="", actual=None, declared=None), event_name="DeleteRepository"
    )
    opened = after(run(State(), [deleted]))
    # An apply that only tags the resource does not undo a deletion; one that re-creates it does.
    assert run(opened, [apply("tag", 30, "TagResource")]).actions == ()
    [action] = run(opened, [apply("tf", 60, "CreateRepository")]).actions
    assert action.kind == "close" and action.resolved[0].note == "Terraform's own CreateRepository"
    # Attribute drift is closed by the engine's set-back (per attribute), never by any apply.
    tags = after(run(State(), [change("a", 0)]))
    assert run(tags, [apply("tf", 60, "PutImageTagMutability")]).actions == ()
