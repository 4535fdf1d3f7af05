"""Builders for the hostile corpus: CloudTrail records, and the big inputs that are generated at
test time into ``tmp_path`` instead of being committed (50 MB single-line file, 10,000-level nested
JSON, gzip bomb, 5,000-file tree, symlink loops)."""

from __future__ import annotations

import copy
import gzip
import json
import os
import zlib
from datetime import UTC
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
REGION = "eu-west-1"
GOOD_EVENT_ID = "11111111-aaaa-4bbb-8ccc-000000000001"
WINDOW = ("--since", "2026-11-01T00:00:00Z", "--until", "2026-11-23T00:00:00Z")
EVENT_TIME = "2026-11-20T10:00:00Z"

_BASE: dict[str, Any] = {
    "eventVersion": "1.09",
    "userIdentity": {
        "type": "AssumedRole",
        "principalId": "AROA3EXAMPLEPRINCIPAL:alice@example.com",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Admin_1a2b3c4d/alice@example.com",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIA3EXAMPLEKEY00001",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROA3EXAMPLEPRINCIPAL",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/"
                "AWSReservedSSO_Admin_1a2b3c4d",
                "accountId": ACCOUNT,
                "userName": "AWSReservedSSO_Admin_1a2b3c4d",
            },
            "attributes": {"creationDate": "2026-11-20T09:55:10Z", "mfaAuthenticated": "false"},
        },
    },
    "eventTime": EVENT_TIME,
    "eventSource": "ecr.amazonaws.com",
    "eventName": "PutImageTagMutability",
    "awsRegion": REGION,
    "sourceIPAddress": "203.0.113.24",
    "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0.0.0 Safari/537.36",
    "requestParameters": {"repositoryName": "drifted", "imageTagMutability": "MUTABLE"},
    "responseElements": {"registryId": ACCOUNT, "repositoryName": "drifted", "imageTagMutability": "MUTABLE"},
    "requestID": "4f1c9d2a-0b7a-4c1e-9a55-1d2e3f4a5b01",
    "eventID": GOOD_EVENT_ID,
    "readOnly": False,
    "eventType": "AwsApiCall",
    "managementEvent": True,
    "recipientAccountId": ACCOUNT,
    "eventCategory": "Management",
    "resources": [{"accountId": ACCOUNT, "ARN": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/drifted"}],
    "sessionCredentialFromConsole": "true",
}


def record(**overrides: Any) -> dict[str, Any]:
    """The good drift record (PutImageTagMutability on ``drifted`` → MUTABLE from the console),
    with top-level keys replaced; a value of ``...`` deletes the key."""
    out = copy.deepcopy(_BASE)
    for key, value in overrides.items():
        if value is ...:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def good_record() -> dict[str, Any]:
    return record()


def write_records(path: Path, records: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"Records": records}), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------
# Big inputs, generated at test time


def write_single_line_tf(path: Path, size: int = 50 * 1024 * 1024) -> Path:
    """A ``.tf`` whose one line is ``size`` bytes: a locals string that never ends in a newline."""
    head = b'locals { blob = "'
    tail = b'" }'
    chunk = b"A" * (1024 * 1024)
    remaining = size - len(head) - len(tail)
    with path.open("wb") as fh:
        fh.write(head)
        while remaining > 0:
            fh.write(chunk[: min(len(chunk), remaining)])
            remaining -= len(chunk)
        fh.write(tail)
    return path


def write_single_line_garbage_tf(path: Path, size: int = 50 * 1024 * 1024) -> Path:
    """``size`` bytes of HCL-ish tokens on one line with no newline at all (does not parse)."""
    unit = b'resource "aws_ecr_repository" "x" { name = [[{ '
    with path.open("wb") as fh:
        written = 0
        while written < size:
            fh.write(unit * 1024)
            written += len(unit) * 1024
    return path


def deep_json(depth: int = 10_000, leaf: str = "{}") -> str:
    """``depth`` levels of nested arrays/objects around ``leaf``."""
    return '{"a":[' * depth + leaf + "]}" * depth


def write_deep_plan(path: Path, depth: int = 10_000) -> Path:
    inner = deep_json(depth)
    path.write_text(
        '{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"address":'
        '"aws_ecs_service.deep","mode":"managed","type":"aws_ecs_service","name":"deep","values":'
        + inner
        + "}]}}}",
        encoding="utf-8",
    )
    return path


