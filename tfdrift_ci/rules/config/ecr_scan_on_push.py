"""TFD-ECR-002: images must be scanned on push (repository setting or registry scanning rules).

https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecr_registry_scanning_configuration
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tfdrift_ci.models import Resource, Severity, Unknown
from tfdrift_ci.rules.base import ConfigContext, Hit, PeerIds, Rule, RuleDoc
from tfdrift_ci.rules.config._util import (
    as_bool,
    as_str,
    attr_line,
    block,
    blocks,
    by_type,
    same_place,
    upper,
    wildcard_match,
)

ATTRIBUTE = "image_scanning_configuration.scan_on_push"
REGISTRY_SCANNING = "aws_ecr_registry_scanning_configuration"
TEMPLATE = "aws_ecr_repository_creation_template"

RULE = Rule(
    id="TFD-ECR-002",
    kind="config",
    severity=Severity.HIGH,
    title="ECR repository images are not scanned on push",
    resource_types=("aws_ecr_repository", TEMPLATE),
    peers=PeerIds(
        checkov=("CKV_AWS_163",),
        trivy=("AVD-AWS-0030", "aws-ecr-enable-image-scans"),
        kics=("9630336b-3fed-4096-8173-b9afdfe346a7",),  # Unscanned ECR Image
    ),
    mitre=("T1525",),
    remediation=(
        "Set image_scanning_configuration { scan_on_push = true }, or scan the repository (for a "
        "creation template: every repository under its prefix) with an "
        "aws_ecr_registry_scanning_configuration rule."
    ),
    docs=RuleDoc(
        what=(
            "`image_scanning_configuration.scan_on_push` on `aws_ecr_repository`: `false` or an omitted "
            "block fails (the default is off). It passes anyway when an "
            "`aws_ecr_registry_scanning_configuration` in the same project (same account and region "
            'where known) scans the repository: `scan_type = "ENHANCED"` with any rule whose '
            '`repository_filter` matches the repository name, or `scan_type = "BASIC"` with a '
            "`SCAN_ON_PUSH` rule whose filter matches. Filters are ECR wildcards (`*` only). With a "
            "registry-level configuration the repository setting is ignored by AWS, so tfdrift-ci "
            "does not report it; when the repository name is unknown only a `*` filter counts. "
            "Conversely, when the registry uses `ENHANCED` scanning, ECR ignores the repository's "
            "`scan_on_push`: a repository with `scan_on_push = true` that no enhanced rule filter "
            "matches is reported too (it is not scanned). A repository creation template "
            "(`aws_ecr_repository_creation_template`) cannot turn scanning on for the repositories it "
            "creates: it fails unless a registry scanning rule of the same project covers every "
            "repository under its prefix (a `*` filter, or `<prefix>/*`-style filters such as `team*` "
            "for prefix `team`; only `*` covers the `ROOT` template)."
        ),
        why=(
            "Scan on push gives a vulnerability report for every image before it is deployed; without "
            "it known-vulnerable base images reach production unnoticed. Other scanners flag every "
            "repository when scanning is configured at the registry level, which teaches users to "
            "ignore the finding; this rule follows what ECR actually does."
        ),
        example=(
            'resource "aws_ecr_repository" "scan_off_bad" {\n'
            '  name = "api"\n'
            "  image_scanning_configuration {\n"
            "    scan_on_push = false\n"
            "  }\n"
            "}\n\n"
            'resource "aws_ecr_repository" "scan_on_ok" {\n'
            '  name = "api"\n'
            "  image_scanning_configuration {\n"
            "    scan_on_push = true\n"
            "  }\n"
            "}"
        ),
        fix=(
            "Add `image_scanning_configuration { scan_on_push = true }`, or manage scanning for the "
            "whole registry with `aws_ecr_registry_scanning_configuration` (Amazon Inspector enhanced "
            "scanning is the recommended option)."
        ),
    ),
)


def _scanning_filters(resource: Resource, ctx: ConfigContext) -> Iterator[tuple[str, str]]:
    """(address, repository filter) of every registry scanning rule (same place) that scans on push:
    ``SCAN_ON_PUSH`` rules, and ``CONTINUOUS_SCAN`` ones under ``ENHANCED`` scanning."""
    for reg in by_type(ctx.inventory).get(REGISTRY_SCANNING, ()):
        if not same_place(resource, reg):
            continue
        scan_type = upper(reg.attributes.get("scan_type")) or "BASIC"
        for rule in blocks(reg.attributes, "rule"):
            frequency = upper(rule.get("scan_frequency"))
            if frequency != "SCAN_ON_PUSH" and not (
                scan_type == "ENHANCED" and frequency == "CONTINUOUS_SCAN"
            ):
                continue
            for flt in blocks(rule, "repository_filter"):
                pattern = as_str(flt.get("filter"))
                if pattern is not None:
                    yield reg.address, pattern


def _covered_by_registry(resource: Resource, ctx: ConfigContext) -> str | None:
    """The address of a registry scanning configuration that scans ``resource``, if any."""
    name = resource.attributes.get("name")
    for address, pattern in _scanning_filters(resource, ctx):
        if pattern == "*" or (isinstance(name, str) and wildcard_match(name, pattern)):
            return address
    return None


def _enhanced_registry(resource: Resource, ctx: ConfigContext) -> str | None:
    """An ENHANCED registry scanning configuration (same place) whose rules are all evaluated: with
    enhanced scanning the repository's own scan_on_push is ignored by ECR."""
    for reg in by_type(ctx.inventory).get(REGISTRY_SCANNING, ()):
        if not same_place(resource, reg) or upper(reg.attributes.get("scan_type")) != "ENHANCED":
            continue
        rules = reg.attributes.get("rule")
        if isinstance(rules, Unknown) or any(
            isinstance(r.get("repository_filter"), Unknown)
            or any(isinstance(f.get("filter"), Unknown) for f in blocks(r, "repository_filter"))
            for r in blocks(reg.attributes, "rule")
        ):
            continue  # filters not evaluated: do not guess
        return reg.address
    return None


