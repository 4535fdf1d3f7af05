"""models.py helpers: the exit-code policy, the per-root split the PR comments use, jsonable()."""

from __future__ import annotations

import json
from datetime import date
from types import MappingProxyType

import pytest

from tfdrift_ci.models import Finding, Report, Resource, Severity, Unknown, exit_code_for, jsonable


def _finding(sev: Severity, suppressed: bool = False, root: str | None = None) -> Finding:
    return Finding(
        rule_id="X", kind="config", severity=sev, title="t", message="m", suppressed=suppressed, root=root
    )


@pytest.mark.parametrize(
    ("severities", "fail_on", "code"),
    [
        ([], "high", 0),
        ([Severity.MEDIUM], "high", 0),
        ([Severity.HIGH], "high", 1),
        ([Severity.CRITICAL], "high", 1),
        ([Severity.INFO], "info", 1),
        ([Severity.CRITICAL], "never", 0),
        ([Severity.LOW], "medium", 0),
    ],
)
def test_exit_code_threshold(severities: list[Severity], fail_on: str, code: int) -> None:
    assert exit_code_for([_finding(s) for s in severities], fail_on) == code


def test_suppressed_findings_do_not_fail() -> None:
    assert exit_code_for([_finding(Severity.CRITICAL, suppressed=True)], "low") == 0


def test_incomplete_events_fail_only_when_asked() -> None:
    assert exit_code_for([], "high", incomplete_fails=True) == 1
    assert exit_code_for([], "never", incomplete_fails=True) == 0


def _report(findings: tuple[Finding, ...], resources: tuple[Resource, ...], exit_code: int) -> Report:
    return Report(
        tool_version="0",
        path="infra",
        files=2,
        resources=resources,
        findings=findings,
        window=None,
        sources=(),
        exit_code=exit_code,
        fail_on="high",
    )


def _res(name: str, root: str) -> Resource:
    return Resource(address=f"aws_ecr_repository.{name}", type="aws_ecr_repository", name=name, root=root)


def test_split_by_root_gives_each_root_its_findings_resources_path_and_verdict() -> None:
    bad, ok = _finding(Severity.HIGH, root="prod"), _finding(Severity.LOW, root="dev")
    report = _report((bad, ok), (_res("a", "prod"), _res("b", "dev")), exit_code=1)
    parts = dict(report.split_by_root())
    assert sorted(parts) == ["dev", "prod"]
    assert (parts["prod"].path, parts["prod"].findings, parts["prod"].exit_code) == ("infra/prod", (bad,), 1)
    assert (parts["dev"].path, parts["dev"].findings, parts["dev"].exit_code) == ("infra/dev", (ok,), 0)
    assert [r.name for r in parts["dev"].resources] == ["b"]


def test_split_by_root_keeps_a_single_root_whole_and_error_codes_everywhere() -> None:
    single = _report((_finding(Severity.LOW),), (_res("a", "."),), exit_code=0)
    assert single.split_by_root() == [(".", single)]
    assert _report((), (), 0).split_by_root()[0][0] == "."
    broken = _report((), (_res("a", "prod"), _res("b", "dev")), exit_code=2)
    assert [p.exit_code for _, p in broken.split_by_root()] == [2, 2]


def test_unknowns_nested_anywhere_become_objects() -> None:
    value = {"a": [1, Unknown("var.x")], "b": (Unknown("y", "app-*"),), 3: None}
    assert jsonable(value) == {
        "a": [1, {"unknown": "var.x", "pattern": None}],
        "b": [{"unknown": "y", "pattern": "app-*"}],
        "3": None,
    }


def test_mappings_and_values_json_has_no_type_for() -> None:
    out = jsonable(MappingProxyType({"when": date(2024, 1, 2), "ok": True}))
    assert out == {"when": "2024-01-02", "ok": True}
    json.dumps(out)  # always serialisable


def test_jsonable_gives_unknowns_as_text_when_asked() -> None:
    ref = Unknown("var.name", "*-api")
    assert jsonable({"a": (1, ref)}, unknown_as_text=True) == {"a": [1, str(ref)]}
    assert jsonable({"a": (1, ref)}) == {"a": [1, {"unknown": "var.name", "pattern": "*-api"}]}


def test_split_by_root_keeps_each_roots_gaps_and_fails_them_under_fail_on_incomplete() -> None:
    """A root whose module was not followed, or whose resource was not identified, must not read as a
    clean pass in its own PR comment when --fail-on-incomplete is set; the other root stays clean."""
    from dataclasses import replace

    from tfdrift_ci.models import Gap, ModuleCall
    from tfdrift_ci.report._common import verdict

    call = ModuleCall(
        "module.svc", "git::https://example.com/svc.git", "prod/main.tf", 3, "down", root="prod"
    )
    unknown = Gap("identity", "aws_ecr_repository.b", "its name is regex(…)", root="dev")
    weak = Gap("config", "terraform_principals", "'*' matches any principal")  # every root
    report = replace(
        _report((), (_res("a", "prod"), _res("b", "dev"), _res("c", "stage")), exit_code=1),
        unfollowed_modules=(call,),
        noted_gaps=(unknown, weak),
        fail_on_incomplete=True,
    )
    parts = dict(report.split_by_root())
    assert parts["prod"].unfollowed_modules == (call,) and parts["prod"].noted_gaps == (weak,)
    assert parts["dev"].unfollowed_modules == () and parts["dev"].noted_gaps == (unknown, weak)
    assert [g.kind for g in parts["prod"].gaps] == ["module", "config"]
    assert all(p.exit_code == 1 for p in parts.values())  # the weakening concerns every root
    assert verdict(parts["prod"]).status == "fail"
    assert "1 module not followed" in verdict(parts["prod"]).headline
    assert "1 resource not identified" in verdict(parts["dev"]).headline

    # a root with nothing but a module that was not followed still gets its own (failing) part
    lone = replace(call, root="edge", address="module.edge")
    parts = dict(replace(report, unfollowed_modules=(call, lone)).split_by_root())
    assert parts["edge"].resources == () and parts["edge"].exit_code == 1

    only_named = replace(report, noted_gaps=(unknown, replace(weak, fails=False)))
    codes = {root: p.exit_code for root, p in only_named.split_by_root()}
    assert codes == {"dev": 1, "prod": 1, "stage": 0}
    without_flag = replace(only_named, fail_on_incomplete=False, exit_code=0)
    assert {p.exit_code for _, p in without_flag.split_by_root()} == {0}
