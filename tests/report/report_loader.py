"""Turn a report fixture file (tests/fixtures/report/*.json, model field names) into a ``Report``.

Used by the report and GitHub tests, so both render the SAME report from a file, not from values
hard-coded in a test."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from tfdrift_ci.models import (
    Actor,
    Event,
    Finding,
    Identity,
    ModuleCall,
    Report,
    Resource,
    Severity,
    SourceStatus,
    Unknown,
    Window,
)

TESTS = Path(__file__).resolve().parent.parent
FIXTURES = TESTS / "fixtures" / "report"
SCHEMAS = TESTS / "schemas"
GOLDEN_DIR = TESTS / "golden" / "report"


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _maybe_unknown(value: Any) -> Any:
    if isinstance(value, dict) and "unknown" in value:
        return Unknown(value["unknown"], value.get("pattern"))
    return value


def _identity(d: dict[str, Any] | None) -> Identity | None:
    if d is None:
        return None
    return Identity(
        kind=d["kind"],
        name=_maybe_unknown(d.get("name")),
        cluster=_maybe_unknown(d.get("cluster")),
        account=d.get("account"),
        region=d.get("region"),
    )


def _actor(d: dict[str, Any] | None) -> Actor | None:
    return None if d is None else Actor(**d)


def _event(d: dict[str, Any] | None, actor: Actor | None) -> Event | None:
    if d is None:
        return None
    d = dict(d)
    d["time"] = _time(d["time"])
    return Event(actor=actor or Actor(display="unknown"), **d)


def _finding(d: dict[str, Any]) -> Finding:
    d = dict(d)
    actor = _actor(d.pop("actor", None))
    event = _event(d.pop("event", None), actor)
    d["severity"] = Severity(d["severity"])
    d["expected"] = _maybe_unknown(d.get("expected"))
    d["actual"] = _maybe_unknown(d.get("actual"))
    if "notes" in d:
        d["notes"] = tuple(d["notes"])
    return Finding(event=event, actor=actor, **d)


def _resource(d: dict[str, Any]) -> Resource:
    d = dict(d)
    d["identity"] = _identity(d.get("identity"))
    d["module_path"] = tuple(d.get("module_path", ()))
    return Resource(**d)


def report_from_dict(data: dict[str, Any]) -> Report:
    window = data.get("window")
    return Report(
        tool_version=data["tool_version"],
        path=data["path"],
        files=data["files"],
        resources=tuple(_resource(r) for r in data.get("resources", ())),
        findings=tuple(_finding(f) for f in data.get("findings", ())),
        window=Window(_time(window["since"]), _time(window["until"])) if window else None,
        sources=tuple(SourceStatus(**s) for s in data.get("sources", ())),
        exit_code=data["exit_code"],
        fail_on=data["fail_on"],
        unfollowed_modules=tuple(ModuleCall(**m) for m in data.get("unfollowed_modules", ())),
        notices=tuple(data.get("notices", ())),
    )


def load_report(name: str = "report.json") -> Report:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return report_from_dict(data)