def _covers_prefix(pattern: str, prefix: str) -> bool:
    """Whether a registry filter matches every repository a template with ``prefix`` creates
    (``<prefix>/<anything>``; every repository for ``ROOT``)."""
    if pattern == "*":
        return True
    head = pattern[:-1]
    return prefix != "ROOT" and pattern.endswith("*") and "*" not in head and f"{prefix}/".startswith(head)


def _template_covered(resource: Resource, prefix: str, ctx: ConfigContext) -> bool:
    return any(_covers_prefix(pattern, prefix) for _, pattern in _scanning_filters(resource, ctx))


def _check_template(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    prefix = resource.attributes.get("prefix")
    if not isinstance(prefix, str) or _template_covered(resource, prefix, ctx):
        return
    scope = "every repository ECR creates" if prefix == "ROOT" else f"the repositories under {prefix}/"
    yield Hit(
        message=f"no registry scanning rule scans {scope} on push, and a creation template cannot turn "
        "scanning on",
        attribute="prefix",
        actual=prefix,
        expected="a SCAN_ON_PUSH (or ENHANCED continuous) registry scanning rule whose filter covers "
        + ("*" if prefix == "ROOT" else f"{prefix}/*"),
        line=attr_line(resource, "prefix"),
    )


def check(resource: Resource, ctx: ConfigContext) -> Iterable[Hit]:
    if resource.type == TEMPLATE:
        yield from _check_template(resource, ctx)
        return
    cfg = block(resource.attributes, "image_scanning_configuration")
    raw = cfg.get("scan_on_push") if cfg is not None else None
    if isinstance(raw, Unknown) or isinstance(
        resource.attributes.get("image_scanning_configuration"), Unknown
    ):
        return
    if _covered_by_registry(resource, ctx):
        return
    if as_bool(raw) is True:
        enhanced = _enhanced_registry(resource, ctx)
        if enhanced is not None and isinstance(resource.attributes.get("name"), str):
            yield Hit(
                message=f"scan_on_push = true is ignored: {enhanced} sets ENHANCED scanning for the "
                "registry and none of its repository filters matches this repository",
                attribute=ATTRIBUTE,
                actual=raw,
                expected="a registry scanning rule whose repository_filter matches the repository",
                line=attr_line(resource, "image_scanning_configuration"),
            )
        return
    notes: tuple[str, ...] = ()
    if isinstance(resource.attributes.get("name"), Unknown) and by_type(ctx.inventory).get(REGISTRY_SCANNING):
        notes = ("the repository name is not known, so registry scanning filters could not be matched",)
    if cfg is None or raw is None:
        yield Hit(
            message="image scanning on push is not configured (off by default) and no registry "
            "scanning rule covers this repository",
            attribute=ATTRIBUTE,
            actual=None,
            expected=True,
            line=attr_line(resource, "image_scanning_configuration"),
            notes=notes,
        )
        return
    yield Hit(
        message="scan_on_push is false and no registry scanning rule covers this repository",
        attribute=ATTRIBUTE,
        actual=raw,
        expected=True,
        line=attr_line(resource, "image_scanning_configuration"),
        notes=notes,
    )
