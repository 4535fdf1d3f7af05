"""TFD-ECS-007: secrets in plaintext container environment variables.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from tfdrift_ci.models import Resource, Severity
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import attr_line, container_label, containers, mask

# Name words that mark a secret. PASSWORD/PASSWD/SECRET/CREDENTIAL(S) may be glued to other words
# (DBPASSWORD); TOKEN and the KEY pairs must be separate words (TOKENIZER_MODEL is not a secret).
_GLUED = re.compile(r"PASSWORD|PASSWD|SECRET|CREDENTIAL")
_WORDS = re.compile(
    r"(?:^|[_\-.])(?:TOKEN|APIKEY|API[_\-.]?KEY|PRIVATE[_\-.]?KEY|ACCESS[_\-.]?KEY)(?:$|[_\-.])"
)
# A trailing word saying the value is a reference, a setting or a location, not the secret itself.
_NOT_SECRET_SUFFIX = re.compile(
    r"[_\-.](?:ARN|NAME|ID|IDS|FILE|PATH|DIR|URL|URI|ENDPOINT|HOST|PORT|REGION|TTL|EXPIRY|EXPIRES|"
    r"TIMEOUT|LENGTH|LEN|TYPE|ENABLED|ENABLE|HEADER|VERSION|PARAM|PARAMETER|KEYID|KEY_ID|ROTATION|"
    r"POLICY|AUDIENCE|ISSUER|SCOPE|SCOPES|PREFIX|ALGORITHM|ALG|FORMAT|MODE|SIZE|COUNT|MAX|MIN|LIMIT|"
    r"PROVIDER|BACKEND|STORE|LOCATION|SOURCE|SECONDS|MINUTES|HOURS|DAYS|MS|INTERVAL|REQUIRED)$"
)
# Values that look like credentials whatever the variable is called.
VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    (
        "a Slack webhook URL",
        re.compile(r"https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/\w+"),
    ),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("a JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("a Stripe live key", re.compile(r"\b[sr]k_live_[A-Za-z0-9]{16,}")),
)
# An AWS secret access key: 40 base64 characters; only trusted next to a key-ish name.
_AWS_SECRET_VALUE = re.compile(r"^[A-Za-z0-9/+]{40}$")
_KEYISH_NAME = re.compile(r"AWS|KEY|SECRET")

RULE = Rule(
    id="TFD-ECS-007",
    kind="config",
    severity=Severity.HIGH,
    title="ECS container has secrets in plaintext environment variables",
    resource_types=("aws_ecs_task_definition",),
    peers=PeerIds(
        trivy=("AVD-AWS-0036", "aws-ecs-no-plaintext-secrets"),
        # ECS Task Definition Container With Plaintext Password
        kics=("d40210ea-64b9-4cce-a4fb-e8604f3c062c",),
        notes=(
            (
                "d40210ea-64b9-4cce-a4fb-e8604f3c062c",
                "query removed from KICS in 2024; still honoured in kics-scan comments and ignore entries",
            ),
        ),
    ),
    mitre=("T1552",),
    remediation=(
        'Move the value to Secrets Manager / SSM and reference it in "secrets" '
        '([{name, valueFrom = <ARN>}]) instead of "environment".'
    ),
    docs=RuleDoc(
        what=(
            "`environment` entries of each container in `container_definitions`. An entry fails when "
            "its NAME contains PASSWORD, PASSWD, SECRET or CREDENTIAL(S), or the separate words TOKEN, "
            "API_KEY/APIKEY, PRIVATE_KEY or ACCESS_KEY (case-insensitive), and it has a non-empty "
            "literal value — unless the name ends in a word naming a reference or setting (…_ARN, "
            "…_NAME, …_ID, …_FILE, …_PATH, …_URL, …_TTL, …_ENABLED…) or the value is an ARN or a "
            "boolean. Whatever the name, it fails when the VALUE looks like an AWS access key id "
            "(AKIA/ASIA + 16), an AWS secret access key (40 base64 characters next to an AWS/KEY/SECRET "
            "name), a GitHub token (ghp_…, github_pat_…), a Slack token or webhook, a PEM private key, "
            "a JWT or a Stripe live key. Values the inventory cannot evaluate are not evaluated. The "
            "finding never shows the value: at most its first 4 characters."
        ),
        why=(
            "Environment values are part of the task definition: anyone with "
            "`ecs:DescribeTaskDefinition` (a read-only permission most roles have) can read them, and "
            "they are stored in Terraform state and plan files in clear. `secrets` with `valueFrom` "
            "keeps the value in Secrets Manager or SSM Parameter Store, readable only by the execution "
            "role."
        ),
        example=(
            'resource "aws_ecs_task_definition" "plaintext_bad" {\n'
            '  family = "api"\n'
            "  container_definitions = jsonencode([{\n"
            '    name = "api", image = "repo/api:1.2.3"\n'
            '    environment = [{ name = "DB_PASSWORD", value = "hunter2hunter2" }]\n'
            "  }])\n"
            "}\n\n"
            'resource "aws_ecs_task_definition" "secrets_ok" {\n'
            '  family = "api"\n'
            "  container_definitions = jsonencode([{\n"
            '    name = "api", image = "repo/api:1.2.3"\n'
            '    secrets = [{ name = "DB_PASSWORD", valueFrom = aws_secretsmanager_secret.db.arn }]\n'
            "  }])\n"
            "}"
        ),
        fix=(
            "Store the value in Secrets Manager or SSM Parameter Store (SecureString), reference it "
            'from `secrets = [{ name = "DB_PASSWORD", valueFrom = <ARN> }]`, allow the execution role '
            "to read it, and rotate the value that was exposed."
        ),
    ),
)


def secret_name(name: str) -> bool:
    upper_name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).upper()
    if _NOT_SECRET_SUFFIX.search(upper_name):
        return False
    return bool(_GLUED.search(upper_name) or _WORDS.search(upper_name))


def secret_value_kind(name: str, value: str) -> str | None:
    for label, pattern in VALUE_PATTERNS:
        if pattern.search(value):
            return label
    if _AWS_SECRET_VALUE.match(value) and _KEYISH_NAME.search(name.upper()):
        return "an AWS secret access key"
    return None


def _plain_value(value: str) -> bool:
    v = value.strip()
    return bool(v) and v.lower() not in ("true", "false") and not v.startswith("arn:")


def _entries(container: Mapping[str, Any]) -> list[tuple[int, str, str]]:
    env = container.get("environment")
    out: list[tuple[int, str, str]] = []
    if not isinstance(env, list):
        return out
    for i, entry in enumerate(env):
        if isinstance(entry, Mapping):
            name, value = entry.get("name"), entry.get("value")
            if isinstance(name, str) and isinstance(value, str):
                out.append((i, name, value))
    return out


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    for where, container in containers(resource) or ():
        for i, name, value in _entries(container):
            kind = secret_value_kind(name, value)
            if kind is None and not (secret_name(name) and _plain_value(value)):
                continue
            reason = (
                f"holds what looks like {kind}" if kind else "has a secret-looking name and a literal value"
            )
            yield Hit(
                message=f"{container_label(where, container)}: environment variable {name} {reason} "
                f"({mask(value)}); use secrets with valueFrom",
                attribute=(path := f"{where}.environment[{i}].value"),
                actual={"name": name, "value": mask(value)},
                expected="secrets: [{name, valueFrom}]",
                line=attr_line(resource, path),
            )
