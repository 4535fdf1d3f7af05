"""Command line. The only module that reads argv/env, prints and picks exit codes: it parses the
arguments, builds an ``engine.CheckRequest``, renders the ``Report`` the engine returns and exits.

Exit codes (contract): 0 clean · 1 findings at or above --fail-on · 2 usage/input/config error ·
3 internal error (traceback only with --debug).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TextIO

from tfdrift_ci import __version__
from tfdrift_ci.errors import ConfigError, TfdriftError
from tfdrift_ci.textutil import one_line, runner_inert

if TYPE_CHECKING:
    from tfdrift_ci.engine import CheckRequest
    from tfdrift_ci.models import Report
    from tfdrift_ci.settings import Settings

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
# What `render` writes (json and falco are machine formats: the input file already is one).
RENDER_FORMATS = ("text", "markdown", "sarif", "github", "html", "gitlab")


class _Parser(argparse.ArgumentParser):
    """Every usage error is one line, ``tfdrift-ci: error: …``, with a hint, and exit 2: no usage
    block (12 lines for ``check``) burying the one line that matters in a CI log."""

    def error(self, message: str) -> NoReturn:
        usage_error(self.prog, message)


def usage_error(prog: str, message: str, options: Sequence[str] = ()) -> NoReturn:
    """Print ``tfdrift-ci: error: MESSAGE (HINT)`` on stderr and exit 2. The hint is the closest
    valid choice or option (``options``: the command's option strings) and where the help is."""
    close = _closest(message, options)
    hint = f"did you mean {close}? see '{prog} --help'" if close else f"see '{prog} --help'"
    sys.stderr.write(runner_inert(f"tfdrift-ci: error: {one_line(message, 300)} ({hint})\n"))
    sys.exit(EXIT_USAGE)


# argparse: "argument --format: invalid choice: 'nonsense' (choose from 'text', 'json', …)"; newer
# Pythons drop the quotes around the choices.
_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<value>.*)' \(choose from (?P<choices>.*)\)$")
_UNRECOGNIZED = re.compile(r"^unrecognized arguments?: (?P<value>\S+)")


def _closest(message: str, options: Sequence[str]) -> str | None:
    import difflib

    choice = _INVALID_CHOICE.search(message)
    if choice:
        value = choice["value"]
        candidates = [c.strip().strip("'\"") for c in choice["choices"].split(",")]
    else:
        unknown = _UNRECOGNIZED.match(message)
        if not unknown or not unknown["value"].startswith("-"):
            return None
        value = unknown["value"].split("=", 1)[0]
        candidates = list(options)
    found = difflib.get_close_matches(value.lower(), candidates, n=1, cutoff=0.6)
    return repr(found[0]) if found and choice else (found[0] if found else None)


