"""suppress.apply: inline tfdrift/checkov/trivy/tfsec comments, config ignores, expiry notices."""

from __future__ import annotations

from datetime import date

import pytest

from tfdrift_ci.models import Finding, Inventory, Resource, Severity
from tfdrift_ci.settings import IgnoreEntry, RuleSetting, Settings
from tfdrift_ci.suppress import apply, glob_match, parse_line

TODAY = date(2026, 11, 23)
# the two rules that are off by default, on: some cases here are about them
OPT_IN_ON = {"TFD-ECR-005": RuleSetting(enabled=True), "TFD-ECR-007": RuleSetting(enabled=True)}


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
        ("# tfdrift:ignore:d1846b12-20c5-4d45-8798-fc35b79268eb a KICS id", "", "TFD-ECR-001", True),
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
        rules=OPT_IN_ON,
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


# --------------------------------------------------------------------------------------------------
# KICS comments (https://docs.kics.io/latest/running-kics/#using_commands_on_scanned_files_as_comments)

KICS_TAGS = "d1846b12-20c5-4d45-8798-fc35b79268eb"  # ECR Image Tag Not Immutable -> TFD-ECR-001
KICS_SCAN = "9630336b-3fed-4096-8173-b9afdfe346a7"  # Unscanned ECR Image -> TFD-ECR-002
DISABLED = f"kics-scan disable={KICS_TAGS} (main.tf:1)"

KICS_TEXT = """\
resource "aws_ecr_repository" "r" {
  name = "api"
  # kics-scan ignore-line
  # another comment between
  image_tag_mutability = "MUTABLE"

  # kics-scan ignore-block
  image_scanning_configuration {
    scan_on_push = false # a } in a comment is not a bracket
  }
  policy = jsonencode({
    a = "}"
  })
  # kics-scan ignore-block
  doc = <<-EOT
    {"x": [
  EOT
  after = 1
}
"""


def test_kics_scopes_cover_the_next_line_and_whole_blocks() -> None:
    from tfdrift_ci.suppress import kics_scopes

    scopes, misplaced = kics_scopes(KICS_TEXT.splitlines())
    assert [(s.command, s.line, s.start, s.end) for s in scopes] == [
        ("ignore-line", 3, 5, 5),  # the next line that is not a comment
        ("ignore-block", 7, 8, 10),  # brackets in comments and strings do not count
        ("ignore-block", 14, 15, 17),  # a heredoc ends at its marker, whatever it holds
    ]
    assert misplaced == []


def test_kics_scopes_file_level_commands_only_at_the_top() -> None:
    from tfdrift_ci.suppress import kics_scopes

    text = f"# kics-scan disable={KICS_TAGS}, {KICS_SCAN}\n// kics-scan ignore\n\nresource \"x\" \"y\" {{}}\n"
    text += f"# kics-scan enable={KICS_TAGS}\n# kics-scan disable\n"
    scopes, misplaced = kics_scopes(text.splitlines())
    assert [(s.command, s.ids, s.start, s.end) for s in scopes] == [
        ("disable", (KICS_TAGS, KICS_SCAN), 1, 6),
        ("ignore", (), 1, 6),
    ]
    assert misplaced == [5, 6]
    assert kics_scopes(["# kics-scan disable"])[1] == [1]  # disable without ids names nothing
    assert kics_scopes(['name = "kics-scan ignore"'])[0] == []  # not a comment


def _kics_finding(rule: str, line: int) -> Finding:
    return Finding(
        rule_id=rule, kind="config", severity=Severity.HIGH, title="t", message="m",
        address="aws_ecr_repository.r", file="main.tf", line=line,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("header", "rule", "line", "reason"),
    [
        ("", "TFD-ECR-001", 5, "kics-scan ignore-line (main.tf:3)"),
        ("", "TFD-ECR-001", 2, None),  # ignore-line covers one line only
        ("", "TFD-ECR-002", 9, "kics-scan ignore-block (main.tf:7)"),
        ("", "TFD-ECR-006", 9, None),  # force_delete lists no KICS query: KICS comments do not apply
        (f"# kics-scan disable={KICS_TAGS}\n", "TFD-ECR-001", 2, DISABLED),
        (f"# kics-scan disable={KICS_TAGS}\n", "TFD-ECR-003", 2, None),
        (f"# kics-scan enable={KICS_TAGS}\n", "TFD-ECR-001", 2, None),
        (f"# kics-scan enable={KICS_TAGS}\n", "TFD-ECR-003", 2, f"kics-scan enable={KICS_TAGS} (main.tf:1)"),
        ("# kics-scan ignore\n", "TFD-ECR-004", 12, "kics-scan ignore (main.tf:1)"),
        ("# kics-scan ignore\n", "TFD-ECR-007", 12, None),
    ],
)
def test_kics_comments_suppress_the_rules_that_list_kics_ids(
    header: str, rule: str, line: int, reason: str | None
) -> None:
    text = header + KICS_TEXT
    shift = header.count("\n")
    inv = Inventory(
        path=".",
        roots=(".",),
        resources=(
            Resource(address="aws_ecr_repository.r", type="aws_ecr_repository", name="r", file="main.tf",
                     line=1 + shift, end_line=19 + shift),
        ),
        files=1,
        sources={"main.tf": tuple(text.splitlines())},
    )  # fmt: skip
    [out], notices = apply([_kics_finding(rule, line + shift)], inv, Settings(), today=TODAY)
    assert out.suppression_reason == (reason.replace("main.tf:3", f"main.tf:{3 + shift}").replace(
        "main.tf:7", f"main.tf:{7 + shift}") if reason else None)  # fmt: skip
    assert out.suppressed is (reason is not None)
    assert notices == []


