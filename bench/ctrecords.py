"""Deterministic CloudTrail record factory shared by the trail-file and busy-account generators.

Records follow CloudTrail's record shape as the realistic fixtures in ``tests/fixtures/cloudtrail/``
show it (userIdentity with a sessionContext, requestParameters/responseElements per event,
``resources`` for ECR events, none for ECS; fields:
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html). Everything comes from one ``random.Random`` so a seed gives byte-identical output.

The account model (``Account``) names ~50 declared ECR/ECS resources (written as a Terraform root
by ``terraform_root``) and a larger set of undeclared ones; the generators draw writes on both.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")

TERRAFORM_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 os/linux "
    "lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/{svc}#1.40.0"
)
CLI_UA = "aws-cli/2.17.40 md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe command/{cmd}"
BOTO_UA = "Boto3/1.35.20 md/Botocore#1.35.20 ua/2.0 os/linux#5.10.225 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.20"
CONSOLE_UA = "console.amazonaws.com"
SDK_GO_UA = "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)"

# (eventSource, eventName, readOnly) for unrelated traffic; weights are rough real-account ratios.
READ_CALLS: tuple[tuple[str, str, int], ...] = (
    ("ec2.amazonaws.com", "DescribeInstances", 30),
    ("ec2.amazonaws.com", "DescribeNetworkInterfaces", 20),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", 10),
    ("sts.amazonaws.com", "GetCallerIdentity", 15),
    ("kms.amazonaws.com", "Decrypt", 40),
    ("kms.amazonaws.com", "GenerateDataKey", 15),
    ("s3.amazonaws.com", "ListBuckets", 5),
    ("s3.amazonaws.com", "GetBucketPolicy", 5),
    ("iam.amazonaws.com", "GetRole", 10),
    ("iam.amazonaws.com", "ListAttachedRolePolicies", 6),
    ("logs.amazonaws.com", "DescribeLogGroups", 8),
    ("monitoring.amazonaws.com", "DescribeAlarms", 8),
    ("secretsmanager.amazonaws.com", "GetSecretValue", 12),
    ("ssm.amazonaws.com", "GetParameters", 12),
    ("ecr.amazonaws.com", "GetAuthorizationToken", 25),
    ("ecr.amazonaws.com", "BatchGetImage", 20),
    ("ecr.amazonaws.com", "GetDownloadUrlForLayer", 20),
    ("ecr.amazonaws.com", "DescribeRepositories", 8),
    ("ecr.amazonaws.com", "DescribeImages", 6),
    ("ecs.amazonaws.com", "DescribeServices", 25),
    ("ecs.amazonaws.com", "DescribeTasks", 20),
    ("ecs.amazonaws.com", "ListTasks", 15),
    ("ecs.amazonaws.com", "DescribeTaskDefinition", 10),
    ("ecs.amazonaws.com", "DescribeClusters", 8),
)
OTHER_WRITES: tuple[tuple[str, str, int], ...] = (
    ("sts.amazonaws.com", "AssumeRole", 30),
    ("ec2.amazonaws.com", "CreateNetworkInterface", 6),
    ("ec2.amazonaws.com", "DeleteNetworkInterface", 6),
    ("ec2.amazonaws.com", "CreateTags", 4),
    ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", 1),
    ("logs.amazonaws.com", "CreateLogStream", 10),
    ("s3.amazonaws.com", "PutBucketPolicy", 1),
    ("iam.amazonaws.com", "PutRolePolicy", 1),
    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", 2),
    ("elasticloadbalancing.amazonaws.com", "RegisterTargets", 5),
    ("elasticloadbalancing.amazonaws.com", "DeregisterTargets", 5),
    ("autoscaling.amazonaws.com", "SetDesiredCapacity", 2),
    ("ecs.amazonaws.com", "RunTask", 3),
    ("ecs.amazonaws.com", "StopTask", 3),
    ("ecs.amazonaws.com", "SubmitTaskStateChange", 8),
    ("ecr.amazonaws.com", "PutImage", 3),
    ("ecr.amazonaws.com", "InitiateLayerUpload", 3),
    ("ecr.amazonaws.com", "CompleteLayerUpload", 3),
)
# ECR/ECS writes that can change a declared resource (rules.drift.WRITE_EVENTS), with weights.
ECR_ECS_WRITES: tuple[tuple[str, str, int], ...] = (
    ("ecs.amazonaws.com", "UpdateService", 40),
    ("ecs.amazonaws.com", "RegisterTaskDefinition", 15),
    ("ecs.amazonaws.com", "DeregisterTaskDefinition", 4),
    ("ecs.amazonaws.com", "CreateService", 2),
    ("ecs.amazonaws.com", "TagResource", 3),
    ("ecs.amazonaws.com", "UpdateClusterSettings", 1),
    ("ecs.amazonaws.com", "PutClusterCapacityProviders", 1),
    ("ecr.amazonaws.com", "PutImageScanningConfiguration", 2),
    ("ecr.amazonaws.com", "PutImageTagMutability", 2),
    ("ecr.amazonaws.com", "SetRepositoryPolicy", 3),
    ("ecr.amazonaws.com", "PutLifecyclePolicy", 3),
    ("ecr.amazonaws.com", "TagResource", 2),
    ("ecr.amazonaws.com", "CreateRepository", 2),
)

_ROLES = (
    ("AssumedRole", "github-actions-deploy", "gha-run-{n}", TERRAFORM_UA),
    ("AssumedRole", "AWSReservedSSO_Admin_0a1b2c3d4e5f6a7b", "alice@example.com", CONSOLE_UA),
    ("AssumedRole", "AWSReservedSSO_PowerUser_9f8e7d6c5b4a3210", "bob@example.com", CLI_UA),
    ("AssumedRole", "app-runtime", "i-0{n:016x}", BOTO_UA),
    (
        "AssumedRole",
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling",
        "ecs.application-autoscaling.amazonaws.com",
    ),
    ("IAMUser", "ci-legacy", "ci-legacy", SDK_GO_UA),
)


@dataclass(frozen=True)
class Declared:
    """One declared resource of the busy account: Terraform type, label and its CloudTrail name."""

    type: str
    label: str
    name: str
    cluster: str | None = None


@dataclass
class Account:
    rng: random.Random
    account: str = ACCOUNT
    declared: list[Declared] = field(default_factory=list)
    undeclared_repos: list[str] = field(default_factory=list)
    undeclared_services: list[tuple[str, str]] = field(default_factory=list)  # (cluster, service)
    undeclared_families: list[str] = field(default_factory=list)
    undeclared_clusters: list[str] = field(default_factory=list)


def make_account(seed: int = 7, declared: int = 50, undeclared: int = 600) -> Account:
    """~``declared`` ECR/ECS resources (repos 30%, services 30%, task defs 25%, clusters rest)."""
    rng = random.Random(seed)
    acc = Account(rng=rng)
    teams = ["payments", "search", "checkout", "identity", "catalog", "ledger", "ml", "web", "edge", "data"]
    n_clusters = max(1, declared // 10)
    clusters = [f"{teams[i % len(teams)]}-prod-{i}" for i in range(n_clusters)]
    for c in clusters:
        acc.declared.append(Declared("aws_ecs_cluster", c.replace("-", "_"), c))
    rest = declared - n_clusters
    n_repos = rest * 35 // 100
    n_services = rest * 35 // 100
    n_tds = rest - n_repos - n_services
    for i in range(n_repos):
        name = f"{teams[i % len(teams)]}/app-{i}"
        acc.declared.append(Declared("aws_ecr_repository", f"repo_{i}", name))
    for i in range(n_services):
        c = clusters[i % n_clusters]
        acc.declared.append(Declared("aws_ecs_service", f"svc_{i}", f"svc-{i}-{teams[i % len(teams)]}", c))
    for i in range(n_tds):
        acc.declared.append(Declared("aws_ecs_task_definition", f"td_{i}", f"td-{teams[i % len(teams)]}-{i}"))
    uc = [f"shared-{i}" for i in range(max(2, undeclared // 60))]
    acc.undeclared_clusters = uc
    for i in range(undeclared):
        k = i % 3
        if k == 0:
            acc.undeclared_repos.append(f"legacy/{teams[i % len(teams)]}-{i}")
        elif k == 1:
            acc.undeclared_services.append((uc[i % len(uc)], f"other-svc-{i}"))
        else:
            acc.undeclared_families.append(f"other-family-{i}")
    return acc


def terraform_root(acc: Account, region: str = "us-east-1") -> str:
    """A Terraform root declaring ``acc.declared`` with literal names (so identities are exact)."""
    out = [
        'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n  }\n}\n',
        f'provider "aws" {{\n  region = "{region}"\n}}\n',
    ]
    for d in acc.declared:
        if d.type == "aws_ecs_cluster":
            out.append(
                f'resource "aws_ecs_cluster" "{d.label}" {{\n  name = "{d.name}"\n'
                '  setting {\n    name  = "containerInsights"\n    value = "enabled"\n  }\n}\n'
            )
        elif d.type == "aws_ecr_repository":
            out.append(
                f'resource "aws_ecr_repository" "{d.label}" {{\n  name                 = "{d.name}"\n'
                '  image_tag_mutability = "IMMUTABLE"\n  image_scanning_configuration {\n'
                "    scan_on_push = true\n  }\n}\n"
            )
        elif d.type == "aws_ecs_service":
            cl = next(x for x in acc.declared if x.type == "aws_ecs_cluster" and x.name == d.cluster)
            out.append(
                f'resource "aws_ecs_service" "{d.label}" {{\n  name            = "{d.name}"\n'
                f"  cluster         = aws_ecs_cluster.{cl.label}.id\n"
                '  task_definition = "arn:aws:ecs:us-east-1:123456789012:task-definition/x:1"\n'
                "  desired_count   = 2\n  lifecycle {\n    ignore_changes = [desired_count]\n  }\n}\n"
            )
        elif d.type == "aws_ecs_task_definition":
            out.append(
                f'resource "aws_ecs_task_definition" "{d.label}" {{\n  family = "{d.name}"\n'
                "  container_definitions = jsonencode([{\n"
                f'    name = "app", image = "{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:1.0.0"\n'
                "    essential = true, memory = 512\n  }])\n}\n"
            )
    return "\n".join(out)


# --------------------------------------------------------------------------------------------------


class Factory:
    """Builds record dicts. ``uuid``-like ids come from the rng (not uuid4) for determinism."""

    def __init__(self, acc: Account, seed: int) -> None:
        self.acc = acc
        self.rng = random.Random(seed)
        self._read_pop = [c[:2] for c in READ_CALLS]
        self._read_w = [c[2] for c in READ_CALLS]
        self._other_pop = [c[:2] for c in OTHER_WRITES]
        self._other_w = [c[2] for c in OTHER_WRITES]
        self._ecx_pop = [c[:2] for c in ECR_ECS_WRITES]
        self._ecx_w = [c[2] for c in ECR_ECS_WRITES]

    def _id(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _identity(self, svc: str, prefer_tf: bool = False) -> tuple[dict[str, object], str, str | None]:
        r = self.rng
        kind, role, session, ua = _ROLES[0] if prefer_tf else r.choices(_ROLES, weights=(3, 1, 1, 6, 1, 1))[0]
        session = session.format(n=r.getrandbits(32))
        invoked_by = None
        if ua == "ecs.application-autoscaling.amazonaws.com":
            invoked_by = ua
        ua = ua.format(svc=svc.split(".", maxsplit=1)[0], cmd=f"{svc.split('.', maxsplit=1)[0]}.x")
        acct = self.acc.account
        if kind == "IAMUser":
            ident: dict[str, object] = {
                "type": "IAMUser",
                "principalId": "AIDA" + f"{r.getrandbits(64):016X}",
                "arn": f"arn:aws:iam::{acct}:user/{role}",
                "accountId": acct,
                "accessKeyId": "AKIA" + f"{r.getrandbits(64):016X}",
                "userName": role,
            }
        else:
            pid = "AROA" + f"{zlib.crc32(role.encode()):08X}ABCDEFGH"
            ident = {
                "type": "AssumedRole",
                "principalId": f"{pid}:{session}",
                "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}",
                "accountId": acct,
                "accessKeyId": "ASIA" + f"{r.getrandbits(64):016X}",
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": pid,
                        "arn": f"arn:aws:iam::{acct}:role/{role}",
                        "accountId": acct,
                        "userName": role,
                    },
                    "webIdFederationData": {},
                    "attributes": {"creationDate": "2026-11-20T08:00:00Z", "mfaAuthenticated": "false"},
                },
            }
            if invoked_by:
                ident["invokedBy"] = invoked_by
        return ident, ua, invoked_by

    def record(
        self,
        t: datetime,
        region: str,
        source: str,
        name: str,
        read_only: bool,
        request: dict[str, object] | None,
        response: dict[str, object] | None = None,
        resources: list[dict[str, str]] | None = None,
        prefer_tf: bool = False,
    ) -> dict[str, object]:
        r = self.rng
        ident, ua, invoked_by = self._identity(source, prefer_tf)
        rec: dict[str, object] = {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": invoked_by
            or f"{r.randrange(3, 223)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}",
            "userAgent": ua,
            "requestParameters": request,
            "responseElements": response,
            "requestID": self._id(),
            "eventID": self._id(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.acc.account,
            "eventCategory": "Management",
            "tlsDetails": {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.', maxsplit=1)[0]}.{region}.amazonaws.com",
            },
        }
        if resources is not None:
            rec["resources"] = resources
        if ua == CONSOLE_UA:
            rec["sessionCredentialFromConsole"] = "true"
        if not read_only and r.random() < 0.01:
            rec["errorCode"] = "AccessDenied"
            rec["errorMessage"] = "User is not authorized to perform this operation"
            rec["responseElements"] = None
        return rec

    # ---- kinds of traffic

    def read(self, t: datetime, region: str) -> dict[str, object]:
        source, name = self.rng.choices(self._read_pop, weights=self._read_w)[0]
        req: dict[str, object] | None
        if source == "ecs.amazonaws.com":
            req = {"cluster": self.rng.choice(self.acc.undeclared_clusters), "include": ["TAGS"]}
        elif source == "ecr.amazonaws.com":
            req = {
                "registryId": self.acc.account,
                "repositoryName": self.rng.choice(self.acc.undeclared_repos),
            }
        elif source == "kms.amazonaws.com":
            req = {
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                "keyId": f"arn:aws:kms:{region}:{self.acc.account}:key/{self._id()}",
            }
        elif source == "ec2.amazonaws.com":
            req = {
                "maxResults": 1000,
                "filterSet": {
                    "items": [
                        {
                            "name": "vpc-id",
                            "valueSet": {"items": [{"value": f"vpc-{self.rng.getrandbits(32):08x}"}]},
                        }
                    ]
                },
            }
        else:
            req = None
        return self.record(t, region, source, name, True, req)

    def other_write(self, t: datetime, region: str) -> dict[str, object]:
        source, name = self.rng.choices(self._other_pop, weights=self._other_w)[0]
        req: dict[str, object] = {"roleSessionName": f"s-{self.rng.getrandbits(24)}", "durationSeconds": 3600}
        if source == "ecr.amazonaws.com":
            req = {
                "repositoryName": self.rng.choice(self.acc.undeclared_repos),
                "registryId": self.acc.account,
                "imageTag": f"v{self.rng.randrange(999)}",
            }
        elif source == "ecs.amazonaws.com":
            c, _s = self.rng.choice(self.acc.undeclared_services)
            req = {
                "cluster": c,
                "task": f"arn:aws:ecs:{region}:{self.acc.account}:task/{c}/{self.rng.getrandbits(128):032x}",
            }
        elif source == "ec2.amazonaws.com":
            req = {"subnetId": f"subnet-{self.rng.getrandbits(32):08x}", "description": "ECS task ENI"}
        return self.record(
            t,
            region,
            source,
            name,
            False,
            req,
            {"credentials": {"expiration": "Nov 23, 2026, 10:00:00 PM"}} if name == "AssumeRole" else None,
        )

    def ecx_write(self, t: datetime, region: str, declared: bool) -> dict[str, object]:
        """A write that can change an ECR/ECS resource, on a declared or an undeclared one."""
        source, name = self.rng.choices(self._ecx_pop, weights=self._ecx_w)[0]
        resources: list[dict[str, str]] | None = None
        if source == "ecr.amazonaws.com":
            req, resp, resources = self._ecr_write(name, region, declared)
        else:
            req, resp = self._ecs_write(name, region, declared)
        prefer_tf = self.rng.random() < 0.5
        return self.record(t, region, source, name, False, req, resp, resources, prefer_tf=prefer_tf)

    def _ecr_write(
        self, name: str, region: str, declared: bool
    ) -> tuple[dict[str, object], dict[str, object] | None, list[dict[str, str]]]:
        """Request, response and resources of an ECR write (same random draws, in the same order, as
        when this was one function: the generated files stay byte-identical)."""
        r = self.rng
        acc = self.acc
        req: dict[str, object]
        resp: dict[str, object] | None = None
        if declared:
            repo = r.choice([d.name for d in acc.declared if d.type == "aws_ecr_repository"])
        else:
            repo = r.choice(acc.undeclared_repos)
        arn = f"arn:aws:ecr:{region}:{acc.account}:repository/{repo}"
        resources = [{"accountId": acc.account, "ARN": arn}]
        req = {"repositoryName": repo, "registryId": acc.account}
        if name == "PutImageScanningConfiguration":
            req["imageScanningConfiguration"] = {"scanOnPush": r.random() < 0.5}
        elif name == "PutImageTagMutability":
            req["imageTagMutability"] = r.choice(("MUTABLE", "IMMUTABLE"))
        elif name == "SetRepositoryPolicy":
            req["policyText"] = (
                '{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}'
            )
        elif name == "PutLifecyclePolicy":
            req["lifecyclePolicyText"] = (
                '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}'
            )
        elif name == "TagResource":
            req = {"resourceArn": arn, "tags": [{"Key": "owner", "Value": "team-x"}]}
        resp = dict(req) if name != "TagResource" else None
        return req, resp, resources

    def _ecs_write(
        self, name: str, region: str, declared: bool
    ) -> tuple[dict[str, object], dict[str, object] | None]:
        """Request and response of an ECS write."""
        r = self.rng
        acc = self.acc
        req: dict[str, object]
        resp: dict[str, object] | None = None
        decl_services = [d for d in acc.declared if d.type == "aws_ecs_service"]
        decl_families = [d.name for d in acc.declared if d.type == "aws_ecs_task_definition"]
        decl_clusters = [d.name for d in acc.declared if d.type == "aws_ecs_cluster"]
        if name in ("UpdateService", "CreateService", "TagResource"):
            if declared:
                d = r.choice(decl_services)
                cluster, svc = d.cluster or "default", d.name
            else:
                cluster, svc = r.choice(acc.undeclared_services)
            if name == "UpdateService":
                req = {"cluster": cluster, "service": svc}
                k = r.random()
                if k < 0.6:
                    req["desiredCount"] = r.randrange(1, 12)
                elif k < 0.9:
                    req["taskDefinition"] = f"{svc}-td:{r.randrange(1, 400)}"
                    req["forceNewDeployment"] = False
                else:
                    req["enableExecuteCommand"] = True
                resp = {
                    "service": {
                        "serviceArn": f"arn:aws:ecs:{region}:{acc.account}:service/{cluster}/{svc}",
                        "serviceName": svc,
                        "clusterArn": f"arn:aws:ecs:{region}:{acc.account}:cluster/{cluster}",
                        "desiredCount": req.get("desiredCount", 2),
                        "status": "ACTIVE",
                    }
                }
            elif name == "CreateService":
                req = {
                    "cluster": cluster,
                    "serviceName": svc,
                    "taskDefinition": f"{svc}-td:1",
                    "desiredCount": 2,
                    "launchType": "FARGATE",
                }
            else:
                req = {
                    "resourceArn": f"arn:aws:ecs:{region}:{acc.account}:service/{cluster}/{svc}",
                    "tags": [{"key": "owner", "value": "team-x"}],
                }
        elif name in ("RegisterTaskDefinition", "DeregisterTaskDefinition"):
            fam = r.choice(decl_families) if declared else r.choice(acc.undeclared_families)
            if name == "RegisterTaskDefinition":
                req = {
                    "family": fam,
                    "containerDefinitions": [
                        {
                            "name": "app",
                            "image": f"{acc.account}.dkr.ecr.{region}.amazonaws.com/app:{r.randrange(1000)}",
                            "cpu": 256,
                            "memory": 512,
                            "essential": True,
                            "environment": [
                                {"name": "ENV", "value": "prod"},
                                {"name": "LOG_LEVEL", "value": "info"},
                            ],
                            "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                        }
                    ],
                    "networkMode": "awsvpc",
                    "cpu": "256",
                    "memory": "512",
                    "requiresCompatibilities": ["FARGATE"],
                }
                resp = {
                    "taskDefinition": {
                        "taskDefinitionArn": f"arn:aws:ecs:{region}:{acc.account}:task-definition/{fam}:{r.randrange(2, 500)}",
                        "family": fam,
                        "status": "ACTIVE",
                    }
                }
            else:
                req = {"taskDefinition": f"{fam}:{r.randrange(1, 400)}"}
        else:
            cluster = r.choice(decl_clusters) if declared else r.choice(acc.undeclared_clusters)
            if name == "UpdateClusterSettings":
                req = {
                    "cluster": cluster,
                    "settings": [{"name": "containerInsights", "value": "disabled"}],
                }
            else:
                req = {
                    "cluster": cluster,
                    "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                    "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}],
                }
        return req, resp


def times(rng: random.Random, start: datetime, end: datetime, n: int) -> Iterator[datetime]:
    """``n`` sorted times in [start, end), second precision."""
    span = int((end - start).total_seconds())
    for s in sorted(rng.randrange(span) for _ in range(n)):
        yield start + timedelta(seconds=s)


def day_floor(t: datetime) -> datetime:
    return t.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=UTC)
