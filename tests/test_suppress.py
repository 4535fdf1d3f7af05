"""suppress.apply: inline tfdrift/checkov/trivy/tfsec comments, config ignores, expiry notices."""

from __future__ import annotations

from datetime import date

import pytest

from tfdrift_ci.models import Finding, Inventory, Resource, Severity
from tfdrift_ci.settings import IgnoreEntry, Settings
from tfdrift_ci.suppress import apply, glob_match, parse_line

TODAY = date(2026, 11, 23)


def _inventory(text: str, *resources: tuple[str, int, int]) -> Inventory:
    return Inventory(
        path=".",
        roots=(".",),
        resources=tuple(
            Resource(
                address=a, type=a.split(".")[-2], name=a.split(".")[-1], file="main.tf", line=s, end_line=e
            )
            for a, s, e in resources
        ),
        files=1,
        sources={"main.tf": tuple(text.splitlines())},
    )


def _finding(rule: str, address: str | None = "aws_ecr_repository.r", kind: str = "config") -> Finding:
    return Finding(
        rule_id=rule,
        kind=kind,  # type: ignore[arg-type]
        severity=Severity.MEDIUM,
        title="t",
        message="m",
        address=address,
        file="main.tf",
        line=2,
    )


def _run(
    text: str, findings: list[Finding], settings: Settings | None = None, today: date = TODAY
) -> tuple[list[Finding], list[str]]:
    inv = _inventory(text, ("aws_ecr_repository.r", 3, 6), ("aws_ecr_repository.other", 8, 10))
    return apply(findings, inv, settings or Settings(), today=today)


BLOCK = """\
{above}
resource "aws_ecr_repository" "r" {{
  name = "api"
  {inside}
}}

resource "aws_ecr_repository" "other" {{
  name = "web"
}}
"""


@pytest.mark.parametrize(
    ("above", "inside", "rule", "suppressed"),
    [
        ("# tfdrift:ignore:TFD-ECR-001 legacy pipeline", "", "TFD-ECR-001", True),
        ("// tfdrift:ignore:TFD-ECR-001", "", "TFD-ECR-001", True),
        ("", 'image_tag_mutability = "MUTABLE" # tfdrift:ignore:TFD-ECR-001 why', "TFD-ECR-001", True),
        ("# tfdrift:ignore:TFD-ECR-002,TFD-ECR-001 two at once", "", "TFD-ECR-001", True),
        ("# tfdrift:ignore:TFD-ECR-* all ecr", "", "TFD-ECR-001", True),
        ("# tfdrift:ignore:TFD-ECR-002 other rule", "", "TFD-ECR-001", False),
        ("#checkov:skip=CKV_AWS_51:tags are mutable on purpose", "", "TFD-ECR-001", True),
        ("", "#checkov:skip=CKV_AWS_51:inside", "TFD-ECR-001", True),
        ("#checkov:skip=CKV_AWS_163:not this one", "", "TFD-ECR-001", False),
        ("#trivy:ignore:AVD-AWS-0031", "", "TFD-ECR-001", True),
        ("#tfsec:ignore:aws-ecr-enforce-immutable-repository", "", "TFD-ECR-001", True),
        ("#trivy:ignore:AVD-AWS-0031:exp:2027-01-01", "", "TFD-ECR-001", True),
        ("#trivy:ignore:AVD-AWS-0031:exp:2026-01-01", "", "TFD-ECR-001", False),
        ("# tfdrift:ignore:TFD-ECR-005 peers have no id for this", "", "TFD-ECR-005", True),
        ("#checkov:skip=CKV_AWS_51:only TFD-ECR-001 lists it", "", "TFD-ECR-005", False),
        ("# a comment\n# tfdrift:ignore:TFD-ECR-001 two comment lines above", "", "TFD-ECR-001", True),
        ("# tfdrift:ignore:TFD-ECR-001 separated by a blank line\n", "", "TFD-ECR-001", False),
    ],
)
def test_inline(above: str, inside: str, rule: str, suppressed: bool) -> None:
    # keep the block at lines 3-6 whatever the comment lines above are
    pad = 2 - above.count("\n") - 1
    text = "\n" * pad + BLOCK.format(above=above, inside=inside)
    inv_start = pad + above.count("\n") + 2
    inv = _inventory(text, ("aws_ecr_repository.r", inv_start, inv_start + 3))
    out, _ = apply([_finding(rule)], inv, Settings(), today=TODAY)
    assert out[0].suppressed is suppressed
    if suppressed:
        assert out[0].suppression_reason
    else:
        assert out[0].suppression_reason is None


