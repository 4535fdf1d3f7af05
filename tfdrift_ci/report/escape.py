"""The one place where untrusted text (CloudTrail, Terraform, git: names, user agents, actor names,
policy texts, messages) is made inert for each output.

Anyone who can call an AWS API can choose a user agent or a session name, and anyone who opens a PR
can choose a resource name; all of it ends up in terminals, PR comments, workflow commands and SARIF.

- :func:`terminal` — no ANSI/OSC escape sequences, no C0/C1 controls, no bidi overrides (Trojan Source,
  CVE-2021-42574), one line.
- :func:`runner_inert` — whatever is written to stdout/stderr (a GitHub Actions job log): no
  ``##[command]`` anywhere in a line, no ``::command::`` at its start (``tfdrift_ci.textutil``, shared
  with the CLI's messages and the event sources' progress and debug lines).
- :func:`md` — GitHub-flavoured Markdown inline text (table cells, list items, headings): HTML is
  entity-escaped, Markdown punctuation backslash-escaped (links, images, emphasis, code spans, fences,
  table pipes), ``@mentions``, ``#refs``, ``owner/repo#refs`` and ``GH-refs`` broken with a zero-width
  space, bare URLs de-linkified. (A bare commit hash is left alone: GitHub links it only to this
  repository's own commits; ``user@hash`` and ``owner/repo@hash`` lose their link with the ``@``.)
  https://github.github.com/gfm/#backslash-escapes
- :func:`annotation_message` / :func:`annotation_property` — GitHub workflow-command escaping
  (https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts ``escapeData`` /
  ``escapeProperty``), so ``%0A::error::`` in a name stays text.
- :func:`sarif_text` — SARIF ``message.text``: plain text where ``[text](id)`` is an embedded link
  (SARIF 2.1.0 §3.11.6), so brackets are escaped with a backslash.
- :func:`comment_marker_value` — text safe inside an HTML comment.
- :func:`slack_text` — Slack ``mrkdwn``: ``&`` ``<`` ``>`` as entities, so no link, ``<!channel>``
  or ``<@user>`` mention can be formed (https://api.slack.com/reference/surfaces/formatting#escaping).
- :func:`teams_text` — the Markdown subset of Adaptive Card ``TextBlock``s (Microsoft Teams).
- :func:`mermaid_text` — a label in a Mermaid gantt chart (GitHub renders ```mermaid blocks).
"""

from __future__ import annotations

import re

# Escape sequences, C0/C1 and bidi controls and lone surrogates are dropped by ``clean``
# (tfdrift_ci.textutil), shared with the CLI's one-line error messages.
from tfdrift_ci import textutil
from tfdrift_ci.textutil import clean  # re-exported: part of this module's API

runner_inert = textutil.runner_inert  # part of this module's API (see the module docstring)

_NEWLINES = re.compile(r"\r\n|\r|\n")
ZWSP = "\u200b"  # zero-width space: breaks mention/ref/autolink recognition without changing the look


def json_safe(text: str) -> str:
    """JSON text as written by ``json.dumps(ensure_ascii=False)`` made safe to show and to encode:
    bidi/C1 controls, line separators and lone surrogates written as ``\\uXXXX`` escapes, which
    decode to the same value; and the ``[`` of ``##[`` as ``\\u005b``, so that JSON printed in a
    GitHub Actions log runs no legacy workflow command (a ``::`` cannot start a line of JSON)."""
    s = _JSON_INVISIBLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    return s.replace("##[", "##\\u005b") if "##[" in s else s


_JSON_INVISIBLE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ud800-\udfff]"
)


def one_line(text: object, limit: int | None = None) -> str:
    """Cleaned, whitespace collapsed, optionally shortened with an ellipsis."""
    return textutil.one_line(text, limit)


# --------------------------------------------------------------------------------------------------
# terminal


def terminal(text: object, limit: int | None = None) -> str:
    """Safe to print on a terminal: no escape sequences, no controls, one line."""
    return one_line(text, limit)


# --------------------------------------------------------------------------------------------------
# Markdown (GitHub-flavoured)