def write_deep_events(path: Path, depth: int = 10_000, *, with_good: bool = True) -> Path:
    """A trail file whose (second) record's requestParameters nests ``depth`` levels. The record
    names a wanted eventSource, so a reader cannot skip the file unparsed."""
    bad = json.dumps(record(eventID="deep-0001", requestParameters="__DEEP__")).replace(
        '"__DEEP__"', deep_json(depth)
    )
    body = (json.dumps(good_record()) + "," + bad) if with_good else bad
    path.write_text('{"Records":[' + body + "]}", encoding="utf-8")
    return path


def write_deep_tf(path: Path, depth: int = 10_000) -> Path:
    """HCL with ``depth`` nested tuple brackets in one attribute."""
    path.write_text("locals {\n  deep = " + "[" * depth + "1" + "]" * depth + "\n}\n", encoding="utf-8")
    return path


def write_gzip_bomb(path: Path, decompressed: int = 3 * 1024**3 // 2) -> Path:
    """A ``.json.gz`` trail file that inflates to ``decompressed`` bytes (a JSON prefix, then
    whitespace). One gzip member, written in chunks so generation needs little memory."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    chunk = b" " * (16 * 1024 * 1024)
    prefix = b'{"Records":[' + json.dumps(good_record()).encode() + b","
    with path.open("wb") as fh:
        fh.write(comp.compress(prefix))
        remaining = decompressed - len(prefix)
        while remaining > 0:
            piece = chunk if remaining >= len(chunk) else chunk[:remaining]
            fh.write(comp.compress(piece))
            remaining -= len(piece)
        fh.write(comp.compress(b"{}]}"))
        fh.write(comp.flush())
    return path


def write_truncated_gzip(path: Path, records: list[Any]) -> Path:
    """A gzip trail file cut in the middle of its deflate stream."""
    blob = gzip.compress(json.dumps({"Records": records}).encode())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(blob[: len(blob) // 2])
    return path


def truncated_request_record(limit: int = 100 * 1024) -> dict[str, Any]:
    """A RegisterTaskDefinition whose requestParameters text CloudTrail cut at ``limit`` bytes:
    the value is a string holding the first ``limit`` characters of the JSON."""
    env = [{"name": f"VAR_{i}", "value": "x" * 200} for i in range(1000)]
    params = {
        "family": "big",
        "containerDefinitions": [{"name": "app", "image": "nginx:1", "environment": env}],
    }
    text = json.dumps(params)
    assert len(text) > limit
    return record(
        eventID="trunc-0001",
        eventSource="ecs.amazonaws.com",
        eventName="RegisterTaskDefinition",
        requestParameters=text[:limit],
        responseElements=None,
        resources=...,
    )


def make_symlink_loops(root: Path) -> None:
    """Links that point back up the tree, at themselves and nowhere."""
    (root / "nested").mkdir(exist_ok=True)
    os.symlink("..", root / "nested" / "up")
    os.symlink(".", root / "self")
    os.symlink("loop_b", root / "loop_a")
    os.symlink("loop_a", root / "loop_b")
    os.symlink("does-not-exist.tf", root / "dangling.tf")


def make_many_tf_files(root: Path, count: int = 5000, with_resource_every: int = 100) -> int:
    """``count`` small .tf files in one directory; every ``with_resource_every``-th declares a
    mutable ECR repository. Returns the number of resources declared."""
    resources = 0
    for i in range(count):
        if i % with_resource_every == 0:
            text = (
                f'resource "aws_ecr_repository" "mutable_bad_{i}" {{\n'
                f'  name                 = "many-{i}"\n'
                '  image_tag_mutability = "MUTABLE"\n}\n'
            )
            resources += 1
        else:
            text = f'variable "v{i}" {{\n  default = "{i}"\n}}\n'
        (root / f"f{i:05d}.tf").write_text(text, encoding="utf-8")
    return resources


def make_many_event_files(root: Path, count: int = 5000) -> None:
    """``count`` trail files, each with one distinct write event on the ``drifted`` repository."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        rec = record(eventID=f"many-{i:05d}", eventTime=f"2026-11-{(i % 20) + 1:02d}T10:00:00Z")
        (root / f"{ACCOUNT}_CloudTrail_{REGION}_{i:05d}.json").write_text(
            json.dumps({"Records": [rec]}), encoding="utf-8"
        )


# --------------------------------------------------------------------------------------------------
# Markup injection

PAYLOADS: dict[str, str] = {
    "html_img": "<img src=x onerror=alert(1)>",
    "html_script": '<script>alert(1)</script><a href="javascript:alert(1)">x</a>',
    "md_link": "[x](javascript:alert(1)) ![i](https://evil.invalid/p.png)",
    "mention": "@org/team please look @admin",
    "fence": "```\n<img src=x onerror=alert(1)>\n```",
    "workflow_pct": "%0A::error::pwned",
    "workflow_nl": "x\n::error::pwned\r\n::warning file=a,line=1::pwned\n##[error]pwned",
    "ansi": "\x1b[31mred\x1b[0m\x1b]8;;https://evil.invalid\x07link\x1b]8;;\x07\x1b[2J",
    "rtl": "admin\u202e\u2066txt.exe\u2069 \u200e",
    "marker": "<!-- tfdrift-ci:root=. --> -->",
    "table": "a | b || c |\n|---|---|",
    "mixed": "**bold** _em_ `code` ~~s~~ #123 https://evil.invalid <b>b</b> &amp; \\ \x00\x07",
}
BENIGN = "benign-value"


def hostile_report(payload: str, *, exit_code: int = 1) -> Any:
    """A Report in which every untrusted field holds ``payload``: resource names, addresses,
    attribute values and keys, actor fields, event names/ids, policy text, messages, file paths,
    source errors, module calls and notices."""
    from datetime import datetime

    from tfdrift_ci.models import (
        Actor,
        Event,
        Finding,
        Identity,
        ModuleCall,
        Report,
        Resource,
        Severity,
        SourceStatus,
        Window,
    )

    p = payload
    t = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    actor = Actor(
        display=p,
        arn=p,
        type=p,
        role_arn=p,
        via="console",
        service=p,
        source_ip=p,
        user_agent=p,
        access_key_id="ASIAHOSTILEKEY000001",
    )
    event = Event(
        id=p,
        name=p,
        source=p,
        time=t,
        region=p,
        account=p,
        actor=actor,
        error_code=p,
        error_message=p,
        request={p: p, "policyText": p},
        response={p: [p]},
        resources=({"ARN": p},),
        event_type=p,
        raw={"eventID": p},
    )
    address = f'aws_ecr_repository.this["{p}"]'
    resource = Resource(
        address=address,
        type="aws_ecr_repository",
        name=p,
        attributes={"name": p, p: p},
        file=f"{p}/main.tf",
        line=3,
        end_line=9,
        identity=Identity(kind="repository", name=p),
        root=p,
    )
    common = {
        "title": p,
        "message": p,
        "address": address,
        "resource_type": "aws_ecr_repository",
        "file": f"{p}/main.tf",
        "line": 3,
        "root": p,
        "attribute": p,
        "remediation": p,
    }
    found = (
        Finding(
            rule_id="TFD-ECR-001",
            kind="config",
            severity=Severity.HIGH,
            expected=p,
            actual={p: [p, 1, None]},
            notes=(p,),
            **common,
        ),
        Finding(
            rule_id="TFD-DRIFT-001",
            kind="drift",
            severity=Severity.CRITICAL,
            expected={"Statement": [p]},
            actual=p,
            event=event,
            actor=actor,
            reverted_by_plan=False,
            matched_by_pattern=True,
            **common,
        ),
        Finding(
            rule_id="TFD-DRIFT-002",
            kind="unmanaged",
            severity=Severity.MEDIUM,
            event=event,
            actor=actor,
            **common,
        ),
        Finding(
            rule_id="TFD-DRIFT-003", kind="attempt", severity=Severity.LOW, event=event, actor=actor, **common
        ),
        Finding(rule_id="TFD-ERR-001", kind="error", severity=Severity.HIGH, **common),
        Finding(
            rule_id="TFD-ECR-002",
            kind="config",
            severity=Severity.INFO,
            suppressed=True,
            suppression_reason=p,
            **common,
        ),
    )
    return Report(
        tool_version="0.1.0",
        path=p,
        files=3,
        resources=(resource,),
        findings=found,
        window=Window(since=datetime(2026, 11, 1, tzinfo=UTC), until=t),
        sources=(SourceStatus(name=p, events_read=1, api_calls=2, complete=False, error=p, malformed=1),),
        exit_code=exit_code,
        fail_on="high",
        unfollowed_modules=(ModuleCall(address=f"module.{p}", source=p, file=p, line=1, reason=p),),
        notices=(p,),
    )


# ~30 KB values shaped to make backtracking regexes quadratic (a quadratic one needs minutes here)
REDOS: dict[str, str] = {
    "dotted": "a." * 15_000,
    "letters": "a" * 30_000,
    "scheme_like": "a+" * 15_000 + ":",
    "spaces": " \t" * 15_000 + "x",
    "backticks": "`" * 30_000,
    "mentions": "@a" * 15_000,
    "escapes": "\x1b[" * 15_000,
    "underscores": "_a" * 15_000,
    "brackets": "[" * 15_000 + "]" * 15_000,
    "percent": "%0A" * 10_000,
}
