"""Byte-level fast path for CloudTrail trail files: find the few wanted records without decoding the
whole ``{"Records": [...]}`` document.

A trail file holds hundreds of records of which typically 1-2% are ECR/ECS writes; ``json.loads`` of
the whole file is most of the cost of scanning trail logs (bench/README.md). CloudTrail writes its
files compactly with ``eventVersion`` first in every record
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html), so
each record starts with the bytes ``{"eventVersion":`` — which cannot occur inside a JSON string,
where quotes are escaped. The fast path:

1. checks the file has that shape (``{"Records":[{"eventVersion":…`` … ``]}``) and that every record
   has exactly one plain ``"eventName":"`` and ``"eventSource":"`` (so no record that the full path
   would call malformed is skipped unseen);
2. finds the wanted event names with one regular expression over the bytes;
3. decodes only the records around those matches, and hands them to the same ``Selector.select``.

Whenever anything is not as expected — another layout, a pretty-printed file, an escaped event
name, a record boundary that does not decode — it returns None and the caller decodes the whole
file as before. The result is therefore the full path's result; tests compare the two.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

_PREFIX = b'{"Records":[{"eventVersion":'
_MARK = b'{"eventVersion":'
_NEXT = b',{"eventVersion":'
_NAME = b'"eventName":"'
_SOURCE = b'"eventSource":"'
# an eventName value with \u escapes could spell a wanted name the regex below would not see, so
# then decode everything (other escapes cannot: API names are letters and digits)
_ESCAPED_NAME = re.compile(rb'"eventName":"[^"\\]*\\u')


@functools.lru_cache(maxsize=32)
def _wanted_names(names: frozenset[str]) -> re.Pattern[bytes]:
    alternatives = b"|".join(re.escape(n.encode()) for n in sorted(names, key=len, reverse=True))
    return re.compile(rb'"eventName":"(?:' + alternatives + rb')"')


def candidate_records(body: bytes, event_names: frozenset[tuple[str, str]]) -> tuple[int, list[Any]] | None:
    """(records in the file, decoded records whose eventName is wanted), or None when the file is not
    a plain compact trail file and must be decoded whole. ``body`` is the decompressed payload with
    leading whitespace/BOM already stripped."""
    if not body.startswith(_PREFIX):
        return None
    end = len(body)
    while end and body[end - 1] in b" \t\r\n":  # rstrip() would copy the whole file
        end -= 1
    if body[end - 2 : end] != b"]}":
        return None
    end -= 2  # the records array's content is body[len(b'{"Records":['):end]
    records = body.count(_MARK)
    if body.count(_NAME) != records or body.count(_SOURCE) != records:
        return None
    if b"\\u" in body and _ESCAPED_NAME.search(body):
        return None
    # The last record must decode on its own: that proves the array (and the document) ends there.
    if not isinstance(_decode(body[body.rfind(_MARK) : end]), dict):
        return None
    names = frozenset(n for _, n in event_names)
    chunks: list[bytes] = []
    starts: set[int] = set()
    for match in _wanted_names(names).finditer(body):
        start = body.rfind(_MARK, 0, match.start())
        if start in starts:
            continue
        starts.add(start)
        stop = body.find(_NEXT, match.end())
        chunks.append(body[start : stop if stop != -1 else end])
    if not chunks:
        return records, []
    # One document for all candidates: json shares the key strings between its records (memory),
    # and a chunk that is not exactly one record makes the whole array fail to decode (fallback).
    found = _decode(b"[" + b",".join(chunks) + b"]")
    if (
        not isinstance(found, list)
        or len(found) != len(chunks)
        or not all(isinstance(r, dict) for r in found)
    ):
        return None
    return records, found


def _decode(chunk: bytes) -> Any:
    try:
        return json.loads(chunk)
    except (ValueError, RecursionError):
        return None
