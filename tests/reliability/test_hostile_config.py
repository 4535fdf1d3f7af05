"""Hostile configuration and hook input: YAML bombs and tags in ``.tfdrift.yml``, odd file lists
for the pre-commit hook, ``--changed-only`` outside a repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rel_support import GOOD_TF, TRACEBACK, CliRunner, assert_clean_failure, run_cli

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
fail_on: high
ignore: *i
"""

CONFIGS = {
    "billion_laughs": BILLION_LAUGHS,
    "python_tag": "fail_on: !!python/object/apply:os.system ['echo pwned > /tmp/tfdrift-pwned']\n",
    "not_a_mapping": "- a\n- b\n",
    "binary": "\x00\x01\x02fail_on: high\n",
    "deep": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "wrong_types": "fail_on: [high]\nignore: {rule: 5}\nterraform_principals: 7\nrules: [1]\n",
    "unknown_keys": "fail_onn: high\n",
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_hostile_config_file(tmp_path: Path, name: str) -> None:
    proj = tmp_path / "proj"
    shutil.copytree(GOOD_TF, proj)
    (proj / ".tfdrift.yml").write_text(CONFIGS[name], encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    run = run_cli(["check", str(proj), "--offline"], home=home, timeout=120)
    assert_clean_failure(run)
    assert run.rc == 2, f"a bad .tfdrift.yml was accepted: rc={run.rc}"
    assert ".tfdrift.yml" in run.err
    assert not Path("/tmp/tfdrift-pwned").exists()


def test_pre_commit_with_odd_file_list(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(GOOD_TF, repo / "infra")
    (repo / "infra" / "evil\n::error::pwned.tf").write_text(
        'resource "aws_ecs_cluster" "x" {\n  name = "x"\n}\n'
    )
    monkeypatch.chdir(repo)
    run = cli(
        [
            "pre-commit",
            "infra/main.tf",
            "infra/evil\n::error::pwned.tf",
            "does/not/exist.tf",
            "../outside.tf",
            "README.md",
            "infra/main.tf",
        ]
    )
    assert TRACEBACK not in run.err
    assert run.rc in (1, 2), run.err
    for line in (run.out + run.err).splitlines():
        assert not line.startswith("::error::pwned")


def test_changed_only_outside_a_git_repository(cli: CliRunner, tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    shutil.copytree(GOOD_TF, proj)
    run = cli(["check", str(proj), "--offline", "--changed-only"])
    assert TRACEBACK not in run.err
    assert run.rc == 2
    assert "git" in run.err.lower()


def test_output_path_is_a_directory(cli: CliRunner, tmp_path: Path) -> None:
    run = cli(["check", str(GOOD_TF), "--offline", "--format", "json", "--output", str(tmp_path)])
    assert TRACEBACK not in run.err
    assert run.rc == 2


def test_deeply_nested_pyproject_table(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    shutil.copytree(GOOD_TF, proj)
    (proj / "pyproject.toml").write_text(
        "[tool.tfdrift]\nfail_on = 'high'\nx = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8"
    )
    home = tmp_path / "home"
    home.mkdir()
    run = run_cli(["check", str(proj), "--offline"], home=home, timeout=120)
    assert_clean_failure(run)
    assert run.rc == 2
    assert "pyproject.toml" in run.err