# Everything GFM gives a meaning to inline (backslash-escapable ASCII punctuation that matters):
# code spans/fences (`~), emphasis (*_~), links/images ([]()!), tables (|), headings/refs (#),
# autolinks and HTML (<> as entities), escapes themselves (\), HTML entities (& as entity).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_BLOCK_START = re.compile(r"^(?:[-=](?=[-=\s]|$)|(\d{1,9})\.(?=\s|$))")
_MENTION = re.compile(r"@(?=[A-Za-z0-9_-])")  # @user, @org/team
# #12 is linked when it starts a word, and owner/repo#12 (or owner/repo.name#12) links into another
# repository, writing a backlink in its timeline: every # before a digit is broken (after escaping it
# reads \#12), whatever precedes it (awscrt#0.22 in a user agent loses nothing visible).
_ISSUE_REF = re.compile(r"\\#(?=\d)")
_GH_REF = re.compile(r"(?i)\bGH-(?=\d)")  # GH-12 is linked like #12
# https://, javascript:// (one start per run: linear)
_URL_SCHEME = re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*):(?=//)")
_WWW = re.compile(r"(?i)\bwww\.")
_JS_SCHEME = re.compile(r"(?i)\b(javascript|data|vbscript):")


def md(text: object, limit: int | None = None) -> str:
    """Inline Markdown text that renders as exactly the characters given, nothing more.

    One line (tables and list items cannot hold a line break); ``limit`` shortens before escaping,
    so an escape sequence is never cut in half.
    """
    s = one_line(text, limit)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    # A value can start a line (a list item's text): no list marker, thematic break or setext line.
    s = _BLOCK_START.sub(lambda m: "\\" + m.group(0) if m.group(1) is None else m.group(1) + "\\.", s)
    # GitHub turns @name into a ping and #12 into a link on text nodes, after Markdown; an invisible
    # character between the sigil and the name is the usual way to keep the text and drop the ping.
    s = _MENTION.sub("@" + ZWSP, s)
    s = _ISSUE_REF.sub("\\\\#" + ZWSP, s)
    s = _GH_REF.sub(lambda m: m.group(0) + ZWSP, s)
    # GFM autolinks bare URLs and www. hosts; a zero-width space keeps the text and drops the link.
    s = _URL_SCHEME.sub(lambda m: m.group(1) + ":" + ZWSP, s)
    s = _WWW.sub(lambda m: m.group(0)[:3] + ZWSP + ".", s)
    s = _JS_SCHEME.sub(lambda m: m.group(1) + ZWSP + ":", s)
    # What follows the value is not known here: another value, a digit of the template, or a line
    # break GitHub's text extraction joins. A closing # or @ would pair with it ("0:#" twice reads
    # "0:#0:#", a reference to #0).
    if s.endswith(("#", "@")):
        s += ZWSP
    return s


def md_code(text: object, limit: int | None = None) -> str:
    """An untrusted value shown in code style: ``<code>`` around escaped inline text.

    Not a backtick code span: a value can contain backticks and end the span early. Inside the
    ``<code>`` element Markdown is still parsed, so the value gets :func:`md` escaping.
    """
    return f"<code>{md(text, limit)}</code>"


# Break opportunities for long unbroken values (ARNs, image URIs, addresses) in a narrow table
# column: ``<wbr>`` (an HTML element GitHub's sanitizer keeps) after separators and every
# ``_WBR_RUN`` characters without one. Unlike a zero-width space it is not copied with the text.
_WBR_AFTER = frozenset("/:._-=,@|")
_WBR_RUN = 18
_MD_ATOM = re.compile(r"&(?:[A-Za-z]+|#\d+);|\\.|.", re.DOTALL)


def md_wrap(text: object, limit: int | None = None, *, camel: bool = False) -> str:
    """:func:`md` text that a table cell can wrap anywhere sensible: ``<wbr>`` is inserted between
    escaped atoms (never inside an entity or a backslash escape), after a separator or a long run,
    and with ``camel`` between words of a CamelCase name (``PutImage<wbr>ScanningConfiguration``)."""
    out: list[str] = []
    run = 0
    prev = ""
    for atom in _MD_ATOM.findall(md(text, limit)):
        if camel and atom.isupper() and prev.islower() and out and out[-1] != "<wbr>":
            out.append("<wbr>")
            run = 0
        prev = atom
        out.append(atom)
        if atom.isspace():
            run = 0
            continue
        run += 1
        if atom[-1] in _WBR_AFTER or run >= _WBR_RUN:
            out.append("<wbr>")
            run = 0
    return "".join(out)


def md_code_wrap(text: object, limit: int | None = None) -> str:
    """:func:`md_code` with the break opportunities of :func:`md_wrap`."""
    return f"<code>{md_wrap(text, limit)}</code>"


def md_block(text: object, limit: int | None = None, lang: str = "text") -> str:
    """Multi-line untrusted text (a policy document) as a fenced block that cannot be closed early.

    The fence is longer than any backtick run in the text (CommonMark §4.5); HTML is not parsed
    inside a fenced block, and mentions are not linked in code. Workflow commands are broken
    (:func:`runner_inert`): Markdown is printed to job logs too (``--format markdown``, ``cat``).
    """
    return _fenced(runner_inert(clean(text)), limit, lang)


def _fenced(s: str, limit: int | None, lang: str) -> str:
    """Cleaned text in a fence (no second ``clean``: it would drop the zero-width spaces callers
    inserted to break things)."""
    s = _NEWLINES.sub("\n", s)
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)] + "…"
    longest = max((len(m.group(0)) for m in re.finditer(r"`+", s)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{s}\n{fence}"


_COMMENT_OPEN = re.compile(r"<!--|-->")
_LINK_SCHEME = re.compile(r"(?i)\b(javascript|data|vbscript):")


def md_diff_block(text: object, limit: int | None = None) -> str:
    """A unified diff of untrusted documents as a ```diff block (:func:`md_block`). A fence already
    keeps it from rendering as markup; on top of that, text that tools scanning the raw comment could
    take for something else is broken with a zero-width space: an HTML comment opener or closer (the
    sticky comment's marker is one) and a script-link scheme (``javascript:``)."""
    s = runner_inert(clean(text))
    s = _COMMENT_OPEN.sub(lambda m: m.group(0)[:2] + ZWSP + m.group(0)[2:], s)
    s = _LINK_SCHEME.sub(lambda m: m.group(1) + ZWSP + ":", s)
    return _fenced(s, limit, "diff")


# --------------------------------------------------------------------------------------------------
# Mermaid (the PR comment's ```mermaid timeline)

# Mermaid's gantt lexer (packages/mermaid/src/diagrams/gantt/parser/gantt.jison) ends a task's text
# at ":" (then reads tags, ids and dates), skips "#…" and "%%…" to the end of the line as comments,
# treats ";" as a statement end, "%%{…}%%" as a directive and keywords (click, section, title,
# dateFormat, excludes …) at the start of a line as statements; a newline ends everything. Text is
# then rendered as SVG text, where markup must not appear either. So: one line, only characters with
# no meaning there kept, the few punctuation marks that have one replaced by look-alikes that do not.
_MERMAID_SWAP = {
    ":": "\u2236",  # ∶ RATIO
    "#": "\uff03",  # ＃
    ";": "\uff1b",  # ；
    "%": "\uff05",  # ％
    "&": "\uff06",  # ＆
    "<": "\u2039",  # ‹
    ">": "\u203a",  # ›
    "{": "(",
    "}": ")",
    '"': "'",
    "`": "'",
    "\\": "/",
}
_MERMAID_KEEP = frozenset(" ._@/()[]'+=,-*!?$~^|…·→")


def mermaid_text(text: object, limit: int | None = 60) -> str:
    """Untrusted text as a Mermaid gantt section name or task label (see the comment above): letters
    and digits (any script) and harmless punctuation kept, ``: # ; % & < > { } " ` \\`` swapped for
    look-alikes, anything else (controls, bidi, symbols) becomes ``_``. Never empty. Callers start a
    task label with their own text so that it cannot begin with a keyword."""
    s = one_line(text, limit)
    out = []
    for ch in s:
        if ch.isalnum() or ch in _MERMAID_KEEP:
            out.append(ch)
        else:
            out.append(_MERMAID_SWAP.get(ch, "_"))
    return "".join(out).strip() or "_"


# --------------------------------------------------------------------------------------------------
# GitHub workflow commands


def annotation_message(text: object) -> str:
    """Data part of ``::error …::DATA``: ``%``, CR and LF encoded (toolkit ``escapeData``), and no
    legacy ``##[command]`` (:func:`runner_inert`)."""
    s = runner_inert(clean(text))
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation_property(text: object) -> str:
    """A property value (``file=``, ``title=``): also ``:`` and ``,`` (toolkit ``escapeProperty``)."""
    return annotation_message(text).replace(":", "%3A").replace(",", "%2C")


# --------------------------------------------------------------------------------------------------
# SARIF


def sarif_text(text: object) -> str:
    """SARIF plain-text message: no controls; ``[`` ``]`` escaped so no embedded link can be formed."""
    s = clean(text)
    s = _NEWLINES.sub("\n", s)
    return s.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


# --------------------------------------------------------------------------------------------------
# HTML comment marker


def comment_marker_value(text: object) -> str:
    """A value inside ``<!-- … -->``: anything but ``[A-Za-z0-9._/+@=~-]`` percent-encoded (UTF-8), so
    the comment cannot be closed, hides no markup and stays a stable, unique key for the same root.
    ``--`` is encoded too (an HTML comment must not contain it)."""
    s = one_line(text)
    out = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._/+@=~") else _pct(ch) for ch in s)
    return out.replace("--", "-%2D") if "-" in out else out


def _pct(ch: str) -> str:
    if ch == "-":
        return "-"
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))


