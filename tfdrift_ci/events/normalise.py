"""One CloudTrail record (any delivery path) → one ``Event``, with the actor resolved once.

Every source (LookupEvents, trail files, S3, Athena, CloudTrail Lake) ends here, so the rules never
see delivery shapes. Record fields:
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
userIdentity:
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html

Everything in a record is untrusted text: any AWS user chooses their user agent, session name and
request values. Nothing here evaluates it; secrets the records can carry (ECS ExecuteCommand's
session token and stream URL) are redacted before the event leaves this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tfdrift_ci.models import Actor, Event, Via

__all__ = [
    "REDACTED",
    "MalformedRecord",
    "actor_from_record",
    "classify_via",
    "is_read_only",
    "is_terraform_user_agent",
    "normalise",
    "parse_event_time",
    "redact",
]


class MalformedRecord(ValueError):
    """A record that is not a CloudTrail event (missing or mistyped required fields). Sources count
    these apart (``SourceStatus.malformed``); one never stops a run."""


REDACTED = "<redacted>"

# Keys whose values are credentials or bearer URLs wherever they appear in request/response
# elements. ECS ExecuteCommand returns session{sessionId, streamUrl, tokenValue}: the token and the
# URL let anyone join the shell session
# (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommand.html).
# ECR GetAuthorizationToken returns authorizationData[].authorizationToken (a docker password).
# Compared case-insensitively.
SECRET_KEYS = frozenset(
    {
        "tokenvalue",
        "streamurl",
        "authorizationtoken",
        "sessiontoken",
        "secretaccesskey",
        "password",
        "accesstoken",
        "clientsecret",
        "privatekey",
    }
)
# Deeper than this, request/response structures are replaced rather than walked (hostile input
# can nest 10,000 levels; no real ECR/ECS request comes close).
_MAX_DEPTH = 64

_REQUIRED = ("eventID", "eventName", "eventSource", "eventTime")

# The Terraform AWS provider's user agent:
#   APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.70.0 …
# Matched like the reference's globs `* Terraform/* terraform-provider-aws/*` and Panther's
# `* HashiCorp/?.0 Terraform/*`, case-insensitively. User agents are client-chosen and can be
# spoofed: a configured Terraform principal (the drift engine's job) is the stronger signal.
_TF_CORE = re.compile(r"(?:^|[\s(;])terraform/\S", re.IGNORECASE)
_TF_PROVIDER = re.compile(r"(?:^|[\s(;])(?:terraform-provider-aws/|hashicorp/\d)", re.IGNORECASE)
_SDK = re.compile(
    r"(?:^|[\s(;\[])(?:boto3/|botocore/|aws-sdk-|aws-sdk/|awssdk|aws-chalice|aws-powershell|"
    r"awspowershell|aws-cdk|jsii-runtime|aws-internal/)",
    re.IGNORECASE,
)
_CONSOLE_HOSTS = frozenset({"console.amazonaws.com", "signin.amazonaws.com"})
_AWS_INTERNAL = "aws internal"


def normalise(record: Mapping[str, Any]) -> Event | None:
    """The ``Event`` for a write record; None for read-only records and ``AwsServiceEvent``s
    (e.g. ECR lifecycle ``PolicyExecutionEvent``). Filtering by event name is the caller's job.

    Raises ``MalformedRecord`` when eventID/eventName/eventSource/eventTime are missing or not
    strings, or when a structural field has the wrong type.
    """
    if not isinstance(record, Mapping):
        raise MalformedRecord(f"record is a {type(record).__name__}, not an object")
    for key in _REQUIRED:
        value = record.get(key)
        if not isinstance(value, str) or not value:
            raise MalformedRecord(f"record has no {key}" if value is None else f"{key} is not a string")
    if is_read_only(record) or record.get("eventType") == "AwsServiceEvent":
        return None
    when = parse_event_time(record["eventTime"])

    identity = record.get("userIdentity")
    if identity is None:
        identity = {}
    elif not isinstance(identity, Mapping):
        raise MalformedRecord("userIdentity is not an object")

    request, req_truncated = _elements(record.get("requestParameters"), "requestParameters")
    response, resp_truncated = _elements(record.get("responseElements"), "responseElements")
    request, req_changed = _redact_mapping(request)
    response, resp_changed = _redact_mapping(response)

    resources_raw = record.get("resources")
    resources: tuple[Mapping[str, Any], ...] = ()
    if isinstance(resources_raw, list):
        resources = tuple(r for r in resources_raw if isinstance(r, Mapping))
    elif resources_raw is not None:
        raise MalformedRecord("resources is not a list")

    account = _str(record.get("recipientAccountId")) or _str(identity.get("accountId"))
    raw = _redacted_raw(
        record, identity, request if req_changed else None, response if resp_changed else None
    )

    return Event(
        id=record["eventID"],
        name=record["eventName"],
        source=record["eventSource"],
        time=when,
        region=_str(record.get("awsRegion")),
        account=account,
        actor=actor_from_record(record, identity),
        read_only=False,
        error_code=_str(record.get("errorCode")),
        error_message=_str(record.get("errorMessage")),
        request=request,
        response=response,
        resources=resources,
        event_type=_str(record.get("eventType")),
        truncated=req_truncated or resp_truncated,
        raw=raw,
    )


# --------------------------------------------------------------------------------------------------
# fields


def is_read_only(record: Mapping[str, Any]) -> bool:
    """``readOnly`` is a boolean in trail files and a string in LookupEvents summaries / Athena."""
    value = record.get("readOnly")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def parse_event_time(text: str) -> datetime:
    """CloudTrail's ``2026-11-21T09:14:03Z`` (also with fractions, an offset, or Lake's
    ``2026-11-21 09:14:03.000``) as an aware UTC datetime."""
    try:
        t = datetime.fromisoformat(text.strip())
    except ValueError:
        raise MalformedRecord(f"eventTime {text[:40]!r} is not an ISO 8601 time") from None
    if t.tzinfo is None:
        return t.replace(tzinfo=UTC)
    return t.astimezone(UTC)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _elements(value: object, key: str) -> tuple[dict[str, Any], bool]:
    """requestParameters/responseElements as a dict, and whether it was cut or unreadable.

    Null → {}. A string (Athena declares these columns STRING; CloudTrail truncates at 100 KB,
    https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
    is parsed; if it does not parse, the event keeps ``{}`` and ``truncated=True`` so rules can
    say the values are unknown instead of guessing.
    """
    if value is None:
        return {}, False
    if isinstance(value, Mapping):
        # Defensive: some delivery paths mark oversized elements as omitted instead of cutting them.
        omitted = value.get("omitted") is True or value.get("truncated") is True
        return (dict(value), omitted)
    if isinstance(value, str):
        text = value.strip()
        if not text or text == "null":
            return {}, False
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            return {}, True
        if parsed is None:
            return {}, False
        if isinstance(parsed, dict):
            return parsed, False
        return {}, True
    raise MalformedRecord(f"{key} is a {type(value).__name__}, not an object")


# --------------------------------------------------------------------------------------------------
# secrets


def redact(value: Any, depth: int = 0) -> tuple[Any, bool]:
    """A copy of ``value`` with every ``SECRET_KEYS`` value replaced by ``<redacted>``, and whether
    anything changed (unchanged values are returned as they are, uncopied)."""
    if depth > _MAX_DEPTH:
        return "<redacted: nested too deeply>", True
    kind = type(value)
    if kind is dict or (kind is not list and isinstance(value, Mapping)):
        out: dict[str, Any] | None = None
        for k, v in value.items():
            if type(v) in _SCALARS:
                if isinstance(k, str) and k.lower() in SECRET_KEYS and v is not None and v != REDACTED:
                    if out is None:
                        out = dict(value)
                    out[k] = REDACTED
                continue
            if isinstance(k, str) and k.lower() in SECRET_KEYS and v is not None:
                new: Any = REDACTED
                changed = True
            else:
                new, changed = redact(v, depth + 1)
            if changed:
                if out is None:
                    out = dict(value)
                out[k] = new
        return (out, True) if out is not None else (value, False)
    if kind is list:
        items: list[Any] | None = None
        for i, v in enumerate(value):
            if type(v) in _SCALARS:
                continue
            new, changed = redact(v, depth + 1)
            if changed:
                if items is None:
                    items = list(value)
                items[i] = new
        return (items, True) if items is not None else (value, False)
    return value, False


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _redact_mapping(value: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    new, changed = redact(value)
    return (new, True) if changed else (value, False)


def _redacted_raw(
    record: Mapping[str, Any],
    identity: Mapping[str, Any],
    request: dict[str, Any] | None,
    response: dict[str, Any] | None,
) -> Mapping[str, Any]:
    """The record kept as evidence, minus secrets and the access key id (kept on the Actor for
    matching only, never rendered)."""
    if request is None and response is None and "accessKeyId" not in identity:
        return record
    raw = dict(record)
    if request is not None:
        raw["requestParameters"] = request
    if response is not None:
        raw["responseElements"] = response
    if "accessKeyId" in identity:
        ident = dict(identity)
        ident["accessKeyId"] = REDACTED
        raw["userIdentity"] = ident
    return raw


# --------------------------------------------------------------------------------------------------
# the actor


def actor_from_record(record: Mapping[str, Any], identity: Mapping[str, Any] | None = None) -> Actor:
    """Who made the call, resolved once (reference: "Who made the change")."""
    if identity is None:
        got = record.get("userIdentity")
        identity = got if isinstance(got, Mapping) else {}
    context = identity.get("sessionContext")
    issuer = context.get("sessionIssuer") if isinstance(context, Mapping) else None
    role_arn = _str(issuer.get("arn")) if isinstance(issuer, Mapping) else None
    role_name = _str(issuer.get("userName")) if isinstance(issuer, Mapping) else None
    kind = _str(identity.get("type"))
    invoked_by = _str(identity.get("invokedBy")) or _str(record.get("invokedBy"))
    user_agent = _str(record.get("userAgent"))
    source_ip = _str(record.get("sourceIPAddress"))
    via = classify_via(record, identity, kind=kind, invoked_by=invoked_by, user_agent=user_agent)
    service = invoked_by
    if service is None and via == "service":
        service = _service_host(source_ip) or _service_host(user_agent)
    return Actor(
        display=_display(identity, kind, role_name, invoked_by, user_agent),
        arn=_str(identity.get("arn")),
        type=kind,
        role_arn=role_arn,
        via=via,
        service=service,
        source_ip=source_ip,
        user_agent=user_agent,
        access_key_id=_str(identity.get("accessKeyId")),
    )


# Session names that name a machine or a run, not a person. Such a session is shown after its role
# ("deployer (session i-0abc123)") so that the reader sees who it acted as; a person's session (an
# SSO user's e-mail, "jane") stays as it is. Each pattern is a name AWS or a common tool generates:
_MACHINE_SESSIONS = re.compile(
    r"""^(?:
        i-[0-9a-f]{7,17}                           # EC2 instance profile: the instance id
      | botocore-session-\d+                      # boto3/botocore assume-role (aws-cli profiles, IRSA)
      | aws-(?:go|sdk|cli)[\w.-]*?-\d+            # aws-go-sdk-1732…, aws-sdk-java-…, aws-sdk-js-…
      | GitHubActions(?:-[\w-]+)?                 # aws-actions/configure-aws-credentials default
      | GitLab(?:CI)?-?[\w-]*\d{4,}[\w-]*          # GitLab OIDC examples with the job or pipeline id
      | AWSCodeBuild-[\w-]+ | codebuild-[\w-]+     # CodeBuild project roles
      | \d{6,}                                    # a timestamp or a run number
      | [a-z][\w.@-]*?[-_.]\d{8,}                  # ending in one: gha-run-8123456789, tf-1732180000
      | [0-9a-f]{16,}                              # an ECS task id (32 hex), another random hex id
      | [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}   # a UUID
      | (?=[\w-]*\d[\w-]*\d)(?=[\w-]*[a-z])[a-z0-9]{20,}             # a random token
    )$""",
    re.VERBOSE | re.IGNORECASE,
)
# A Lambda function's calls carry its execution role with the function name as the session name;
# the SDKs inside Lambda add "exec-env/AWS_Lambda_<runtime>" to the user agent (from
# AWS_EXECUTION_ENV: https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html).
_LAMBDA_UA = re.compile(r"exec-env/AWS_Lambda_", re.IGNORECASE)


def _machine_session(session: str, role: str | None, user_agent: str | None) -> bool:
    """Is ``session`` the name of a machine, a run or a function rather than a person?"""
    if _MACHINE_SESSIONS.match(session):
        return True
    if user_agent and _LAMBDA_UA.search(user_agent):
        return True  # the session is the function's name
    # A console-made Lambda role is "<function>-role-<random>" and its session the function name.
    return bool(role and re.fullmatch(rf"{re.escape(session)}-role-[a-z0-9]{{8}}", role))


def _with_role(session: str, role: str | None, user_agent: str | None) -> str:
    if role and role != session and _machine_session(session, role, user_agent):
        return f"{role} (session {session})"
    return session


def _display(
    identity: Mapping[str, Any],
    kind: str | None,
    role_name: str | None,
    invoked_by: str | None,
    user_agent: str | None = None,
) -> str:
    arn = _str(identity.get("arn")) or ""
    principal = _str(identity.get("principalId")) or ""
    if kind == "Root":
        return "root"
    if kind == "AWSService":
        return invoked_by or "AWS service"
    if kind == "IAMUser":
        return _str(identity.get("userName")) or arn.rpartition("/")[2] or principal or "unknown"
    if kind in ("AssumedRole", "FederatedUser") or ":assumed-role/" in arn:
        # arn:aws:sts::ACCT:assumed-role/ROLE/SESSION: the session name identifies the person
        # (SSO: AWSReservedSSO_…/jane@example.com) or the run (GitHub OIDC role-session-name); a
        # run, machine or function is shown after the role it acted as.
        _, marker, rest = arn.partition(":assumed-role/")
        if marker and "/" in rest:
            role, session = rest.split("/", 1)
            if session:
                return _with_role(session, role_name or role or None, user_agent)
        _, marker, rest = arn.partition(":federated-user/")
        if marker and rest:
            return rest
        if ":" in principal:
            session = principal.split(":", 1)[1]
            if session:
                return _with_role(session, role_name, user_agent)
        behalf = identity.get("onBehalfOf")
        if isinstance(behalf, Mapping) and _str(behalf.get("userId")):
            return str(behalf["userId"])
        return role_name or arn or "unknown"
    if kind == "IdentityCenterUser":
        behalf = identity.get("onBehalfOf")
        name = _str(identity.get("userName"))
        if name:
            return name
        if isinstance(behalf, Mapping) and _str(behalf.get("userId")):
            return str(behalf["userId"])
    if kind == "AWSAccount":
        return _str(identity.get("accountId")) or principal or "AWS account"
    return (
        _str(identity.get("userName"))
        or (principal.split(":", 1)[1] if ":" in principal else principal)
        or arn
        or invoked_by
        or "unknown"
    )


def is_terraform_user_agent(user_agent: str | None) -> bool:
    """The Terraform AWS provider's user agent (see ``_TF_CORE``). Spoofable: pair with a principal."""
    if not user_agent:
        return False
    return bool(_TF_CORE.search(user_agent) and _TF_PROVIDER.search(user_agent))


def classify_via(
    record: Mapping[str, Any],
    identity: Mapping[str, Any],
    *,
    kind: str | None,
    invoked_by: str | None,
    user_agent: str | None,
) -> Via:
    """terraform | console | service | cli | sdk | unknown, in that order of precedence."""
    ua = (user_agent or "").strip()
    ua_lower = ua.lower()
    if is_terraform_user_agent(ua):
        return "terraform"
    source_ip = (_str(record.get("sourceIPAddress")) or "").lower()
    console_session = _console_session(record, identity)
    invoked = (invoked_by or "").lower()
    if (
        ua_lower in _CONSOLE_HOSTS
        or source_ip in _CONSOLE_HOSTS
        or invoked in _CONSOLE_HOSTS
        or ua_lower.startswith("mozilla/")
        or (console_session and (not invoked or invoked == _AWS_INTERNAL))
    ):
        return "console"
    if (
        kind == "AWSService"
        or invoked
        or source_ip.endswith(".amazonaws.com")
        or (ua_lower.endswith(".amazonaws.com") and " " not in ua_lower)
        or ua_lower == _AWS_INTERNAL
    ):
        return "service"
    if "aws-cli/" in ua_lower:
        return "cli"
    if _SDK.search(ua):
        return "sdk"
    return "unknown"


def _console_session(record: Mapping[str, Any], identity: Mapping[str, Any]) -> bool:
    """``sessionCredentialFromConsole`` ("true", eventVersion ≥ 1.08); also seen inside
    ``additionalEventData`` / the session attributes in some records."""
    for value in (
        record.get("sessionCredentialFromConsole"),
        _nested(identity, "sessionContext", "attributes", "sessionCredentialFromConsole"),
    ):
        if value is True or (isinstance(value, str) and value.lower() == "true"):
            return True
    return False


def _nested(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _service_host(text: str | None) -> str | None:
    if text and text.endswith(".amazonaws.com") and " " not in text:
        return text
    return None
