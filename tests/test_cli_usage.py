"""Usage errors (tfdrift_ci/cli.py): every one is a single line ``tfdrift-ci: error: … (hint)`` on
stderr with exit 2, for every subcommand, and nothing on stdout. A 12-line usage block in a CI log
buries the one line that says what is wrong."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tfdrift_ci.cli import main

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "infra"
COMMANDS = ("check", "pre-commit", "sweep", "fix", "rules", "inventory")
# what a command needs before an unknown option is the only problem left
REQUIRED = {"fix": ["--adopt"]}


def usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one line printed for ``argv``, which must be a usage error (exit 2, nothing on stdout)."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    assert exc.value.code == 2, err
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith("tfdrift-ci: error: "), err
    assert "usage:" not in err
    return err.rstrip("\n")


@pytest.mark.parametrize("command", COMMANDS)
def test_an_invalid_format_is_one_line_with_the_commands_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    line = usage_error([command, "--format", "nonsense"], capsys)
    assert "argument --format: invalid choice: 'nonsense'" in line
    assert line.endswith(f"(see 'tfdrift-ci {command} --help')")


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_option_is_one_line_with_the_commands_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    line = usage_error([command, *REQUIRED.get(command, []), "--no-such-flag"], capsys)
    expected = f"unrecognized argument: --no-such-flag (see 'tfdrift-ci {command} --help')"
    assert line == f"tfdrift-ci: error: {expected}"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_value_is_one_line(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert "argument --format: expected one argument" in usage_error([command, "--format"], capsys)


@pytest.mark.parametrize("command", ("check", "pre-commit", "sweep", "fix"))
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fail-on", "banana"], "argument --fail-on: invalid choice: 'banana'"),
        (["--events-timeout", "soon"], "argument --events-timeout: 'soon' is not a duration"),
        (["--events-max-pages", "-3"], "argument --events-max-pages: "),
    ],
)
def test_bad_option_values_are_one_line(
    command: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert message in usage_error([command, *argv], capsys)


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["check", "--fail-on", "HIGH"], "did you mean 'high'? see 'tfdrift-ci check --help'"),
        (["inventory", "--format", "jsn"], "did you mean 'json'? see 'tfdrift-ci inventory --help'"),
        (["sweep", "--fail-onn", "low"], "did you mean --fail-on? see 'tfdrift-ci sweep --help'"),
        (["chek"], "did you mean 'check'? see 'tfdrift-ci --help'"),
    ],
)
def test_a_near_miss_gets_the_closest_valid_value(
    argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert usage_error(argv, capsys).endswith(f"({hint})")


def test_no_command_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    line = usage_error([], capsys)
    assert line == (
        "tfdrift-ci: error: no command given: check, pre-commit, sweep, fix, render, rules or inventory "
        "(see 'tfdrift-ci --help')"
    )


def test_an_option_before_the_command_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert "unrecognized argument: --offline" in usage_error(["--offline"], capsys)


def test_a_second_path_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    line = usage_error(["check", str(EXAMPLE), "other", "more"], capsys)
    assert "unrecognized arguments: other more" in line


def test_control_characters_in_arguments_stay_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    line = usage_error(["check", "--format", "x\n\x1b[2Jtfdrift-ci: passed"], capsys)
    assert "\x1b" not in line


def test_help_and_version_still_work(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--help"])
    assert exc.value.code == 0 and "usage: tfdrift-ci check" in capsys.readouterr().out


def test_the_installed_command_prints_one_line(tmp_path: Path) -> None:
    exe = shutil.which("tfdrift-ci", path=str(Path(sys.executable).parent))
    assert exe, "tfdrift-ci is not installed next to this interpreter"
    done = subprocess.run(
        [exe, "check", "--format", "nonsense"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("tfdrift-ci: error: argument --format")


# --------------------------------------------------------------------------------------------------
# Values checked even when they are not used


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "garbage"], "--since 'garbage': expected a span"),
        (["--until", "tomorrow-ish"], "--until 'tomorrow-ish': expected"),
        (["--since", "2026-11-10T00:00:00Z", "--until", "2026-11-01T00:00:00Z"], "must be before --until"),
    ],
)
def test_the_window_is_validated_offline_too(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(EXAMPLE), "--offline", "--quiet", *argv])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("tfdrift-ci: error: ") and message in err and err.count("\n") == 1


def test_a_missing_template_dir_is_named_whatever_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(EXAMPLE), "--offline", "--quiet", "--template-dir", "/nonexistent/templates"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == "tfdrift-ci: error: --template-dir /nonexistent/templates: not a directory\n"


def test_the_pre_commit_hook_validates_the_window_too(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["pre-commit", "--since", "garbage", str(EXAMPLE / "ecr.tf")])
    assert code == 2 and "--since 'garbage'" in capsys.readouterr().err


def test_missing_paths_read_the_same_for_check_and_inventory(capsys: pytest.CaptureFixture[str]) -> None:
    said = []
    for command in ("check", "inventory"):
        assert main([command, "/nonexistent/infra"]) == 2
        said.append(capsys.readouterr().err)
    assert said[0] == said[1] == "tfdrift-ci: error: /nonexistent/infra: no such file or directory\n"


def test_the_running_command_gets_the_same_options_as_in_the_full_parser() -> None:
    """main() builds only the running command's options (start-up time of the pre-commit hook):
    each command must parse exactly as it does in the full parser, and every command stays listed."""
    import argparse

    from tfdrift_ci.cli import COMMANDS, build_parser

    def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return dict(sub.choices)

    def shape(parser: argparse.ArgumentParser) -> list[tuple[object, ...]]:
        return [(a.dest, tuple(a.option_strings), a.default, a.choices, a.nargs) for a in parser._actions]

    full = commands(build_parser())
    assert tuple(full) == COMMANDS
    for name in COMMANDS:
        only = commands(build_parser(only=name))
        assert tuple(only) == COMMANDS
        assert shape(only[name]) == shape(full[name]), name
        others = [c for c in COMMANDS if c != name]
        assert all([a.dest for a in only[c]._actions] == ["help"] for c in others)  # not built
