"""docs/iam-policy.json covers exactly the AWS operations the event sources call.

Every client the sources create is hooked (botocore ``before-parameter-build``) while each source
runs against its local endpoint; the operations seen, as IAM actions, must equal the statements for
that source. ``AthenaUses*`` statements are what Athena itself reads with the caller's permissions
(catalog, trail bucket, result bucket): documented, not called by our code.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from support.lookup_server import LookupServer
from support.moto_server import MotoServer

from tfdrift_ci.events import fetch
from tfdrift_ci.events.base import Query
from tfdrift_ci.events.lake import LakeSource, build_sql
from tfdrift_ci.events.session import AwsSession
from tfdrift_ci.models import Identity, Inventory, Resource, Window
from tfdrift_ci.rules.drift import WRITE_EVENTS

POLICY = Path(__file__).parents[2] / "docs" / "iam-policy.json"
CT = Path(__file__).parents[1] / "fixtures" / "cloudtrail"
NOW = datetime.now(UTC)
WINDOW = Window(NOW - timedelta(days=2), NOW)
INV = Inventory(
    path=".",
    roots=(".",),
    resources=(
        Resource(
            "aws_ecs_service.api", "aws_ecs_service", "api", identity=Identity("service", "api", "prod")
        ),
    ),
    files=1,
    regions=("eu-west-1",),
)
# IAM action for an API operation when it is not service:Operation.
_ACTION = {("s3", "ListObjectsV2"): "s3:ListBucket"}


def policy_actions(prefix: str) -> set[str]:
    doc = json.loads(POLICY.read_text())
    out: set[str] = set()
    for st in doc["Statement"]:
        if st["Sid"].startswith(prefix) and not st["Sid"].startswith("AthenaUses"):
            out.update(st["Action"])
    return out


class Recorder:
    def __init__(self) -> None:
        self.actions: set[str] = set()

    def hook(self, client: Any) -> Any:
        prefix = client.meta.service_model.signing_name

        def record(model: Any, **_: Any) -> None:
            self.actions.add(_ACTION.get((prefix, model.name), f"{prefix}:{model.name}"))

        client.meta.events.register("before-parameter-build", record)
        return client


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    rec = Recorder()
    original = AwsSession.client

    def client(self: AwsSession, service: str, region: str | None = None, **kw: Any) -> Any:
        return rec.hook(original(self, service, region, **kw))

    monkeypatch.setattr(AwsSession, "client", client)
    return rec


def _fetch(spec: str, **kw: Any) -> Any:
    return fetch(
        [spec],
        INV,
        WINDOW,
        write_events=WRITE_EVENTS,
        regions=(),
        auto=False,
        profile=None,
        progress=False,
        debug=False,
        env={},
        **kw,
    )


def test_policy_is_valid_json_with_unique_sids() -> None:
    doc = json.loads(POLICY.read_text())
    sids = [s["Sid"] for s in doc["Statement"]]
    assert doc["Version"] == "2012-10-17" and len(sids) == len(set(sids))
    assert all(s["Effect"] == "Allow" and "*" not in "".join(s["Action"]) for s in doc["Statement"])


def test_aws_source(lookup_server: LookupServer, recorder: Recorder) -> None:
    assert _fetch("aws", role_arn=None).statuses[0].complete
    assert recorder.actions == policy_actions("Aws")


def test_s3_source_and_role_assumption(moto: MotoServer, recorder: Recorder) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="trail")
    s3.put_object(Bucket="trail", Key="AWSLogs/records.json", Body=(CT / "records.json").read_bytes())
    result = _fetch("s3://trail", role_arn="arn:aws:iam::123456789012:role/reader")
    assert result.statuses[0].complete
    assert recorder.actions == policy_actions("S3") | policy_actions("RoleArn")


def test_athena_source(moto: MotoServer, recorder: Recorder) -> None:
    moto.seed_athena_results([], ["eventid"])
    assert _fetch("athena://primary/db.cloudtrail", role_arn=None).statuses[0].complete
    assert recorder.actions == policy_actions("Athena")


def test_lake_source() -> None:
    rec = Recorder()
    client = rec.hook(
        boto3.client(
            "cloudtrail", region_name="us-east-1", aws_access_key_id="AKIAFAKE", aws_secret_access_key="x"
        )
    )
    qid = "0123456789abcdef-0123-4567-89ab-cdef01234567"
    query = Query(WINDOW, frozenset({("ecs.amazonaws.com", "UpdateService")}))
    stub = Stubber(client)
    stub.add_response("start_query", {"QueryId": qid}, {"QueryStatement": build_sql(query, "eds-1")})
    stub.add_response(
        "get_query_results", {"QueryStatus": "FINISHED", "QueryResultRows": []}, {"QueryId": qid}
    )
    src = LakeSource(None, "lake://eds-1", client=client)
    with stub:
        list(src.events(query))
    assert src.status().complete
    assert rec.actions == policy_actions("Lake")
