"""The Action never interpolates expressions into shell scripts (script injection), and the docs
say why ``pull_request_target`` must not check out PR code."""

from __future__ import annotations

import re
from typing import Any

import yaml
from rel_support import REPO


def _steps() -> list[dict[str, Any]]:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    steps: list[dict[str, Any]] = action["runs"]["steps"]
    return steps


def test_no_expression_inside_run_scripts() -> None:
    scripts = [s for s in _steps() if "run" in s]
    assert scripts
    for step in scripts:
        assert "${{" not in step["run"], f"expression interpolated into the script of {step.get('name')!r}"


def test_inputs_reach_scripts_only_through_env() -> None:
    for step in _steps():
        if "run" not in step:
            continue
        for value in (step.get("env") or {}).values():
            # env values may use expressions: they become environment variables, not code
            assert isinstance(value, str)
        # every $INPUT_* the script reads is defined in its env block
        used = set(re.findall(r"\$\{?(INPUT_[A-Z_]+)", step["run"]))
        assert used <= set(step.get("env") or {}), (
            f"{step.get('name')!r} reads undefined {used - set(step.get('env') or {})}"
        )


def test_action_fails_on_errors_and_crashes() -> None:
    fail = next(s for s in _steps() if "run" in s and "TFDRIFT_EXIT" in s["run"])
    script = fail["run"]
    for code in ("1)", "2)", "*)"):
        assert code in script
    assert script.count("exit 0") == 0, "an exit code path makes the job pass"


def test_security_doc_explains_pull_request_target() -> None:
    text = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    assert "pull_request_target" in text
    assert "env:" in text
