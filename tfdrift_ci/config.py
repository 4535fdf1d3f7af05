"""Settings: ``.tfdrift.yml`` (found from PATH up to the repository root), ``--config FILE``, or
``[tool.tfdrift]`` in pyproject.toml; then the command line wins. Errors name the exact key.

The values themselves (``Settings`` and its parts) live in ``tfdrift_ci/settings.py``, the bottom
layer every stage may import; ``load_settings`` is the one entry point here.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn

from tfdrift_ci.errors import ConfigError
from tfdrift_ci.models import Gap, Severity
from tfdrift_ci.paths import is_inside, repository_root
from tfdrift_ci.settings import FAIL_ON_VALUES, DriftRuleSetting, IgnoreEntry, RuleSetting, Settings

# --------------------------------------------------------------------------------------------------
# Loading

CONFIG_NAMES = (".tfdrift.yml", ".tfdrift.yaml")
_SEVERITY_NAMES = ", ".join(s.value for s in Severity)
_TOP_KEYS = (
    "fail_on",
    "fail_on_incomplete",
    "rules",
    "ignore",
    "terraform_principals",
    "drift_rules",
    "show_ignored",
    "fetch_modules",
    "events",
    "since",
    "regions",
    "events_timeout",
    "events_max_pages",
    "events_max_records",
    "jobs",
)


def load_settings(config_file: str | None, *, start: Path) -> Settings:
    """``--config FILE``, else ``.tfdrift.yml``/``.tfdrift.yaml`` from ``start`` up to the git
    repository root, else ``[tool.tfdrift]`` in a pyproject.toml found the same way, else defaults.

    Raises ConfigError naming the file and the exact key path for anything it does not accept."""
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"--config {config_file}: no such file")
        if path.name == "pyproject.toml":
            data = _pyproject_table(path)
            return _build(data or {}, str(path), prefix="tool.tfdrift.")
        return _build(_read_yaml(path), str(path))
    found = _discovered(start)
    if not found:
        return Settings()
    path, table = found[0]
    if path.name == "pyproject.toml":
        settings = _build(table or {}, _display(path), prefix="tool.tfdrift.")
    else:
        settings = _build(_read_yaml(path), _display(path))
    return replace(settings, config_shadowed=tuple(_display(p) for p, _ in found[1:]))


def _discovered(start: Path) -> list[tuple[Path, dict[str, Any] | None]]:
    """Every configuration file discovery sees from ``start`` upwards, the one it uses first: the
    nearest ``.tfdrift.y(a)ml``, else the nearest pyproject.toml with ``[tool.tfdrift]``. The others
    are shadowed (reported as a warning: a nearer file silently drops every setting of a farther
    one, a pull request's own file the base branch's)."""
    dirs = _search_dirs(start)
    found: list[tuple[Path, dict[str, Any] | None]] = [
        (d / name, None) for d in dirs for name in CONFIG_NAMES if (d / name).is_file()
    ]
    for directory in dirs:
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                table = _pyproject_table(candidate)
            except ConfigError:
                if not found:
                    raise  # it would be used: its error is the user's to fix
                continue  # shadowed anyway: a broken file there must not break this run
            if table is not None:
                found.append((candidate, table))
    return found


def _search_dirs(start: Path) -> list[Path]:
    """``start`` and its parents up to (and including) the directory holding ``.git``; all the way
    up when ``start`` is not inside a git repository."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    chain = [here, *here.parents]
    root = repository_root(str(here))
    return chain[: chain.index(Path(root)) + 1] if root is not None else chain


