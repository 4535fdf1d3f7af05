"""Property-based tests (hypothesis): whatever the input, the readers, the normaliser, the drift
matcher and the renderers either return a value or raise their documented error, nothing else.
Examples are bounded (``max_examples``) so the suite stays fast; failures shrink to a minimal input."""

from __future__ import annotations

import contextlib
import gzip
import json
import tempfile
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import hostile_gen as gen
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rel_support import GOOD_TF

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

# --------------------------------------------------------------------------------------------------
# Strategies

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)

HCL_FRAGMENTS = [
    'resource "aws_ecr_repository" "r" {',
    'resource "aws_ecs_service" "s" {',
    'resource "aws_ecs_task_definition" "t" {',
    'resource "aws_ecs_cluster" "c" {',
    'module "m" {',
    'source = "./m"',
    'source = "../"',
    'variable "v" {',
    "locals {",
    'provider "aws" {',
    "region = var.region",
    "}",
    "{",
    "[",
    "]",
    "(",
    ")",
    "name = ",
    "cluster = ",
    "image_tag_mutability = ",
    "count = ",
    'for_each = toset(["a", "b"])',
    "for_each = var.m",
    "lifecycle { ignore_changes = all }",
    "lifecycle { ignore_changes = [desired_count] }",
    'container_definitions = jsonencode([{ name = "a", privileged = true }])',
    'policy = jsonencode({ Statement = [{ Principal = "*" }] })',
    '"MUTABLE"',
    '"${var.env}-api"',
    '"%{ if true }x%{ endif }"',
    "var.x",
    "local.y",
    "each.key",
    "count.index",
    'format("%s-%d", var.a, 1)',
    'lookup(var.m, "k", null)',
    "try(var.a.b, 1)",
    'file("../../etc/passwd")',
    'templatefile("x.tpl", {})',
    "<<EOT\nheredoc\nEOT",
    "<<-EOT\n  x\n  EOT",
    "# comment",
    "// comment",
    "/* block */",
    "/*",
    "1e309",
    "-0",
    "true",
    "null",
    "\n",
    " ",
    ",",
    "=",
    '"',
    "\\",
    "\x00",
    "\u202e",
    "é",
]
hcl_text = st.lists(st.sampled_from(HCL_FRAGMENTS) | st.text(max_size=8), max_size=40).map(" ".join)


def _record_field_values() -> st.SearchStrategy[Any]:
    return json_values | st.sampled_from(
        [
            "2026-11-20T10:00:00Z",
            "ecr.amazonaws.com",
            "ecs.amazonaws.com",
            "PutImageTagMutability",
            "UpdateService",
            "RegisterTaskDefinition",
            "ExecuteCommand",
            "AwsApiCall",
            "AwsServiceEvent",
            "true",
            "false",
            {"type": "AssumedRole", "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::1:role/r"}}},
            {"repositoryName": "drifted", "imageTagMutability": "MUTABLE"},
            {"cluster": "arn:aws:ecs:eu-west-1:1:cluster/c", "service": "s", "desiredCount": 3},
        ]
    )


RECORD_KEYS = [
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "requestParameters",
    "responseElements",
    "eventID",
    "readOnly",
    "eventType",
    "recipientAccountId",
    "resources",
    "errorCode",
    "errorMessage",
    "sessionCredentialFromConsole",
    "serviceEventDetails",
    "additionalEventData",
]

# a good record with some fields replaced by arbitrary values, or dropped
perturbed_records = st.builds(
    lambda changes, drops: {
        **{k: v for k, v in gen.good_record().items() if k not in drops},
        **changes,
    },
    st.dictionaries(st.sampled_from(RECORD_KEYS), _record_field_values(), max_size=5),
    st.sets(st.sampled_from(RECORD_KEYS), max_size=4),
)
arbitrary_records = st.dictionaries(
    st.sampled_from(RECORD_KEYS) | st.text(max_size=10), _record_field_values(), max_size=12
)


# --------------------------------------------------------------------------------------------------
# Terraform readers