# --------------------------------------------------------------------------------------------------
# Chat alerts (tfdrift-ci sweep --notify)

_SLACK_MARKS = re.compile(r"([*_~`])")


def slack_text(text: object, limit: int | None = None) -> str:
    """One line of Slack ``mrkdwn`` that shows exactly the characters given: ``&``, ``<`` and ``>``
    as the HTML entities Slack asks for (they are what links and ``<!here>``/``<@U…>`` mentions are
    made of), a zero-width space after the formatting marks ``* _ ~ ` `` (mrkdwn has no backslash
    escape) and after ``@`` (no mention by name)."""
    s = one_line(text, limit)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _SLACK_MARKS.sub(lambda m: m.group(1) + ZWSP, s)
    return _MENTION.sub("@" + ZWSP, s)


def teams_text(text: object, limit: int | None = None) -> str:
    """One line for an Adaptive Card ``TextBlock`` (Teams renders a CommonMark subset there:
    https://learn.microsoft.com/en-us/adaptive-cards/authoring-cards/text-features): the same
    escaping as :func:`md` (backslash escapes, entities, no mention, no autolink)."""
    return md(text, limit)


# --------------------------------------------------------------------------------------------------
# GitLab (the merge request note, tfdrift_ci/gitlab)

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
# GitLab-only references, linked on text after Markdown like GitHub's #12 (which md() already breaks):
# !12 merge request, &12 epic (&amp;12 in our Markdown), $12 snippet, ~label / ~"label", %milestone /
# %"milestone" (not %2F: percent-encoding in link targets), *iteration:12.
# https://docs.gitlab.com/user/markdown/#gitlab-specific-references
_GITLAB_REF = re.compile(
    r"(\\?!|&amp;|&|\$)(?=\d)"
    r"|(\\?~)(?=[A-Za-z0-9_\"])"
    r"|(%)(?![0-9A-Fa-f]{2})(?=[A-Za-z_\"])"
    r"|(\\?\*iteration:)(?=\d)"
)
# A note line that starts with /word runs that quick action (/close, /merge, /approve, /assign …).
# https://docs.gitlab.com/user/project/quick_actions/
_QUICK_ACTION = re.compile(r"^(\s*)/(?=[A-Za-z])")


