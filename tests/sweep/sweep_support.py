"""CloudTrail records for the sweep tests, and a runner for ``tfdrift-ci sweep`` in-process."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
REGION = "eu-west-1"
TERRAFORM_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 os/linux lang/go#1.23.2"
)
CONSOLE_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
)
CLI_UA = "aws-cli/2.18.11 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6"


def _identity(who: str) -> tuple[dict[str, Any], str, dict[str, str]]:
    if who == "terraform":
        role = f"arn:aws:iam::{ACCOUNT}:role/github-actions-terraform"
        ident = {
            "type": "AssumedRole",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/github-actions-terraform/gha-run-1",
            "accountId": ACCOUNT,
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "arn": role, "userName": "github-actions-terraform"}
            },
        }
        return ident, TERRAFORM_UA, {}
    if who == "bob":
        return (
            {
                "type": "IAMUser",
                "arn": f"arn:aws:iam::{ACCOUNT}:user/bob",
                "accountId": ACCOUNT,
                "userName": "bob",
            },
            CLI_UA,
            {},
        )
    role = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/{REGION}/AWSReservedSSO_Admin_1a2b"
    ident = {
        "type": "AssumedRole",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Admin_1a2b/{who}@example.com",
        "accountId": ACCOUNT,
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "arn": role, "userName": "AWSReservedSSO_Admin_1a2b"}
        },
    }
    return ident, CONSOLE_UA, {"sessionCredentialFromConsole": "true"}


def ecr(
    event_id: str, time: str, name: str, repo: str, params: dict[str, Any], *, who: str = "alice"
) -> dict[str, Any]:
    """One ECR write event (``PutImageTagMutability`` / ``PutImageScanningConfiguration`` …)."""
    ident, agent, extra = _identity(who)
    return {
        "eventVersion": "1.09",
        "userIdentity": ident,
        "eventTime": time,
        "eventSource": "ecr.amazonaws.com",
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": "203.0.113.24",
        "userAgent": agent,
        "requestParameters": {"repositoryName": repo, **params},
        "responseElements": {"registryId": ACCOUNT, "repositoryName": repo, **params},
        "eventID": event_id,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "resources": [{"accountId": ACCOUNT, "ARN": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{repo}"}],
        **extra,
    }


def mutable(event_id: str, time: str, *, repo: str = "shop-api", who: str = "alice") -> dict[str, Any]:
    return ecr(event_id, time, "PutImageTagMutability", repo, {"imageTagMutability": "MUTABLE"}, who=who)


def immutable(event_id: str, time: str, *, repo: str = "shop-api", who: str = "terraform") -> dict[str, Any]:
    return ecr(event_id, time, "PutImageTagMutability", repo, {"imageTagMutability": "IMMUTABLE"}, who=who)


def scan(event_id: str, time: str, *, on: bool, repo: str = "shop-api", who: str = "bob") -> dict[str, Any]:
    return ecr(
        event_id,
        time,
        "PutImageScanningConfiguration",
        repo,
        {"imageScanningConfiguration": {"scanOnPush": on}},
        who=who,
    )


def write_events(folder: Path, records: Sequence[dict[str, Any]]) -> Path:
    """The folder's one trail file, replaced by ``records``."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    (folder / f"{ACCOUNT}_CloudTrail_{REGION}_events.json").write_text(
        json.dumps({"Records": list(records)}), encoding="utf-8"
    )
    return folder


@dataclass
class Result:
    code: int
    out: str
    err: str
    report: dict[str, Any]


# ``sweep(until, *args, github=…, env=…, cwd=…, path=…, events=…, since=…)`` (tests/sweep/conftest.py)
SweepRunner = Callable[..., Result]