@SETTINGS
@given(texts=st.lists(hcl_text, min_size=1, max_size=3))
def test_hcl_reader_returns_inventory_or_tfdrift_error(texts: list[str]) -> None:
    from tfdrift_ci import inventory
    from tfdrift_ci.errors import TfdriftError
    from tfdrift_ci.models import Inventory

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "m").mkdir()
        for i, text in enumerate(texts):
            (root / f"f{i}.tf").write_text(text, encoding="utf-8", errors="surrogatepass")
        (root / "m" / "main.tf").write_text(texts[0], encoding="utf-8", errors="surrogatepass")
        try:
            inv = inventory.load(str(root), env={})
        except TfdriftError:
            return
        assert isinstance(inv, Inventory)
        for problem in inv.problems:
            assert isinstance(problem.message, str) and problem.message


@SETTINGS
@given(data=st.binary(max_size=300))
def test_hcl_reader_on_random_bytes(data: bytes) -> None:
    from tfdrift_ci import inventory
    from tfdrift_ci.errors import TfdriftError

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "main.tf").write_bytes(data)
        with contextlib.suppress(TfdriftError):
            inventory.load(tmp, env={})


plan_resources = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "address": st.sampled_from(
                ["aws_ecr_repository.r", "aws_ecs_service.s", "module.m.aws_ecs_cluster.c"]
            )
            | json_values,
            "mode": st.sampled_from(["managed", "data"]) | json_values,
            "type": st.sampled_from(["aws_ecr_repository", "aws_ecs_service", "aws_ecs_task_definition"])
            | json_values,
            "name": st.sampled_from(["r", "s"]) | json_values,
            "index": json_values,
            "values": st.dictionaries(
                st.sampled_from(
                    [
                        "name",
                        "cluster",
                        "image_tag_mutability",
                        "container_definitions",
                        "policy",
                        "desired_count",
                    ]
                ),
                json_values,
                max_size=4,
            )
            | json_values,
        },
    ),
    max_size=4,
)
plans = st.fixed_dictionaries(
    {"format_version": st.sampled_from(["1.2", "0.1", "1.0"]) | json_values},
    optional={
        "planned_values": st.fixed_dictionaries(
            {},
            optional={
                "root_module": st.fixed_dictionaries(
                    {}, optional={"resources": plan_resources, "child_modules": json_values}
                )
            },
        )
        | json_values,
        "resource_changes": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "address": json_values,
                    "type": json_values,
                    "change": st.dictionaries(
                        st.sampled_from(["actions", "before", "after", "after_unknown"]), json_values
                    ),
                },
            ),
            max_size=3,
        )
        | json_values,
        "prior_state": json_values,
        "configuration": json_values,
    },
)


@SETTINGS
@given(plan=plans | json_values)
def test_plan_reader_returns_inventory_or_tfdrift_error(plan: Any) -> None:
    from tfdrift_ci import inventory
    from tfdrift_ci.errors import TfdriftError
    from tfdrift_ci.models import Inventory

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        try:
            inv = inventory.load(str(root), plan=str(plan_file), env={})
        except TfdriftError:
            return
        assert isinstance(inv, Inventory)


# --------------------------------------------------------------------------------------------------
# Event normaliser and readers


def _normalise_checked(record: Any) -> Any:
    from tfdrift_ci.events.normalise import MalformedRecord, normalise
    from tfdrift_ci.models import Event

    try:
        event = normalise(record)
    except MalformedRecord:
        return None
    if event is not None:
        assert isinstance(event, Event)
        assert isinstance(event.id, str) and event.id
        assert isinstance(event.name, str) and isinstance(event.source, str)
        assert event.time.tzinfo is not None
        assert isinstance(event.actor.display, str)
        json.dumps(event.as_dict())
        json.dumps(event.actor.as_dict())
    return event


@SETTINGS
@given(record=perturbed_records)
def test_normalise_perturbed_records(record: dict[str, Any]) -> None:
    _normalise_checked(record)


@SETTINGS
@given(record=arbitrary_records)
def test_normalise_arbitrary_records(record: dict[str, Any]) -> None:
    _normalise_checked(record)


