"""boto3 sessions and clients for the AWS-backed sources (aws, s3://, athena://, lake://).

boto3 is imported here, lazily, never at ``import tfdrift_ci``. Clients are created without an
``endpoint_url`` so boto3's own endpoint settings apply: ``AWS_ENDPOINT_URL`` and
``AWS_ENDPOINT_URL_<SERVICE>`` (and ``endpoint_url`` in the profile), which is how tests and
S3-compatible stores point us elsewhere
(https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
Retries use botocore's ``standard`` mode (exponential backoff with jitter on throttling, 5xx and
connection errors; https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html),
with bounded timeouts (https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html):
an endpoint that cannot be reached fails in seconds, not after botocore's 60 s defaults and five
attempts (a closed port took 36 s end to end before).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tfdrift_ci.errors import SourceError

# Seconds to open a connection / to wait for a read. LookupEvents, S3 GETs and Athena/Lake calls
# answer in well under a second; a CI job should learn quickly that an endpoint is unreachable.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
# Attempts per call including the first (standard mode retries with backoff ≤ 1 s then ≤ 2 s): an
# unreachable endpoint costs ~3 attempts and ~2 s on average; throttled LookupEvents calls are
# retried further by the source's own bounded backoff.
MAX_ATTEMPTS = 3

CREDENTIALS_HELP = (
    "configure AWS credentials (AWS_PROFILE / --profile, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
    "SSO, or an OIDC role in CI), or read events from files with --events PATH"
)


@dataclass
class AwsSession:
    """A boto3 session (after the optional AssumeRole) and the settings every client shares."""

    session: Any  # boto3.session.Session
    max_attempts: int = MAX_ATTEMPTS  # the first attempt included
    retry_mode: str = "standard"

    @property
    def region(self) -> str | None:
        name = self.session.region_name
        return str(name) if name else None

    def client(self, service: str, region: str | None = None, *, max_pool: int = 10) -> Any:
        from botocore.config import Config

        config = Config(
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"mode": self.retry_mode, "total_max_attempts": self.max_attempts},
            max_pool_connections=max_pool,
            user_agent_extra="tfdrift-ci",
        )
        return self.session.client(service, region_name=region or self.region or "us-east-1", config=config)


def open_session(profile: str | None, role_arn: str | None, *, require: bool = True) -> AwsSession | None:
    """A session from the default credential chain (or ``profile``), then ``role_arn`` assumed.

    Returns None when no credentials are found and ``require`` is False; raises ``SourceError``
    (exit 2, saying what to configure) when they are required.
    """
    import boto3
    from botocore.exceptions import BotoCoreError, ProfileNotFound

    try:
        session = boto3.Session(profile_name=profile) if profile else boto3.Session()
        credentials = session.get_credentials()
    except ProfileNotFound:
        raise SourceError(f"AWS profile {profile!r} not found in the AWS config files") from None
    except BotoCoreError as err:
        raise SourceError(f"cannot load AWS credentials: {err}") from None
    if credentials is None:
        if require:
            raise SourceError(f"no AWS credentials found: {CREDENTIALS_HELP}")
        return None
    aws = AwsSession(session)
    if role_arn:
        aws = assume_role(aws, role_arn)
    return aws


def assume_role(aws: AwsSession, role_arn: str) -> AwsSession:
    """STS AssumeRole (``sts:AssumeRole``) and a session on the temporary credentials."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    sts = aws.client("sts")
    try:
        got = sts.assume_role(RoleArn=role_arn, RoleSessionName=f"tfdrift-ci-{int(time.time())}")
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "Error")
        raise SourceError(
            f"cannot assume role {role_arn}: {code} (needs sts:AssumeRole on the role, and the role's "
            "trust policy must allow this principal)"
        ) from None
    except BotoCoreError as err:
        raise SourceError(f"cannot assume role {role_arn}: {err}") from None
    creds = got["Credentials"]
    session = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=aws.region,
    )
    return AwsSession(session, aws.max_attempts, aws.retry_mode)


def error_code(err: BaseException) -> str:
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    response = getattr(err, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


ACCESS_DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedException",
        "AllAccessDisabled",
    }
)
EXPIRED = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "AuthFailure",
    }
)
# The region is not enabled for the account (opt-in regions).
NOT_ENABLED = frozenset({"OptInRequired", "SubscriptionRequiredException"})
