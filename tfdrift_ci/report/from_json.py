"""A ``Report`` read back from a JSON report (``--format json``) that tfdrift-ci did not necessarily
write: ``tfdrift-ci render REPORT.json`` in a ``workflow_run`` job reads an artifact that a fork's
pull request controls.

Nothing in the file is trusted: it must be valid against the packaged schema
(``tfdrift_ci/schemas/report-schema.json``, JSON Schema 2020-12) within size and depth bounds, and
is then turned into the model, so that the normal renderers escape every value again exactly as they
do for a report of their own. What the JSON report does not carry is left out of the model: event
request and response bodies, the resources' attributes, Terraform's own applies (the PR comment's
timeline then shows the changes made outside Terraform only). Anything wrong is a ``ReportFileError``
(exit 2) naming the first problem.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tfdrift_ci.errors import ConfigError
from tfdrift_ci.models import (
    IDENTITY_NAME_KEY,
    Actor,
    CallSite,
    Event,
    Finding,
    Identity,
    ModuleCall,
    Report,
    Resource,
    SetBack,
    Severity,
    SourceStatus,
    Unknown,
    Window,
)

MAX_BYTES = 256 * 1024**2  # a report of ~100,000 findings; beyond that, refuse rather than exhaust memory
MAX_DEPTH = 200  # nesting (values from CloudTrail are nested, but not this deep)


class ReportFileError(ConfigError):
    """The file is not a tfdrift-ci JSON report this version can render (exit 2)."""


@cache
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("tfdrift_ci.schemas").joinpath("report-schema.json").read_text(encoding="utf-8")
    )
    return data


def load(path: str) -> Report:
    """The report in ``path``, validated and rebuilt; ``ReportFileError`` when it is not one."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise ReportFileError(f"{path}: {size:,} bytes, over the {MAX_BYTES:,} a report may have")
        raw = Path(path).read_bytes()
    except OSError as err:
        raise ReportFileError(f"cannot read {path}: {err.strerror or err}") from err
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ReportFileError(f"{path}: not a JSON report: {_short(err)}") from None
    return from_data(data, path)