def test_inline_does_not_leak_to_next_block() -> None:
    text = BLOCK.format(above="", inside="# tfdrift:ignore:TFD-ECR-001 only r")
    out, _ = _run(text, [_finding("TFD-ECR-001", "aws_ecr_repository.other")])
    assert not out[0].suppressed


def test_reason_is_kept() -> None:
    text = BLOCK.format(above="# tfdrift:ignore:TFD-ECR-001 legacy pipeline re-pushes", inside="")
    inv = _inventory(text, ("aws_ecr_repository.r", 2, 5))
    out, _ = apply([_finding("TFD-ECR-001")], inv, Settings(), today=TODAY)
    assert out[0].suppression_reason == "tfdrift:ignore (main.tf:1): legacy pipeline re-pushes"


def test_expired_inline_comment_is_reported() -> None:
    text = BLOCK.format(above="# tfdrift:ignore:TFD-ECR-001:exp:2026-01-31 until the migration", inside="")
    inv = _inventory(text, ("aws_ecr_repository.r", 2, 5))
    out, notices = apply([_finding("TFD-ECR-001")], inv, Settings(), today=TODAY)
    assert not out[0].suppressed
    assert notices == [
        "main.tf:1: suppression comment expired on 2026-01-31 and no longer suppresses findings "
        "(1 finding(s) reported again)"
    ]


def test_config_ignore_globs_and_expiry() -> None:
    settings = Settings(
        ignores=(
            IgnoreEntry("TFD-ECR-00?", "aws_ecr_repository.r", "legacy", date(2026, 12, 31)),
            IgnoreEntry("TFD-DRIFT-*", "module.app.*", "the app team owns drift there"),
            IgnoreEntry("TFD-ECS-012", "*", "expired", date(2026, 1, 1)),
        ),
        config_file=".tfdrift.yml",
    )
    findings = [
        _finding("TFD-ECR-001"),
        _finding("TFD-ECR-001", "aws_ecr_repository.other"),
        _finding("TFD-DRIFT-011", "module.app.aws_ecs_service.api", kind="drift"),
        _finding("TFD-DRIFT-011", "aws_ecs_service.api", kind="drift"),
        _finding("TFD-ECS-012", "aws_ecs_cluster.main"),
    ]
    out, notices = _run(BLOCK.format(above="", inside=""), findings, settings)
    assert [f.suppressed for f in out] == [True, False, True, False, False]
    assert (
        out[0].suppression_reason
        == ".tfdrift.yml: ignore[0] (rule TFD-ECR-00?, address aws_ecr_repository.r): legacy"
    )
    assert notices == [
        ".tfdrift.yml: ignore[2] (rule TFD-ECS-012, address *) expired on 2026-01-01 and no longer "
        "suppresses findings (1 finding(s) reported again)"
    ]


def test_config_ignore_last_day_still_applies() -> None:
    settings = Settings(ignores=(IgnoreEntry("TFD-ECR-001", expires=TODAY),))
    out, notices = _run(BLOCK.format(above="", inside=""), [_finding("TFD-ECR-001")], settings)
    assert out[0].suppressed and notices == []


def test_config_ignore_by_peer_id() -> None:
    settings = Settings(ignores=(IgnoreEntry("CKV_AWS_51"),))
    out, _ = _run(
        BLOCK.format(above="", inside=""), [_finding("TFD-ECR-001"), _finding("TFD-ECR-002")], settings
    )
    assert [f.suppressed for f in out] == [True, False]


def test_address_brackets_are_literal() -> None:
    assert glob_match('aws_ecr_repository.this["api"]', 'aws_ecr_repository.this["api"]')
    assert glob_match('module.a.aws_ecr_repository.this["api"]', "module.a.*")
    assert not glob_match('aws_ecr_repository.this["a"]', 'aws_ecr_repository.this["[ab]"]')