def test_kics_query_ids_work_in_config_ignores() -> None:
    out, _ = _run(BLOCK.format(above="", inside=""), [_finding("TFD-ECR-001")], Settings(
        ignores=(IgnoreEntry(KICS_TAGS, "*", "registry-wide exclusion"),)))  # fmt: skip
    assert out[0].suppressed


def test_kics_comments_end_to_end_through_inventory_and_engine(fixtures: object) -> None:
    from pathlib import Path

    from tfdrift_ci import engine, inventory

    assert isinstance(fixtures, Path)
    inv = inventory.load(str(fixtures / "rules" / "suppressions_kics"))
    assert inv.problems == ()
    findings, notices = engine.evaluate(inv, None, Settings(rules=OPT_IN_ON), today=TODAY)
    reason = {(f.address.split(".")[-1], f.rule_id): f.suppression_reason for f in findings if f.address}
    assert reason[("ignore_line", "TFD-ECR-001")] == "kics-scan ignore-line (main.tf:10)"
    assert reason[("ignore_line", "TFD-ECR-002")] is None  # another line
    assert reason[("ignore_line", "TFD-ECR-006")] is None  # force_delete: no KICS query
    for rule in ("TFD-ECR-001", "TFD-ECR-002", "TFD-ECR-003", "TFD-ECR-005"):
        assert reason[("ignore_block", rule)] == "kics-scan ignore-block (main.tf:19)", rule
    assert reason[("ignore_block", "TFD-ECR-006")] is None
    assert reason[("ignore_block", "TFD-ECR-007")] is None  # no lifecycle policy: no KICS query
    assert reason[("ignore_nested_block", "TFD-ECR-002")] == "kics-scan ignore-block (main.tf:34)"
    assert reason[("ignore_nested_block", "TFD-ECR-001")] is None  # outside the nested block
    # the plaintext secret inside a multi-line jsonencode(), not the task's other rules
    assert reason[("ignore_block_jsonencode", "TFD-ECS-007")] == "kics-scan ignore-block (main.tf:42)"
    assert reason[("ignore_block_jsonencode", "TFD-ECS-005")] is None
    assert reason[("disable_below_the_top", "TFD-ECR-001")] is None
    assert reason[("file_disabled", "TFD-ECR-001")] == (
        f"kics-scan disable={KICS_TAGS},{KICS_SCAN} (file_level.tf:1)"
    )
    assert reason[("file_disabled", "TFD-ECR-003")] is None
    assert reason[("file_enabled", "TFD-ECR-005")] is None  # the one query enabled
    assert reason[("file_enabled", "TFD-ECR-001")] == (
        "kics-scan enable=69e7c320-b65d-41bb-be02-d63ecc0bcc9d (file_enabled.tf:1)"
    )
    assert reason[("file_ignored", "TFD-ECS-014")] == "kics-scan ignore (file_ignored.tf:1)"
    assert reason[("file_ignored", "TFD-ECS-001")] is None  # ECS Exec: no KICS query
    assert notices == [
        "main.tf:51: kics-scan ignore/disable/enable apply to the whole file only in the comment lines "
        "at the top of the file (disable/enable with =<query id>): this one suppresses nothing"
    ]


def test_a_comment_on_the_module_block_suppresses_what_the_call_declares(fixtures: object) -> None:
    """The finding on module.X.aws_ecr_repository.this points at the module block (where the
    value is set): a comment there is where a person puts the suppression."""
    from pathlib import Path

    from tfdrift_ci import engine, inventory

    assert isinstance(fixtures, Path)
    inv = inventory.load(str(fixtures / "rules" / "suppressions_module"))
    findings, _ = engine.evaluate(inv, None, Settings(), today=TODAY)
    got = {
        f.address: (f.suppressed, f.suppression_reason, f.file, f.line)
        for f in findings
        if f.rule_id == "TFD-ECR-001"
    }
    assert got == {
        "module.above.aws_ecr_repository.this": (
            True, "tfdrift:ignore (main.tf:4): the release pipeline re-pushes :stable", "main.tf", 8
        ),
        "module.inside.aws_ecr_repository.this": (
            True, "checkov:skip=CKV_AWS_51 (main.tf:14): tags are mutable on purpose", "main.tf", 14
        ),
        "module.unsuppressed.aws_ecr_repository.this": (False, None, "main.tf", 20),
    }  # fmt: skip