def _display(path: Path) -> str:
    """The config file as users will recognise it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"not valid UTF-8 ({err.reason})", file=str(path)) from None
    except OSError as err:
        raise ConfigError(f"cannot read: {err.strerror}", file=str(path)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"invalid YAML: {problem}", file=str(path), line=line) from None
    except RecursionError:
        # PyYAML's composer recurses per nesting level; no settings file nests this deep.
        raise ConfigError("nested too deeply to be a settings file", file=str(path)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping of settings at the top, got {_kind(data)}", file=str(path))
    return data


def _pyproject_table(path: Path) -> dict[str, Any] | None:
    import tomllib

    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"invalid TOML: {err}", file=str(path)) from None
    except RecursionError:
        raise ConfigError("nested too deeply to be a settings file", file=str(path)) from None
    except OSError as err:
        raise ConfigError(f"cannot read: {err.strerror}", file=str(path)) from None
    tool = doc.get("tool")
    table = tool.get("tfdrift") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError("tool.tfdrift: expected a table", file=str(path))
    return table


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class _Reader:
    """Validates values and raises ConfigError('<file>: <key.path>: …')."""

    def __init__(self, file: str, prefix: str) -> None:
        self.file = file
        self.prefix = prefix

    def fail(self, key: str, message: str) -> NoReturn:
        raise ConfigError(f"{self.prefix}{key}: {message}", file=self.file)

    def mapping(self, key: str, value: object) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, f"expected a mapping, got {_kind(value)}")
        return value

    def boolean(self, key: str, value: object) -> bool:
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, got {_kind(value)}")
        return value

    def string(self, key: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"expected a non-empty string, got {_kind(value)}")
        return value.strip()

    def strings(self, key: str, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.fail(key, f"expected a list of strings, got {_kind(value)}")
        return tuple(self.string(f"{key}[{i}]", v) for i, v in enumerate(value))

    def severity(self, key: str, value: object) -> Severity:
        try:
            if not isinstance(value, str):
                raise ValueError
            return Severity.parse(value)
        except ValueError:
            self.fail(key, f"expected one of {_SEVERITY_NAMES}, got {_kind(value)}")

    def choice(self, key: str, value: object, choices: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value.strip().lower() not in choices:
            self.fail(key, f"expected one of {', '.join(choices)}, got {_kind(value)}")
        return value.strip().lower()

    def date(self, key: str, value: object) -> date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(key, f"expected a date like 2026-12-31, got {_kind(value)}")

    def unknown_keys(self, key: str, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for name in data:
            if name not in allowed:
                where = f"{key}.{name}" if key else str(name)
                hint = _close(str(name), allowed)
                self.fail(where, f"unknown key{hint} (allowed: {', '.join(allowed)})")


def _close(name: str, allowed: tuple[str, ...]) -> str:
    import difflib

    match = difflib.get_close_matches(name, allowed, n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _known_rule_ids() -> tuple[frozenset[str], dict[str, str]]:
    """Catalog ids and peer id -> rule id; imported lazily (the catalog imports every rule)."""
    from tfdrift_ci.rules.catalog import RULES

    ids = frozenset(r.id for r in RULES)
    peers = {p: r.id for r in RULES for p in r.peers.all()}
    return ids, peers


def _check_rule_id(r: _Reader, key: str, rule_id: str, *, glob: bool) -> str:
    ids, peers = _known_rule_ids()
    if rule_id in ids:
        return rule_id
    if glob and any(c in rule_id for c in "*?"):
        if not any(fnmatch.fnmatchcase(i, rule_id) for i in ids) and not any(
            fnmatch.fnmatchcase(p, rule_id) for p in peers
        ):
            r.fail(key, f"{rule_id!r} matches no rule (see `tfdrift-ci rules`)")
        return rule_id
    if glob and rule_id in peers:
        return rule_id  # a peer id (CKV_AWS_51): matches the rules that list it
    hint = _close(rule_id, tuple(sorted(ids)))
    r.fail(key, f"unknown rule id {rule_id!r}{hint} (see `tfdrift-ci rules`)")


def _rule_setting(r: _Reader, key: str, value: object) -> RuleSetting:
    # YAML 1.1 reads a bare `off` / `on` as booleans.
    if value is False or (isinstance(value, str) and value.strip().lower() in ("off", "disabled")):
        return RuleSetting(enabled=False)
    if value is True or (isinstance(value, str) and value.strip().lower() in ("on", "enabled")):
        return RuleSetting(enabled=True)
    if isinstance(value, str):
        return RuleSetting(severity=r.severity(key, value))
    data = r.mapping(key, value) if isinstance(value, dict) else None
    if data is None:
        r.fail(key, f"expected off, a severity or a mapping with severity/enabled, got {_kind(value)}")
    r.unknown_keys(key, data, ("severity", "enabled"))
    enabled = r.boolean(f"{key}.enabled", data["enabled"]) if "enabled" in data else True
    severity = r.severity(f"{key}.severity", data["severity"]) if "severity" in data else None
    return RuleSetting(enabled=enabled, severity=severity)


def _ignore(r: _Reader, key: str, value: object) -> IgnoreEntry:
    data = r.mapping(key, value)
    r.unknown_keys(key, data, ("rule", "address", "reason", "expires"))
    if "rule" not in data:
        r.fail(f"{key}.rule", "required (a rule id or glob such as TFD-ECR-*)")
    rule = _check_rule_id(r, f"{key}.rule", r.string(f"{key}.rule", data["rule"]), glob=True)
    address = r.string(f"{key}.address", data["address"]) if "address" in data else "*"
    reason = r.string(f"{key}.reason", data["reason"]) if data.get("reason") is not None else None
    expires = r.date(f"{key}.expires", data["expires"]) if data.get("expires") is not None else None
    return IgnoreEntry(rule=rule, address=address, reason=reason, expires=expires)


def _drift_rule(r: _Reader, key: str, value: object) -> DriftRuleSetting:
    data = r.mapping(key, value)
    r.unknown_keys(key, data, ("name", "resource_types", "watched_attributes", "severity"))
    if "name" not in data:
        r.fail(f"{key}.name", "required")
    return DriftRuleSetting(
        name=r.string(f"{key}.name", data["name"]),
        resource_types=r.strings(f"{key}.resource_types", data.get("resource_types", [])),
        watched_attributes=r.strings(f"{key}.watched_attributes", data.get("watched_attributes", [])),
        severity=r.severity(f"{key}.severity", data["severity"])
        if data.get("severity") is not None
        else None,
    )


def _build(data: dict[str, Any], file: str, *, prefix: str = "") -> Settings:
    r = _Reader(file, prefix)
    r.unknown_keys("", data, _TOP_KEYS)
    changes: dict[str, Any] = {"config_file": file, "config_keys": frozenset(str(k) for k in data)}
    if "fail_on" in data:
        changes["fail_on"] = r.choice("fail_on", data["fail_on"], FAIL_ON_VALUES)
    for flag in ("fail_on_incomplete", "show_ignored", "fetch_modules"):
        if flag in data:
            changes[flag] = r.boolean(flag, data[flag])
    if "rules" in data and data["rules"] is not None:
        rules: dict[str, RuleSetting] = {}
        for rule_id, value in r.mapping("rules", data["rules"]).items():
            key = f"rules.{rule_id}"
            _check_rule_id(r, key, str(rule_id), glob=False)
            rules[str(rule_id)] = _rule_setting(r, key, value)
        changes["rules"] = rules
    if "ignore" in data and data["ignore"] is not None:
        entries = data["ignore"]
        if not isinstance(entries, list):
            r.fail("ignore", f"expected a list of {{rule, address, reason, expires}}, got {_kind(entries)}")
        changes["ignores"] = tuple(_ignore(r, f"ignore[{i}]", e) for i, e in enumerate(entries))
    if "terraform_principals" in data:
        changes["terraform_principals"] = r.strings("terraform_principals", data["terraform_principals"])
    if "drift_rules" in data and data["drift_rules"] is not None:
        entries = data["drift_rules"]
        if not isinstance(entries, list):
            r.fail("drift_rules", f"expected a list, got {_kind(entries)}")
        changes["drift_rules"] = tuple(_drift_rule(r, f"drift_rules[{i}]", e) for i, e in enumerate(entries))
    if "events" in data:
        changes["events"] = r.strings("events", data["events"])
    if "regions" in data:
        changes["regions"] = r.strings("regions", data["regions"])
    if "since" in data:
        since = data["since"]
        if isinstance(since, (date, datetime)):
            since = since.isoformat()
        since = r.string("since", since)
        from tfdrift_ci.timeutil import parse_time

        try:
            parse_time(since, flag="since", now=datetime.now(UTC))
        except ConfigError:
            r.fail("since", f"expected a span like 7d / 48h or an ISO time, got {since!r}")
        changes["since"] = since
    changes.update(_budgets(r, data))
    return replace(Settings(), **changes)


def _budgets(r: _Reader, data: dict[str, Any]) -> dict[str, Any]:
    """``events_timeout`` (seconds or 10m / 1h30m), ``events_max_pages``, ``events_max_records``
    (whole numbers); 0 means no limit."""
    from tfdrift_ci.events.budget import parse_count, parse_duration

    out: dict[str, Any] = {}
    if data.get("events_timeout") is not None:
        value = data["events_timeout"]
        try:
            out["events_timeout"] = parse_duration(value if not isinstance(value, bool) else "x")
        except ValueError:
            r.fail(
                "events_timeout",
                f"expected seconds or a duration like 10m / 1h30m (0: no limit), got {value!r}",
            )
    for key in ("events_max_pages", "events_max_records", "jobs"):
        if data.get(key) is not None:
            value = data[key]
            try:
                out[key] = parse_count(value if not isinstance(value, (bool, float)) else "x")
            except ValueError:
                zero = "one per core" if key == "jobs" else "no limit"
                r.fail(key, f"expected a whole number ≥ 0 (0: {zero}), got {value!r}")
    return out


# --------------------------------------------------------------------------------------------------
# Settings that weaken the gate: named in every format ("weakened by configuration")

# Principals a Terraform-principal pattern must not match: a person (IAM user, root, an SSO session
# and its role) and an arbitrary role. ACCOUNT is the pattern's own account when it names one.
_PROBES = (
    "arn:aws:iam::ACCOUNT:user/tfdrift-probe",
    "arn:aws:iam::ACCOUNT:root",
    "arn:aws:sts::ACCOUNT:assumed-role/AWSReservedSSO_Probe_0123456789abcdef/probe@example.com",
    "arn:aws:iam::ACCOUNT:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Probe_0123456789abcdef",
    "arn:aws:iam::ACCOUNT:role/tfdrift-probe",
)
_ACCOUNT = re.compile(r"(?<!\d)\d{12}(?!\d)")


def any_principal(pattern: str) -> str | None:
    """``any principal`` / ``any principal of account N`` when a ``terraform_principals`` glob
    matches people and arbitrary roles (``*``, ``arn:aws:*``, ``arn:aws:iam::N:*``), else None."""
    m = _ACCOUNT.search(pattern)
    account = m.group(0) if m else "000000000000"
    if any(fnmatch.fnmatchcase(p.replace("ACCOUNT", account), pattern) for p in _PROBES):
        return f"any principal of account {account}" if m else "any principal"
    return None


def weakening(settings: Settings, path: str) -> list[Gap]:
    """One ``config`` gap per setting that weakens the gate for a check of ``path``: rules turned off
    or re-graded below their default, ignores of a rule on every resource, drift re-graded below
    high, Terraform principals that match anyone, event files inside the checked repository,
    ``fail_on`` above high, and configuration files the one in use shadows.

    Such a gap fails the run under ``--fail-on-incomplete`` when it comes from a configuration file
    inside the checked repository (a pull request can edit it); from a file outside it (pinned
    from the base branch, see docs/github-action.md) it is only named. The command line's own
    values (``--fail-on never``) are the caller's visible choice, not configuration: not named."""
    tree = _tree_of(path)
    file = settings.config_file
    own = file is not None and is_inside(os.path.abspath(file), tree)
    out: list[Gap] = []
    lines = _key_lines(file) if file is not None else {}
    for key, reason in _weak_settings(settings, tree):
        top = key.split(".", 1)[0].split("[", 1)[0]
        if file is None or top not in settings.config_keys:
            continue
        line = lines.get(key) or lines.get(top)
        where = f"{file}:{line}" if line else file
        out.append(Gap("config", key, f"{reason} (set in {where})", file=file, line=line, fails=own))
    out.extend(
        Gap("config", f"configuration {shadowed}", f"not used: {file} is nearer and hides it", fails=False)
        for shadowed in settings.config_shadowed
    )
    return out


