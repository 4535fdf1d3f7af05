"""Small text helpers shared by the CLI, the event sources and the renderers: the one place that
strips what must never reach a terminal or a log line from untrusted text."""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (ESC [ … final), OSC (ESC ] … BEL/ST, used for hyperlinks and window
# titles), other two-byte escapes; and the single-byte C1 CSI (0x9b) some terminals honour.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC … BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS / SOS / PM / APC … ST
    r"|\x1b[@-Z\\-_]"  # other Fe escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# C0 controls except TAB/LF/CR (handled by callers), DEL, C1 controls, line/paragraph separators, and
# every Unicode format character (general category Cf, Unicode 15.1): bidi embeddings, overrides,
# isolates and marks (Trojan Source, CVE-2021-42574), zero-width space/joiners/word joiner, soft
# hyphen, invisible operators, tag characters (U+E0000-E007F, which can spell hidden text), BOM,
# interlinear annotations and the format controls of other scripts; and the characters that render
# as nothing although they are letters or marks: the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0),
# the combining grapheme joiner (U+034F) and the Khmer inherent vowels (U+17B4, U+17B5).
# tests/reliability/test_markdown_leftovers.py checks the Cf part against unicodedata.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u2028\u2029"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
    "\u115f\u1160\u3164\uffa0\u034f\u17b4\u17b5]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: object) -> str:
    """Drop escape sequences and invisible/bidi controls; keep TAB, CR and LF for the caller.
    Lone surrogates (JSON allows ``"\\ud800"``; UTF-8 cannot encode it) become U+FFFD."""
    s = text if isinstance(text, str) else str(text)
    s = _SURROGATE.sub("\ufffd", s)
    s = _ANSI.sub("", s)
    return _CONTROLS.sub("", s)


def one_line(text: object, limit: int | None = 500) -> str:
    """``clean`` text with whitespace collapsed, so one message is one line (shortened with …
    beyond ``limit`` characters; ``None``: never)."""
    flat = " ".join(clean(text).split())
    if limit is not None and len(flat) > limit:
        flat = flat[: max(limit - 1, 0)] + "…"
    return flat


# GitHub Actions workflow commands in a job log (actions/runner, ActionCommandManager): a line whose
# text, after leading whitespace, starts with "::" is parsed as "::cmd props::data"
# (ActionCommand.TryParseV2), and the legacy "##[cmd props]data" is found ANYWHERE in a line
# (ActionCommand.TryParse searches with IndexOf). The runner reads lines as .NET's ReadLine does, so
# CR alone ends a line too. A zero-width space between the two characters keeps the text readable
# and the runner blind. (Our own annotations, --format github, start lines with "::" on purpose.)
_ZWSP = "\u200b"
_LEGACY_COMMAND = re.compile(r"##\[")
_LINE_COMMAND = re.compile("(?:^|(?<=[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]))([^\\S\n\r]*):(?=:)")


def runner_inert(text: str, *, keep_line_commands: bool = False) -> str:
    """``text`` that the Actions runner executes no workflow command from when it is written to a
    job log (stdout or stderr): ``##[`` broken anywhere, ``::`` broken at the start of a line
    (unless ``keep_line_commands``: the annotation format's own lines)."""
    s = _LEGACY_COMMAND.sub("##" + _ZWSP + "[", text) if "##[" in text else text
    if keep_line_commands or "::" not in s:
        return s
    return _LINE_COMMAND.sub(lambda m: m.group(1) + ":" + _ZWSP, s)


_URL_CREDENTIALS = re.compile(r"//[^/@\s]+:[^/@\s]*@")


def redact_text(text: str) -> str:
    """Best effort for a source address or message that does not parse as a URL: drop
    ``user:password@`` after ``//`` and everything from the first ``?`` (a signed URL's query)."""
    return _URL_CREDENTIALS.sub("//", text).split("?", 1)[0]