def gitlab_markdown(markdown: str) -> str:
    """Our GitHub-flavoured Markdown (values already escaped by :func:`md`) made safe to post as a
    GitLab note: GitLab-only references and quick actions are broken with a zero-width space, outside
    fenced code blocks and HTML comments (the sticky marker), where GitLab interprets neither."""
    out: list[str] = []
    fence: str | None = None
    protected = {m.start(): m.end() for m in _HTML_COMMENT.finditer(markdown)}
    pos = 0
    for line in markdown.splitlines(keepends=True):
        start, pos = pos, pos + len(line)
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            continue
        if any(s <= start and pos <= e for s, e in protected.items()):
            out.append(line)
            continue
        no_action = _QUICK_ACTION.sub(lambda q: q.group(1) + ZWSP + "/", line)
        out.append(_GITLAB_REF.sub(lambda r: r.group(0) + ZWSP, no_action))
    return "".join(out)


# --------------------------------------------------------------------------------------------------
# HCL (``tfdrift-ci fix`` writes values from CloudTrail into Terraform code)

# Escaped as \uXXXX inside an HCL string: C0/C1 controls, DEL, bidi controls and invisible
# separators (Trojan Source, CVE-2021-42574): the value stays the same, the code shows what it is.
_HCL_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
_HCL_SIMPLE = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def hcl_string(text: str) -> str:
    """A quoted HCL string whose value is ``text`` exactly: quotes and backslashes escaped,
    ``${``/``%{`` doubled so no value becomes an interpolation or a directive, controls and
    invisible characters as ``\\uXXXX``. A lone surrogate has no UTF-8 form: ValueError."""
    if _SURROGATE.search(text):
        raise ValueError("the value holds a lone surrogate (not valid Unicode)")
    s = re.sub(r"[\\\"\n\r\t]", lambda m: _HCL_SIMPLE[m.group(0)], text)
    s = s.replace("${", "$${").replace("%{", "%%{")
    return '"' + _HCL_INVISIBLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", s) + '"'


_SURROGATE = re.compile("[\ud800-\udfff]")