COMMANDS = ("check", "pre-commit", "sweep", "fix", "render", "rules", "inventory")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line. ``only``: the command being run, "" for none (main passes it): the
    other commands are still listed (``--help``, usage errors) but their options are not built,
    which spares the pre-commit hook about a fifth of its start-up (argparse groups and the
    registries their choices come from)."""
    parser = _Parser(
        prog="tfdrift-ci",
        description="Out-of-band changes (CloudTrail) and unsafe configuration of the ECR/ECS "
        "resources a Terraform project declares.",
    )
    parser.add_argument("--version", action="version", version=f"tfdrift-ci {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def wanted(name: str) -> bool:
        return only is None or only == name

    check = sub.add_parser("check", help="the main job: inventory, events, rules, report")
    if wanted("check"):
        check.add_argument("path", nargs="?", default=".", metavar="PATH")
        _add_check_options(check)

    hook = sub.add_parser("pre-commit", help="pre-commit hook entry: check the roots of FILES")
    if wanted("pre-commit"):
        hook.add_argument("files", nargs="*", metavar="FILES")
        _add_check_options(hook)

    sweep = sub.add_parser("sweep", help="scheduled: one GitHub issue per drifted resource, and alerts")
    if wanted("sweep"):
        sweep.add_argument("path", nargs="?", default=".", metavar="PATH")
        _add_check_options(sweep)
        _add_sweep_options(sweep)

    fix = sub.add_parser(
        "fix", help="adopt drift into the code (--adopt), or print the terraform apply undoing it (--revert)"
    )
    if wanted("fix"):
        fix.add_argument("path", nargs="?", default=".", metavar="PATH")
        _add_fix_options(fix)
        _add_check_options(fix)

    render = sub.add_parser(
        "render",
        help="render a JSON report again (a workflow_run job posting a fork PR's artifact): "
        "validated against the report schema, every value escaped",
    )
    if wanted("render"):
        render.add_argument("report", metavar="REPORT.json")
        _add_render_options(render)

    rules = sub.add_parser("rules", help="list the rule catalog")
    if wanted("rules"):
        rules.add_argument("--format", choices=("text", "json"), default="text")
        rules.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    inv = sub.add_parser("inventory", help="list the ECR/ECS resources found, with identities")
    if wanted("inventory"):
        inv.add_argument("path", nargs="?", default=".", metavar="PATH")
        inv.add_argument("--format", choices=("text", "json"), default="text")
        inv.add_argument("--plan", metavar="FILE")
        inv.add_argument("--var-file", action="append", default=[], metavar="FILE")
        inv.add_argument("--var", action="append", default=[], metavar="K=V")
        inv.add_argument(
            "--fetch-modules",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="fetch registry/git/archive modules missing from the module cache (default: yes)",
        )
        inv.add_argument("--debug", action="store_true")
    return parser


def _command_of(argv: Sequence[str]) -> str:
    """The command argv names: its first word, as argparse reads it (the top level takes no option
    with a value); "" when that is none of ours (``--version``, ``--help``, a typo: argparse answers
    those from the command names alone)."""
    first = next((a for a in argv if not a.startswith("-")), "")
    return first if first in COMMANDS else ""


def _add_render_options(p: argparse.ArgumentParser) -> None:
    out = p.add_argument_group("output")
    out.add_argument("--format", action="append", default=[], choices=RENDER_FORMATS)
    out.add_argument("--output", action="append", default=[], metavar="FILE")
    out.add_argument(
        "--comment",
        action="store_true",
        help="upsert the sticky PR comment (GitHub Actions; the PR comes from the event: pull_request, "
        "or workflow_run's pull request, looked up by head commit for forks), or the merge request note",
    )
    out.add_argument("--pr", type=int, metavar="N", help="the pull request to comment on (not the event's)")
    out.add_argument("--template-dir", metavar="DIR", help="templates from a trusted checkout only")
    out.add_argument("--quiet", action="store_true", help="text: print only the summary")
    out.add_argument("--no-color", action="store_true")
    p.add_argument("--debug", action="store_true")


def _add_check_options(p: argparse.ArgumentParser) -> None:
    # The choices come from the registries themselves (imported here, not at module level, so that
    # `import tfdrift_ci.cli` stays cheap for the pre-commit hook).
    from tfdrift_ci.report import FORMATS
    from tfdrift_ci.settings import FAIL_ON_VALUES

    tf = p.add_argument_group("Terraform input")
    tf.add_argument("--plan", metavar="FILE", help="plan JSON, or a binary plan (needs terraform)")
    tf.add_argument("--var-file", action="append", default=[], metavar="FILE")
    tf.add_argument("--var", action="append", default=[], metavar="K=V")

    ev = p.add_argument_group("events")
    ev.add_argument(
        "--events",
        action="append",
        default=[],
        metavar="SOURCE",
        help="aws | PATH (file or folder) | s3://bucket/prefix | athena://WORKGROUP/DB.TABLE | "
        "lake://EVENT_DATA_STORE (repeatable; default: aws when credentials exist)",
    )
    ev.add_argument("--since", metavar="7d|48h|ISO", help="start of the event window (default 7d)")
    ev.add_argument("--until", metavar="ISO", help="end of the event window (default now)")
    ev.add_argument("--region", action="append", default=[], metavar="R")
    ev.add_argument("--profile", metavar="NAME", help="AWS profile for the aws/s3/athena/lake sources")
    ev.add_argument("--role-arn", metavar="ARN", help="assume this role before reading events")
    ev.add_argument("--offline", action="store_true", help="static rules only, no events")
    ev.add_argument(
        "--terraform-principal",
        action="append",
        default=[],
        metavar="ARN|GLOB",
        help="changes by these principals are Terraform's own (repeatable)",
    )
    ev.add_argument(
        "--terraform-principals-mode",
        choices=("extend", "replace"),
        default="extend",
        help="extend: --terraform-principal adds to the configuration's terraform_principals; "
        "replace: only the command line's count (a pull request's .tfdrift.yml cannot add any)",
    )
    ev.add_argument(
        "--fail-on-incomplete",
        action="store_true",
        help="exit 1 when anything was not checked: events missing, modules not followed, resources "
        "not identified, or the checked repository's configuration weakens the gate",
    )
    ev.add_argument(
        "--events-timeout",
        type=_duration,
        metavar="10m",
        help="time budget per event source (seconds or 90s/10m/1h; 0: none; default 10m)",
    )
    ev.add_argument(
        "--events-max-pages",
        type=_count,
        metavar="N",
        help="API result pages per source: LookupEvents per region, Athena, Lake (0: none; default 1000)",
    )
    ev.add_argument(
        "--events-max-records",
        type=_count,
        metavar="N",
        help="records per file or S3 source (0: none; default 20,000,000)",
    )
    ev.add_argument(
        "--jobs",
        type=_count,
        metavar="N",
        help="processes reading trail files and S3 objects (default 0: one per core; 1: this one only)",
    )
    ev.add_argument("--show-ignored", action="store_true", help="list ignore_changes drift as info")

    out = p.add_argument_group("output")
    out.add_argument("--format", action="append", default=[], choices=tuple(FORMATS))
    out.add_argument("--output", action="append", default=[], metavar="FILE")
    out.add_argument("--fail-on", choices=FAIL_ON_VALUES)
    out.add_argument(
        "--comment",
        action="store_true",
        help="upsert the sticky PR comment (GitHub Actions), or the merge request note (GitLab CI)",
    )
    out.add_argument("--template-dir", metavar="DIR")
    out.add_argument("--quiet", action="store_true", help="text: print only the summary")
    out.add_argument("--no-progress", action="store_true")
    out.add_argument("--no-color", action="store_true")

    misc = p.add_argument_group("scope and configuration")
    misc.add_argument("--config", metavar="FILE")
    misc.add_argument("--changed-only", action="store_true")
    misc.add_argument("--base", metavar="REF")
    misc.add_argument("--debug", action="store_true")

    mods = p.add_argument_group("modules")
    mods.add_argument(
        "--fetch-modules",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="fetch registry/git/archive modules missing from the module cache (default: yes for "
        "check and sweep, no for the pre-commit hook; --offline never fetches)",
    )


# --------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(only=_command_of(arguments))
    args, extra = parser.parse_known_args(arguments)
    if extra or args.command is None:
        _usage_problem(parser, args.command, extra)
    debug = bool(getattr(args, "debug", False))
    try:
        if args.command == "check":
            return cmd_check(args, os.environ)
        if args.command == "pre-commit":
            return cmd_pre_commit(args, os.environ)
        if args.command == "rules":
            return cmd_rules(args)
        if args.command == "sweep":
            return cmd_sweep(args, os.environ)
        if args.command == "fix":
            return cmd_fix(args, os.environ)
        if args.command == "inventory":
            return cmd_inventory(args, os.environ)
        if args.command == "render":
            return cmd_render(args, os.environ)
        raise ConfigError(f"unknown command {args.command!r}")
    except TfdriftError as err:
        if debug:
            import traceback

            traceback.print_exc()
        _err(f"error: {one_line(str(err))}")
        return err.exit_code
    except KeyboardInterrupt:
        _err("error: interrupted")
        return EXIT_USAGE
    except BrokenPipeError:
        # A pipe closed outside _write (stderr): the outcome is unknown, so never report a pass.
        return EXIT_INTERNAL
    except Exception as err:  # noqa: BLE001 - the one place where anything becomes exit 3
        if debug:
            import traceback

            traceback.print_exc()
            _err(f"internal error: {type(err).__name__}: {one_line(str(err))}")
        else:
            _err(
                f"internal error: {type(err).__name__}: {one_line(str(err))} "
                "(rerun with --debug for a traceback)"
            )
        return EXIT_INTERNAL


def _usage_problem(parser: argparse.ArgumentParser, command: str | None, extra: Sequence[str]) -> NoReturn:
    """No command, or arguments the command does not take: named with the command's own help."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if command is None and not extra:
        names = list(sub.choices)
        usage_error(parser.prog, f"no command given: {', '.join(names[:-1])} or {names[-1]}")
    if command is not None:
        parser = sub.choices[command]
    options = [o for a in parser._actions for o in a.option_strings]
    noun = "argument" if len(extra) == 1 else "arguments"
    usage_error(parser.prog, f"unrecognized {noun}: {' '.join(extra)}", options)