@SETTINGS
@given(
    records=st.lists(perturbed_records | arbitrary_records | json_values, max_size=6),
    gz=st.booleans(),
    lines=st.booleans(),
)
def test_file_source_on_arbitrary_records(records: list[Any], gz: bool, lines: bool) -> None:
    from tfdrift_ci.events.base import Query
    from tfdrift_ci.events.files import FileSource
    from tfdrift_ci.models import SourceStatus, Window
    from tfdrift_ci.rules.drift import WRITE_EVENTS

    pairs = WRITE_EVENTS.all
    window = Window(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
    body = ("\n".join(json.dumps(r) for r in records) if lines else json.dumps({"Records": records})).encode()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("t.json.gz" if gz else "t.json")
        path.write_bytes(gzip.compress(body) if gz else body)
        source = FileSource(str(path))
        events = list(source.events(Query(window=window, event_names=pairs)))
        status = source.status()
    assert isinstance(status, SourceStatus)
    assert len({e.id for e in events}) == len(events), "duplicate event ids yielded"
    assert all(window.contains(e.time) for e in events)
    assert status.events_read == len(events)


@SETTINGS
@given(data=st.binary(max_size=400), gz=st.booleans())
def test_file_source_on_random_bytes(data: bytes, gz: bool) -> None:
    from tfdrift_ci.events.base import Query
    from tfdrift_ci.events.files import FileSource
    from tfdrift_ci.models import Window

    window = Window(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("t.json.gz" if gz else "t.json")
        path.write_bytes((b"\x1f\x8b" + data) if gz else data)
        source = FileSource(str(path))
        list(
            source.events(
                Query(window=window, event_names=frozenset({("ecr.amazonaws.com", "PutImageTagMutability")}))
            )
        )
        source.status()


# --------------------------------------------------------------------------------------------------
# Drift matcher


@cache
def _inventory() -> Any:
    from tfdrift_ci import inventory

    return inventory.load(str(GOOD_TF), env={})


texty = st.text(max_size=20) | st.sampled_from(
    [
        "drifted",
        "mutable-bad",
        "privileged",
        "default",
        "*",
        "arn:aws:ecs:eu-west-1:111122223333:service/default/drifted",
    ]
)
request_values = st.dictionaries(
    st.sampled_from(
        [
            "repositoryName",
            "imageTagMutability",
            "imageScanningConfiguration",
            "policyText",
            "family",
            "containerDefinitions",
            "cluster",
            "service",
            "desiredCount",
            "resourceArn",
            "tags",
            "tagKeys",
            "registryId",
            "lifecyclePolicyText",
            "taskDefinition",
            "enableExecuteCommand",
            "task",
        ]
    ),
    json_values | texty,
    max_size=5,
)


@st.composite
def events(draw: st.DrawFn) -> Any:
    from tfdrift_ci.models import Actor, Event
    from tfdrift_ci.rules.drift import WRITE_EVENTS

    pairs = sorted(WRITE_EVENTS.all)
    source, name = draw(st.sampled_from(pairs) | st.tuples(texty, texty))
    via = draw(st.sampled_from(["terraform", "console", "cli", "sdk", "service", "unknown"]))
    return Event(
        id=draw(st.text(min_size=1, max_size=10)),
        name=name,
        source=source,
        time=datetime(2026, 11, 20, tzinfo=UTC) + timedelta(seconds=draw(st.integers(-(10**6), 10**6))),
        region=draw(st.none() | st.sampled_from(["eu-west-1", "us-east-1"]) | texty),
        account=draw(st.none() | st.sampled_from(["111122223333"]) | texty),
        actor=Actor(
            display=draw(texty),
            arn=draw(st.none() | texty),
            type=draw(st.none() | texty),
            role_arn=draw(st.none() | texty),
            via=via,
            service=draw(st.none() | texty),
            user_agent=draw(st.none() | texty),
        ),
        read_only=draw(st.booleans()),
        error_code=draw(st.none() | st.sampled_from(["AccessDenied", "AccessDeniedException"]) | texty),
        request=draw(request_values),
        response=draw(st.dictionaries(st.text(max_size=10), json_values, max_size=3)),
        resources=tuple(
            draw(
                st.lists(
                    st.dictionaries(st.sampled_from(["ARN", "accountId", "x"]), texty, max_size=2), max_size=2
                )
            )
        ),
        event_type=draw(st.none() | st.sampled_from(["AwsApiCall", "AwsServiceEvent"])),
        truncated=draw(st.booleans()),
    )


@SETTINGS
@given(evs=st.lists(events(), max_size=8))
def test_drift_matcher_never_raises(evs: list[Any]) -> None:
    from tfdrift_ci.models import Finding
    from tfdrift_ci.rules import drift
    from tfdrift_ci.settings import Settings

    out = drift.run(_inventory(), evs, Settings(terraform_principals=("arn:aws:iam::*:role/terraform",)))
    assert all(isinstance(f, Finding) for f in out)
    # a rule crash is reported as an error finding; random events must not crash a rule at all
    crashed = [f.message for f in out if f.kind == "error"]
    assert not crashed, crashed


@SETTINGS
@given(records=st.lists(perturbed_records, max_size=5))
def test_normalised_records_through_the_matcher(records: list[dict[str, Any]]) -> None:
    from tfdrift_ci.rules import drift
    from tfdrift_ci.settings import Settings

    evs = [e for e in (_normalise_checked(r) for r in records) if e is not None]
    out = drift.run(_inventory(), evs, Settings())
    assert not [f.message for f in out if f.kind == "error"]


# --------------------------------------------------------------------------------------------------
# Renderers


@pytest.fixture(scope="module")
def formats() -> list[str]:
    from tfdrift_ci.report import FORMATS

    return sorted(FORMATS)


@settings(SETTINGS, max_examples=25)  # six renderers per example
@given(payload=st.text(max_size=60), exit_code=st.sampled_from([0, 1]), color=st.booleans())
def test_every_renderer_accepts_any_text(payload: str, exit_code: int, color: bool) -> None:
    from tfdrift_ci.report import FORMATS, RenderOptions, render

    report = gen.hostile_report(payload, exit_code=exit_code)
    for fmt in sorted(FORMATS):
        out = render(report, fmt, RenderOptions(color=color))
        assert isinstance(out, str)
        if fmt in ("json", "sarif"):
            json.loads(out)
        if not (fmt == "text" and color):
            assert "\x1b" not in out or fmt in ("json",), fmt


# --------------------------------------------------------------------------------------------------
# Inert output for arbitrary text (the fixed corpus in test_injection.py, generalised)

_MARKUP_PIECES = [
    *"<>[]()!`*_~|#@:%\\&\"'\n\r\t\x1b\u202e\u200b=/-",
    *["```", "<!--", "-->", "::", "%0A", "javascript:", "@org/team", "](", "\r\n"],
]
_MARKUP = st.sampled_from(_MARKUP_PIECES)
markup_text = (
    st.lists(_MARKUP | st.text(max_size=3), min_size=1, max_size=12)
    .map("".join)
    .filter(lambda s: any(c.isalnum() for c in s))
)


def _twin(payload: str) -> str:
    return "benign\nvalue" if ("\n" in payload or "\r" in payload) else gen.BENIGN


@SETTINGS
@given(payload=markup_text)
def test_markdown_inert_for_any_text(payload: str) -> None:
    import inert

    from tfdrift_ci.report import RenderOptions, render

    out = render(gen.hostile_report(payload), "markdown", RenderOptions())
    benign = render(gen.hostile_report(_twin(payload)), "markdown", RenderOptions())
    inert.assert_markdown_inert(out, benign)


@SETTINGS
@given(payload=markup_text)
def test_annotations_inert_for_any_text(payload: str) -> None:
    import inert

    from tfdrift_ci.report import RenderOptions, render

    out = render(gen.hostile_report(payload), "github", RenderOptions())
    benign = render(gen.hostile_report(_twin(payload)), "github", RenderOptions())
    inert.assert_annotations_inert(out, benign)


@SETTINGS
@given(payload=markup_text)
def test_text_and_sarif_inert_for_any_text(payload: str) -> None:
    import inert

    from tfdrift_ci.report import RenderOptions, render

    inert.assert_terminal_safe(render(gen.hostile_report(payload), "text", RenderOptions()))
    sarif = render(gen.hostile_report(payload), "sarif", RenderOptions())
    inert.assert_sarif_inert(sarif, render(gen.hostile_report(_twin(payload)), "sarif", RenderOptions()))