def from_data(data: Any, where: str = "the report") -> Report:
    """Validate ``data`` (parsed JSON) against the packaged schema, then build the ``Report``."""
    if _depth(data) > MAX_DEPTH:
        raise ReportFileError(f"{where}: nested deeper than {MAX_DEPTH} levels")
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        at = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ReportFileError(
            f"{where}: not a valid tfdrift-ci JSON report (schema {schema().get('$id')}): at {at}: "
            f"{_short(error.message)}"
        )
    try:
        return _report(data)
    except (KeyError, TypeError, ValueError) as err:  # the schema allows it, the model does not
        raise ReportFileError(f"{where}: not a report this version can render: {_short(err)}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _short(err: object) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= 300 else text[:299] + "…"


def _depth(value: Any) -> int:
    """Nesting depth, iteratively (a hostile document must not exhaust the stack here either)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            return depth
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


# --------------------------------------------------------------------------------------------------
# JSON → model (report/json.py, reversed)


def _time(text: str) -> datetime:
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError(f"time without a time zone: {text!r}")
    return t


def _value(value: Any) -> Any:
    """``{"unknown": expr, "pattern": …}`` (models.jsonable) back to ``Unknown``."""
    if isinstance(value, dict) and set(value) == {"unknown", "pattern"} and isinstance(value["unknown"], str):
        pattern = value["pattern"]
        return Unknown(value["unknown"], pattern if isinstance(pattern, str) else None)
    return value


def _identity(d: dict[str, Any] | None) -> Identity | None:
    if not d:
        return None
    kind = d["kind"]
    key = IDENTITY_NAME_KEY.get(kind)
    name = _value(d.get(key)) if key else None
    cluster = _value(d.get("cluster")) if kind not in ("cluster", "cluster_capacity_providers") else None
    return Identity(kind=kind, name=name, cluster=cluster, account=d.get("account"), region=d.get("region"))


def _resource(d: dict[str, Any]) -> Resource:
    address = str(d["address"])
    sites = tuple(
        CallSite(
            address=c["address"],
            file=c.get("file"),
            line=c.get("line"),
            source=c.get("source", ""),
            inputs=dict(c.get("inputs") or {}),
            fetched=bool(c.get("fetched", False)),
            package=c.get("package"),
        )
        for c in d.get("call_sites") or ()
    )
    return Resource(
        address=address,
        type=str(d["type"]),
        name=address.rsplit(".", 1)[-1].split("[", 1)[0],
        file=d.get("file"),
        line=d.get("line"),
        identity=_identity(d.get("identity")),
        root=d.get("root") or ".",
        call_sites=sites,
    )


def _actor(d: dict[str, Any] | None) -> Actor | None:
    if not d:
        return None
    return Actor(
        display=str(d.get("display") or "unknown"),
        arn=d.get("arn"),
        type=d.get("type"),
        role_arn=d.get("role_arn"),
        via=d.get("via") or "unknown",
        service=d.get("service"),
        source_ip=d.get("source_ip"),
        user_agent=d.get("user_agent"),
    )


def _event(d: dict[str, Any] | None, actor: Actor | None) -> Event | None:
    if not d:
        return None
    return Event(
        id=str(d["id"]),
        name=str(d["name"]),
        source=str(d.get("source") or ""),
        time=_time(d["time"]),
        region=d.get("region"),
        account=d.get("account"),
        actor=actor or Actor(display="unknown"),
        error_code=d.get("error_code"),
    )


def _finding(d: dict[str, Any]) -> Finding:
    actor = _actor(d.get("actor"))
    return Finding(
        rule_id=str(d["rule_id"]),
        kind=d["kind"],
        severity=Severity(d["severity"]),
        title=str(d["title"]),
        message=str(d["message"]),
        address=d.get("address"),
        resource_type=d.get("resource_type"),
        file=d.get("file"),
        line=d.get("line"),
        root=d.get("root"),
        attribute=d.get("attribute"),
        expected=_value(d.get("expected")),
        actual=_value(d.get("actual")),
        event=_event(d.get("event"), actor),
        actor=actor,
        remediation=d.get("remediation"),
        suppressed=bool(d.get("suppressed", False)),
        suppression_reason=d.get("suppression_reason"),
        reverted_by_plan=d.get("reverted_by_plan"),
        matched_by_pattern=bool(d.get("matched_by_pattern", False)),
        notes=tuple(str(n) for n in d.get("notes") or ()),
        set_back=_set_back(d.get("set_back")),
    )


def _set_back(d: dict[str, Any] | None) -> SetBack | None:
    if not d:
        return None
    return SetBack(
        who=str(d["by"]),
        time=_time(d["time"]),
        event_id=str(d["event_id"]),
        terraform=bool(d.get("terraform")),
    )


def _report(data: dict[str, Any]) -> Report:
    scanned = data["scanned"]
    window = scanned.get("window")
    known = {m["source"] for m in scanned.get("modules_not_followed") or () if m.get("ecr_ecs")}
    calls = tuple(
        ModuleCall(
            address=m["address"],
            source=m["source"],
            file=m.get("file"),
            line=m.get("line"),
            reason=m.get("reason", ""),
            version=m.get("version"),
            relevance=1 if m["source"] in known else 2,
        )
        for m in scanned.get("unfollowed_modules") or ()
    )
    return Report(
        tool_version=str(data["tool"]["version"]),
        path=str(scanned["path"]),
        files=int(scanned["files"]),
        resources=tuple(_resource(r) for r in data["resources"]),
        findings=tuple(_finding(f) for f in data["findings"]),
        window=Window(_time(window["since"]), _time(window["until"])) if window else None,
        sources=tuple(
            SourceStatus(
                name=str(s["name"]),
                events_read=int(s.get("events_read", 0)),
                api_calls=s.get("api_calls"),
                complete=bool(s.get("complete", True)),
                error=s.get("error"),
                malformed=int(s.get("malformed", 0)),
            )
            for s in scanned.get("sources") or ()
        ),
        exit_code=int(data["exit_code"]),
        fail_on=str(data["fail_on"]),
        unfollowed_modules=calls,
        notices=tuple(str(n) for n in scanned.get("notices") or ()),
    )