_KEY_LINE = re.compile(r"^(\s*)[\"']?([\w.*?-]+)[\"']?\s*[:=]")


def _key_lines(file: str) -> dict[str, int]:
    """Best effort: the line of each top-level key of a configuration file, and of each entry under
    ``rules`` (``rules.TFD-ECR-001``), for messages; empty when the file cannot be read."""
    try:
        text = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        m = _KEY_LINE.match(line)
        if m is None:
            continue
        key = m.group(2)
        if not m.group(1):
            section = key
            out.setdefault(key, number)
        elif section == "rules":
            out.setdefault(f"rules.{key}", number)
    return out


def _tree_of(path: str) -> list[str]:
    """The directories a pull request controls when ``path`` is checked: the path and its repository."""
    here = os.path.abspath(path)
    root = repository_root(here)
    return [d for d in (here if os.path.isdir(here) else os.path.dirname(here), root) if d]


def _weak_settings(settings: Settings, tree: list[str]) -> list[tuple[str, str]]:
    out = _weak_rules(settings)
    for pattern in settings.terraform_principals:
        who = any_principal(pattern)
        if who is not None:
            out.append(("terraform_principals", f"{pattern!r} matches {who}: their changes are never drift"))
    for spec in settings.events:
        text = spec.strip()
        if text == "aws" or ("://" in text and not text.startswith("file://")):
            continue
        target = os.path.abspath(text.removeprefix("file://"))
        if is_inside(target, tree):
            out.append(
                ("events", f"{text!r} is inside the checked repository: a change can bring its own events")
            )
    if settings.fail_on == "never":
        out.append(("fail_on", "fail_on is never: no finding fails the run"))
    elif Severity.parse(settings.fail_on).rank > Severity.HIGH.rank:
        out.append(("fail_on", f"fail_on is {settings.fail_on}: high findings do not fail the run"))
    return out


