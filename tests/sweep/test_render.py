"""Issue bodies and comments: every untrusted value stays text (the injection corpus, rendered the
way GitHub renders Markdown), bodies fit GitHub's limit and depend only on the record."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from injection_corpus import CORPUS
from mdcheck import ISSUE_REF, MENTION, OWN_TAGS, render_md

from tfdrift_ci.sweep import render
from tfdrift_ci.sweep.observe import Change
from tfdrift_ci.sweep.records import AttrState, Record, Value, decode_state, marker, record_from_json

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
IDS = sorted(CORPUS)


def hostile_record(value: str) -> Record:
    attr = AttrState(
        attribute=value, declared=Value.of(value), actual=Value.of({"policy": value}), status="active",
        time=T0, event_id=value, event_name=value, who=value, via=value, rule_id="TFD-DRIFT-001",
        severity="high", title=value, file=value, line=3, message=value, remediation=value, note=value,
    )  # fmt: skip
    gone = replace(attr, attribute=value + "2", status="set_back", actual=Value.of(value))
    return Record(
        key="0123456789abcdef0123", root=value, address=value, resource_type=value, status="open",
        attributes=(attr, gone), seen=((value, T0),),
    )  # fmt: skip


def hostile_change(value: str) -> Change:
    return Change(
        key="k", root=value, address=value, resource_type=value, kind="drift", attribute=value, time=T0,
        event_id=value, event_name=value, who=value, via=value, declared=value, actual=[value], rule_id="r",
        severity="high", title=value, message=value,
    )  # fmt: skip


def assert_inert(markdown: str, *, comments: int = 0) -> None:
    """Rendered as GitHub does: only the templates' own tags (and the fenced blocks' language class),
    no link, no event handler, no mention or issue reference, intact tables, ``comments`` hidden
    lines (tests/report/mdcheck.py has the same checks for the PR comment)."""
    r = render_md(markdown)
    assert not sorted(set(r.tags) - OWN_TAGS), sorted(set(r.tags) - OWN_TAGS)
    assert r.gfm_links == [], r.gfm_links
    # linkify-it also links bare domains ("file=evil.tf"); GitHub does not (gfm_links is empty).
    attrs = {(tag, name) for tag, name, _ in r.attrs}
    assert attrs <= {("code", "class"), ("a", "href")}, r.attrs
    assert {v for t, n, v in r.attrs if t == "code"} <= {"language-text", "language-diff"}
    assert not MENTION.search(r.text), MENTION.search(r.text)
    assert not ISSUE_REF.search(r.text), ISSUE_REF.search(r.text)
    assert all(cells == header for cells, header in r.rows)
    assert len(r.comments) == comments, r.comments
    assert r.tags.count("details") == r.tags.count("summary")
    assert "h1" not in r.tags and "h2" not in r.tags


@pytest.mark.parametrize("key", IDS)
def test_issue_bodies_and_comments_are_inert(key: str) -> None:
    record = hostile_record(CORPUS[key])
    body = render.body(record)
    assert body.startswith(marker(record.key) + "\n")
    # Two hidden lines (marker and state), nothing else hidden, no link, mention or foreign tag.
    assert_inert(body, comments=2)
    assert record_from_json(decode_state(body)) == record
    assert "\n" not in render.title(record)
    for kind in ("update", "reopen", "close"):
        for text in render.comments(kind, record, [hostile_change(CORPUS[key])] * 12, record.attributes):
            assert_inert(text)
    assert_inert(render.summary_body([record], cap=3).split("\n", 2)[2])


def test_the_revert_command_quotes_what_the_shell_would_read() -> None:
    record = hostile_record("x")
    assert render.target(replace(record, root=".", address='aws_ecr_repository.this["a"]')) == (
        "terraform apply -target='aws_ecr_repository.this[\"a\"]'"
    )
    assert render.target(replace(record, root="live/prod", address="a.b")) == (
        "terraform -chdir=live/prod apply -target='a.b'"
    )
    assert render.target(replace(record, root="it's $(x)", address="a.b['it''s']")) == (
        "terraform -chdir='it'\\''s $(x)' apply -target='a.b['\\''it'\\'''\\''s'\\'']'"
    )


def test_a_body_depends_only_on_its_record_and_fits_githubs_limit() -> None:
    record = hostile_record("value")
    assert render.body(record) == render.body(record)
    huge = "x" * 7_000
    many = tuple(replace(record.attributes[0], attribute=f"a{i}", message=huge) for i in range(40))
    body = render.body(replace(record, attributes=many))
    assert len(body) <= render.BODY_LIMIT
    assert record_from_json(decode_state(body)) is not None  # the state line is never cut


def test_comments_beyond_the_cap_are_gathered_in_one() -> None:
    record = hostile_record("v")
    changes = [replace(hostile_change("v"), event_id=f"e{i}") for i in range(13)]
    texts = render.comments("update", record, changes, ())
    assert len(texts) == render.COMMENTS_PER_ISSUE + 1
    assert texts[-1].startswith("… and 3 more changes in this sweep:")


def test_a_huge_summary_keeps_what_fits_and_says_so() -> None:
    record = hostile_record("v")
    many = [
        replace(
            record,
            key=f"{i:020d}",
            address=f"aws_ecr_repository.r{i}",
            attributes=(
                replace(record.attributes[0], message=hashlib.sha512(str(i).encode()).hexdigest() * 20),
            ),
        )
        for i in range(400)
    ]
    body = render.summary_body(many, cap=20)
    assert len(body) <= render.BODY_LIMIT
    kept = decode_state(body)["pending"]
    assert 0 < len(kept) < 400
    assert [k["address"] for k in kept] == [f"aws_ecr_repository.r{i}" for i in range(len(kept))]
    assert f"… and {400 - render.SUMMARY_ROWS} more." in body
    assert f"The last {400 - len(kept)} of these" in body
