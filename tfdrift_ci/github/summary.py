"""The job summary: the Markdown report appended to ``GITHUB_STEP_SUMMARY``
(https://docs.github.com/en/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary).
GitHub accepts at most 1 MiB per step; several tfdrift-ci runs in one step share it."""

from __future__ import annotations

import os

from tfdrift_ci.models import Report
from tfdrift_ci.report import RenderOptions
from tfdrift_ci.report.markdown import render_summary

STEP_SUMMARY_BYTES = 1024 * 1024


def write(report: Report, path: str, options: RenderOptions) -> None:
    """Append the summary; shrink it (details first, never the verdict) to what is left of 1 MiB."""
    try:
        used = os.path.getsize(path)
    except OSError:
        used = 0
    budget = max(STEP_SUMMARY_BYTES - used - 1024, 4096)
    text = render_summary(report, options, limit=budget)
    # The limit is in bytes; characters outside ASCII (icons, arrows, names) take more than one.
    while len(text.encode("utf-8")) > budget:
        text = render_summary(report, options, limit=len(text) * budget // len(text.encode("utf-8")) - 64)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text if text.endswith("\n") else text + "\n")
        fh.write("\n")