def test_findings_without_address_only_match_star() -> None:
    parse_error = Finding(
        rule_id="TFD-ERR-001", kind="error", severity=Severity.HIGH, title="t", message="m", file="x.tf"
    )
    settings = Settings(ignores=(IgnoreEntry("TFD-ERR-001", "aws_*"),))
    out, _ = _run("", [parse_error], settings)
    assert not out[0].suppressed
    out, _ = _run("", [parse_error], Settings(ignores=(IgnoreEntry("TFD-ERR-001"),)))
    assert out[0].suppressed


def test_parse_line_variants() -> None:
    assert parse_line("  /* tfdrift:ignore:TFD-ECS-001 debugging */", 3)[0].reason == "debugging"
    d = parse_line("#checkov:skip=CKV_AWS_51", 1)[0]
    assert (d.tool, d.ids, d.reason) == ("checkov", ("CKV_AWS_51",), None)
    assert parse_line('name = "tfdrift:ignore:TFD-ECR-001"', 1) == []  # not a comment


def test_end_to_end_through_inventory_and_engine(fixtures: object) -> None:
    from pathlib import Path

    from tfdrift_ci import engine, inventory

    assert isinstance(fixtures, Path)
    inv = inventory.load(str(fixtures / "rules" / "suppressions"))
    settings = Settings(
        ignores=(
            IgnoreEntry("TFD-ECR-00[57]", "*"),
            IgnoreEntry("TFD-ECR-*", "aws_ecr_repository.by_config", "sandbox"),
        ),
        config_file=".tfdrift.yml",
    )
    findings, notices = engine.evaluate(inv, None, settings, today=TODAY)
    state = {(f.address, f.rule_id): f.suppressed for f in findings}
    assert state[("aws_ecr_repository.inline_above", "TFD-ECR-001")] is True
    assert state[("aws_ecr_repository.peer_comments", "TFD-ECR-001")] is True  # checkov:skip=CKV_AWS_51
    assert state[("aws_ecr_repository.peer_comments", "TFD-ECR-002")] is True  # trivy:ignore:AVD-AWS-0030
    assert state[("aws_ecr_repository.expired", "TFD-ECR-001")] is False
    assert state[("aws_ecr_repository.by_config", "TFD-ECR-001")] is True
    assert state[("aws_ecr_repository.by_config", "TFD-ECR-003")] is True  # both tfsec and config
    # '[57]' is literal in ignore globs, so TFD-ECR-005/007 stay active
    assert state[("aws_ecr_repository.inline_above", "TFD-ECR-005")] is False
    reasons = {(f.address, f.rule_id): f.suppression_reason for f in findings}
    assert reasons[("aws_ecr_repository.inline_above", "TFD-ECR-001")] == (
        "tfdrift:ignore (main.tf:7): the release pipeline re-pushes :stable"
    )
    assert reasons[("aws_ecr_repository.peer_comments", "TFD-ECR-001")] == (
        "checkov:skip=CKV_AWS_51 (main.tf:23): tags are mutable on purpose"
    )
    assert any("main.tf:36: suppression comment expired on 2026-01-31" in n for n in notices)


def test_inline_typo_gives_a_notice() -> None:
    text = BLOCK.format(above="# tfdrift:ignore:TFD-ECR-01 typo", inside="")
    inv = _inventory(text, ("aws_ecr_repository.r", 2, 5))
    out, notices = apply([_finding("TFD-ECR-001")], inv, Settings(), today=TODAY)
    assert not out[0].suppressed
    assert notices == [
        "main.tf:1: tfdrift:ignore names 'TFD-ECR-01', which matches no rule: it suppresses nothing"
    ]
    text = BLOCK.format(above="# tfdrift:ignore:TFD-ECR-*,CKV_AWS_51 fine", inside="")
    inv = _inventory(text, ("aws_ecr_repository.r", 2, 5))
    assert apply([_finding("TFD-ECR-001")], inv, Settings(), today=TODAY)[1] == []