def _weak_rules(settings: Settings) -> list[tuple[str, str]]:
    out = _weak_rule_settings(settings) if settings.rules else []
    today = date.today()
    for i, entry in enumerate(settings.ignores):
        if entry.address.strip("*") == "" and (entry.expires is None or entry.expires >= today):
            out.append((f"ignore[{i}]", f"ignores {entry.rule} on every resource"))
    for i, drift in enumerate(settings.drift_rules):
        if drift.severity is not None and drift.severity.rank < Severity.HIGH.rank:
            scope = ", ".join(drift.resource_types) or "every resource type"
            out.append(
                (f"drift_rules[{i}]", f"{drift.name!r} grades drift on {scope} {drift.severity.value}")
            )
    return out


def _weak_rule_settings(settings: Settings) -> list[tuple[str, str]]:
    """Rules turned off or graded down. The catalog (every drift rule, the events package) is
    imported only when the configuration sets rules: the pre-commit hook's path stays light."""
    from tfdrift_ci.rules.catalog import RULES

    by_id = {r.id: r for r in RULES}
    out: list[tuple[str, str]] = []
    for rule_id, setting in sorted(settings.rules.items()):
        rule = by_id.get(rule_id)
        if rule is None:
            continue
        if not setting.enabled and rule.default_enabled:
            what = _UNSEEN.get(rule_id, "its findings are not reported")
            out.append((f"rules.{rule_id}", f"off ({rule.title}): {what}"))
        elif setting.enabled and setting.severity is not None and setting.severity.rank < rule.severity.rank:
            change = f"{rule.severity.value} → {setting.severity.value}"
            out.append((f"rules.{rule_id}", f"re-graded {change} ({rule.title})"))
    return out


# What a user no longer sees when an error rule is off.
_UNSEEN = {
    "TFD-ERR-001": "an unreadable Terraform file is not reported, and its resources are never checked",
    "TFD-ERR-002": "a rule that fails on a resource or event is not reported",
}
