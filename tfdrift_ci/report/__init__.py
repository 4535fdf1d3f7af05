"""Renderers. Each format is a module with ``render(report, options) -> str``; imported lazily so
that Jinja2 is only loaded by the formats that use it."""

from __future__ import annotations

import importlib

from tfdrift_ci.frozen import frozen
from tfdrift_ci.models import Report

FORMATS: dict[str, str] = {
    "text": "tfdrift_ci.report.text",
    "json": "tfdrift_ci.report.json",
    "markdown": "tfdrift_ci.report.markdown",
    "sarif": "tfdrift_ci.report.sarif",
    "github": "tfdrift_ci.report.annotations",
    "falco": "tfdrift_ci.report.falco",
    "html": "tfdrift_ci.report.html",
    "gitlab": "tfdrift_ci.report.gitlab",
}


@frozen
class RenderOptions:
    template_dir: str | None = None  # user copies of templates/ (--template-dir)
    color: bool = False  # ANSI colours (text on a TTY)
    quiet: bool = False  # text: summary only


def render(report: Report, fmt: str, options: RenderOptions | None = None) -> str:
    module = importlib.import_module(FORMATS[fmt])
    out: str = module.render(report, options or RenderOptions())
    return out
