from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.lookup_server import LookupServer
from support.moto_server import MotoServer

CT = Path(__file__).parents[1] / "fixtures" / "cloudtrail"

# Variables that could make boto3 read real credentials or config on a developer's machine.
_AWS_VARS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_CLOUDTRAIL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_ATHENA",
    "AWS_ENDPOINT_URL_STS",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment where boto3 finds nothing: no variables, no config files, no IMDS."""
    for var in _AWS_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch


@pytest.fixture
def lookup_server(no_aws: pytest.MonkeyPatch) -> Iterator[LookupServer]:
    """A LookupEvents endpoint with no rate limit (tests that need the throttle set ``rate``),
    and the environment pointing boto3 at it."""
    with LookupServer(rate=None) as server:
        for key, value in server.env().items():
            no_aws.setenv(key, value)
        yield server


@pytest.fixture(scope="session")
def moto_session() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
def moto(moto_session: MotoServer, no_aws: pytest.MonkeyPatch) -> MotoServer:
    moto_session.reset()
    for key, value in moto_session.env().items():
        no_aws.setenv(key, value)
    return moto_session


@pytest.fixture
def ct_records() -> list[dict[str, Any]]:
    return list(json.loads((CT / "records.json").read_text())["Records"])