def _err(message: str) -> None:
    """One message on stderr; nothing in it can run a workflow command in a GitHub Actions log."""
    print(runner_inert(f"tfdrift-ci: {message}"), file=sys.stderr)


# --------------------------------------------------------------------------------------------------
# check


def _parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--var expects NAME=VALUE, got {pair!r}")
        out[key.strip()] = value
    return out


def _settings(args: argparse.Namespace, start: Path) -> Settings:
    """The configuration found from ``start`` (or ``--config``), with the command line's flags on top."""
    from tfdrift_ci.config import load_settings

    settings = load_settings(args.config, start=start)
    changes: dict[str, Any] = {}
    overridden: set[str] = set()  # keys the command line sets: no longer the configuration's doing
    if args.fail_on:
        changes["fail_on"] = args.fail_on
        overridden.add("fail_on")
    if args.terraform_principals_mode == "replace":
        changes["terraform_principals"] = tuple(args.terraform_principal)
        overridden.add("terraform_principals")
    elif args.terraform_principal:
        changes["terraform_principals"] = tuple(settings.terraform_principals) + tuple(
            args.terraform_principal
        )
    if overridden:
        changes["config_keys"] = settings.config_keys - overridden
    if args.fail_on_incomplete:
        changes["fail_on_incomplete"] = True
    if args.show_ignored:
        changes["show_ignored"] = True
    for key in ("events_timeout", "events_max_pages", "events_max_records", "jobs"):
        if getattr(args, key) is not None:
            changes[key] = getattr(args, key)
    return replace(settings, **changes) if changes else settings


def _duration(text: str) -> float:
    from tfdrift_ci.events.budget import parse_duration

    try:
        return parse_duration(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _count(text: str) -> int:
    from tfdrift_ci.events.budget import parse_count

    try:
        return parse_count(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _request(args: argparse.Namespace, env: Mapping[str, str], path: str, settings: Settings) -> CheckRequest:
    """The check the arguments describe. ``--changed-only`` is resolved here (git and the pull
    request's base live above the engine)."""
    from tfdrift_ci.engine import CheckRequest

    changed: tuple[str, ...] | None = None
    if args.changed_only:
        from tfdrift_ci import gitutil

        changed = tuple(gitutil.changed_files(path, args.base, env))
    return CheckRequest(
        path=path,
        settings=settings,
        plan=args.plan,
        var_files=tuple(args.var_file),
        variables=_parse_vars(args.var),
        offline=args.offline,
        events=tuple(args.events),
        since=args.since,
        until=args.until,
        regions=tuple(args.region),
        profile=args.profile,
        role_arn=args.role_arn,
        changed_files=changed,
        env=env,
        parser=_parser(env),
        cache_dir=_cache_dir(env),
        fetch_modules=_fetch_modules(args, settings, env),
        progress=not args.no_progress,
        debug=args.debug,
    )


def _fetch_modules(args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> bool:
    """May this run fetch modules? --offline never does; then --fetch-modules/--no-fetch-modules,
    TFDRIFT_FETCH_MODULES (0/1), the configuration's fetch_modules, and the command's default (the
    pre-commit hook runs on every commit: it uses the module cache and fetches only when configured
    to)."""
    if args.offline:
        if args.fetch_modules:
            raise ConfigError(
                "--offline never touches the network: drop --fetch-modules (without "
                "--offline and without AWS credentials, the check runs static rules only)"
            )
        return False
    if args.fetch_modules is not None:
        return bool(args.fetch_modules)
    flag = env.get("TFDRIFT_FETCH_MODULES", "").strip().lower()
    if flag:
        return flag not in ("0", "false", "no", "off")
    if settings.fetch_modules is not None:
        return settings.fetch_modules
    return bool(args.command != "pre-commit")


def _parser(env: Mapping[str, str]) -> Literal["auto", "hcl2"]:
    """TFDRIFT_PARSER=hcl2 parses every file with python-hcl2, the reference parser."""
    return "hcl2" if env.get("TFDRIFT_PARSER", "").strip().lower() == "hcl2" else "auto"


def _cache_dir(env: Mapping[str, str]) -> str | None:
    """The parse cache's directory: TFDRIFT_CACHE_DIR, else the user cache directory; none with
    TFDRIFT_NO_CACHE=1."""
    if env.get("TFDRIFT_NO_CACHE", "").strip() not in ("", "0", "false", "no"):
        return None
    if env.get("TFDRIFT_CACHE_DIR"):
        return env["TFDRIFT_CACHE_DIR"]
    import platformdirs

    return platformdirs.user_cache_dir("tfdrift-ci", appauthor=False)


def _outputs(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """Pair --format with --output in order; a format with no output goes to stdout."""
    if args.template_dir and not Path(args.template_dir).is_dir():
        # checked even when no format uses templates (text, json …): a typo must not wait for the
        # day the pipeline asks for markdown
        raise ConfigError(f"--template-dir {args.template_dir}: not a directory")
    formats: list[str] = list(args.format) or ["text"]
    outputs: list[str] = list(args.output)
    if len(outputs) > len(formats):
        if len(formats) == 1 and not args.format:
            formats = ["text"] * len(outputs)
        else:
            raise ConfigError("more --output than --format: give one --format per --output")
    pairs: list[tuple[str, str | None]] = []
    for i, fmt in enumerate(formats):
        pairs.append((fmt, outputs[i] if i < len(outputs) else None))
    if sum(1 for _, o in pairs if o is None) > 1:
        raise ConfigError("several formats to stdout: give --output FILE for all but one --format")
    return pairs


def cmd_check(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from tfdrift_ci import engine

    path = Path(args.path)
    if not path.exists():
        raise ConfigError(f"{args.path}: no such file or directory")
    settings = _settings(args, path if path.is_dir() else path.parent)
    outputs = _outputs(args)
    request = _request(args, env, str(path), settings)
    report = engine.check(request)
    _deliver(args, env, report, outputs, recheck=_recheck(request))
    return int(report.exit_code)


def _recheck(request: CheckRequest) -> Callable[[str], Report]:
    """Re-check an edited copy of the code offline (config rules only): which rule an adoption
    makes fire (``fix --adopt``, the PR's suggestions)."""
    from tfdrift_ci import engine

    offline = replace(request, offline=True, events=(), plan=None, changed_files=None, progress=False)
    return lambda copy: engine.check(replace(offline, path=copy))


def _deliver(
    args: argparse.Namespace,
    env: Mapping[str, str],
    report: Report,
    outputs: Sequence[tuple[str, str | None]],
    *,
    recheck: Callable[[str], Report] | None = None,
    pr_number: int | None = None,
) -> None:
    from tfdrift_ci.report import RenderOptions, render

    for fmt, target in outputs:
        color = (
            fmt == "text"
            and target is None
            and not args.no_color
            and "NO_COLOR" not in env
            and sys.stdout.isatty()
        )
        options = RenderOptions(template_dir=args.template_dir, color=color, quiet=args.quiet)
        text = render(report, fmt, options)
        if target is None:
            # stdout is the job log in GitHub Actions: no workflow command from a value, whatever
            # the format (--format github's own lines start with "::" on purpose).
            _write(sys.stdout, runner_inert(text, keep_line_commands=fmt == "github"))
        else:
            try:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
                Path(target).write_text(text, encoding="utf-8")
            except OSError as err:
                raise ConfigError(f"cannot write --output {target}: {err.strerror}") from err
    # --comment posts where the run is: a merge request note in GitLab CI, else the GitHub PR comment.
    on_gitlab = args.comment and bool(env.get("GITLAB_CI"))
    github_comment = args.comment and not on_gitlab
    if github_comment or env.get("GITHUB_STEP_SUMMARY"):
        from tfdrift_ci import github

        warnings = github.deliver(
            report,
            comment=github_comment,
            env=env,
            template_dir=args.template_dir,
            recheck=recheck,
            pr_number=pr_number,
        )
        for warning in warnings:
            _err(f"warning: {one_line(warning)}")
    if on_gitlab:
        from tfdrift_ci import gitlab

        for warning in gitlab.deliver(report, env=env, template_dir=args.template_dir):
            _err(f"warning: {one_line(warning)}")


def _write(stream: TextIO, text: str) -> None:
    """Write one output. A reader that went away (``| head``) is not an error and must not change
    the exit code, which still comes from the findings (``set -o pipefail`` pipelines)."""
    try:
        stream.write(text)
        if text and not text.endswith("\n"):
            stream.write("\n")
        stream.flush()
    except BrokenPipeError:
        # Point stdout at devnull so the interpreter's final flush does not raise again.
        # https://docs.python.org/3/library/signal.html#note-on-sigpipe
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            pass  # not a real file descriptor (tests); nothing more will be written to it


# --------------------------------------------------------------------------------------------------
# sweep


def _add_sweep_options(p: argparse.ArgumentParser) -> None:
    from tfdrift_ci.sweep.arguments import add_arguments

    add_arguments(p)


def cmd_sweep(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Check every root under PATH over the sweep's window, then keep one GitHub issue per drifted
    resource and send alerts (tfdrift_ci/sweep/, docs/sweep.md)."""
    from tfdrift_ci import engine
    from tfdrift_ci.models import iso
    from tfdrift_ci.sweep import arguments, runner

    path = Path(args.path)
    if not path.is_dir():
        raise ConfigError(f"{args.path}: not a directory (sweep checks every Terraform root under a folder)")
    arguments.check_arguments(args)
    settings = _settings(args, path)
    outputs = _outputs(args)
    request = _request(args, env, str(path), settings)
    result = runner.run(
        arguments.from_arguments(args, settings),
        lambda window: engine.check(replace(request, since=iso(window.since), until=iso(window.until))),
        env,
    )
    _deliver(args, env, result.report, outputs)
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with open(summary, "a", encoding="utf-8") as fh:
                fh.write(runner.job_summary(result))
        except OSError as err:
            _err(f"warning: cannot write the job summary to GITHUB_STEP_SUMMARY: {err.strerror or err}")
    for line in result.done:
        _err(f"sweep: {one_line(line)}")
    for warning in result.warnings:
        _err(f"warning: {one_line(warning)}")
    return int(result.report.exit_code)


# --------------------------------------------------------------------------------------------------
# fix


def _add_fix_options(p: argparse.ArgumentParser) -> None:
    mode = p.add_argument_group("fix").add_mutually_exclusive_group(required=True)
    mode.add_argument("--adopt", action="store_true", help="rewrite the code to declare what the account has")
    mode.add_argument(
        "--revert", action="store_true", help="print the terraform apply lines that restore the code's values"
    )
    p.add_argument("--dry-run", action="store_true", help="--adopt: print the diff, change no file")
    p.add_argument(
        "--allow-unsafe", action="store_true", help="--adopt: adopt changes that make a config rule fire"
    )


def cmd_fix(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Adopt drift into the code, or print how to revert it (tfdrift_ci/fix/, docs/fix.md)."""
    from tfdrift_ci import engine
    from tfdrift_ci.fix import command

    path = Path(args.path)
    if not path.is_dir():
        raise ConfigError(f"{args.path}: not a directory (fix reads a Terraform project folder)")
    if args.offline:
        raise ConfigError("fix acts on drift, which comes from events: drop --offline")
    if args.format or args.output or args.comment:
        raise ConfigError(
            "fix prints a diff (--adopt) or terraform lines (--revert): --format, --output and --comment "
            "are check's (check --comment posts the adopt edits as suggestions on a pull request)"
        )
    settings = _settings(args, path)
    request = _request(args, env, str(path), settings)
    report = engine.check(request)
    if report.window is None:
        raise ConfigError(
            "no events were read (no --events and no AWS credentials): there is no drift to fix"
        )
    if args.revert:
        outcome = command.revert_lines(report, fail_on_incomplete=settings.fail_on_incomplete)
    else:
        outcome = command.adopt(
            report,
            recheck=_recheck(request),
            dry_run=args.dry_run,
            allow_unsafe=args.allow_unsafe,
            fail_on_incomplete=settings.fail_on_incomplete,
        )
    _write(sys.stdout, outcome.stdout)
    for message in outcome.messages:
        _err(message)
    if args.plan and args.adopt and outcome.adopted and not args.dry_run:
        _err("note: the plan given with --plan was made before these edits: make a new plan")
    return outcome.exit_code


# --------------------------------------------------------------------------------------------------
# pre-commit


def cmd_pre_commit(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Check the Terraform root of each changed file (and the roots that call it as a module).
    Static rules only unless --events is among the hook's args."""
    from tfdrift_ci import engine, inventory

    files = [f for f in args.files if f.endswith((".tf", ".tfvars"))]
    if not files:
        return EXIT_OK
    roots = inventory.roots_for_files(files, repo_root=".")
    offline = args.offline or not args.events  # no events: static rules only
    outputs = _outputs(args)
    worst = EXIT_OK
    for root in roots:
        settings = _settings(args, Path(root))
        request = _request(args, env, root, settings)
        report = engine.check(replace(request, offline=offline))
        _deliver(args, env, report, outputs)
        worst = max(worst, int(report.exit_code))
    return worst


# --------------------------------------------------------------------------------------------------
# render


def cmd_render(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Render a JSON report that another run wrote (for a fork's PR: an artifact the PR controls).
    It is validated against the packaged schema and rebuilt, then the normal renderers escape every
    value again. Exits 0 once delivered: the report's own verdict is shown, not acted upon."""
    from tfdrift_ci.report import from_json

    outputs = _outputs(args)
    report = from_json.load(args.report)
    _deliver(args, env, report, outputs, pr_number=args.pr)
    return EXIT_OK


# --------------------------------------------------------------------------------------------------
# rules / inventory


def cmd_rules(args: argparse.Namespace) -> int:
    from tfdrift_ci.rules.catalog import RULES

    if args.format == "json":
        import json

        _write(sys.stdout, json.dumps([r.as_dict() for r in RULES], indent=2))
        return EXIT_OK
    from tfdrift_ci.rules.docs import listing

    _write(sys.stdout, listing(RULES))
    return EXIT_OK


def cmd_inventory(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from tfdrift_ci import engine, inventory

    if not Path(args.path).exists():
        raise ConfigError(f"{args.path}: no such file or directory")
    request = engine.CheckRequest(
        path=args.path,
        plan=args.plan,
        var_files=tuple(args.var_file),
        variables=_parse_vars(args.var),
        env=env,
        parser=_parser(env),
        cache_dir=_cache_dir(env),
        fetch_modules=bool(args.fetch_modules),
    )
    inv = engine.load_inventory(request)
    _write(sys.stdout, inventory.render(inv, args.format))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
