"""Terraform's module version constraints: ``version = "~> 5.0"``, ``">= 1.2, < 2.0"``, ``"= 1.0.0"``.

Terraform's rules, not PEP 440's (``~>`` is not ``~=``):
https://developer.hashicorp.com/terraform/language/expressions/version-constraints

- ``=`` (or no operator) is an exact version; a partial one (``= 1.2``) accepts any ``1.2.x``;
- ``!=``, ``>``, ``>=``, ``<``, ``<=`` compare with missing parts as zero;
- ``~>`` allows only the right-most given part to grow: ``~> 1.2`` is ``>= 1.2.0, < 2.0.0``,
  ``~> 1.2.0`` is ``>= 1.2.0, < 1.3.0``, ``~> 1`` is ``>= 1.0.0, < 2.0.0``;
- a pre-release (``1.3.0-beta1``) is selected only when an exact constraint names it: inexact
  operators never match one, and no constraint means the newest release.

Versions order as semantic versions (https://semver.org/#spec-item-11); build metadata is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tfdrift_ci.frozen import frozen

_VERSION = re.compile(
    r"^v?(?P<parts>\d+(?:\.\d+){0,2})(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+(?P<meta>[0-9A-Za-z.-]+))?$"
)
_CONSTRAINT = re.compile(r"^\s*(?P<op>~>|>=|<=|!=|=|>|<)?\s*(?P<version>\S+)\s*$")


class ConstraintError(ValueError):
    """A version or constraint Terraform would reject."""


@frozen
class Version:
    major: int
    minor: int
    patch: int
    pre: tuple[str, ...] = ()
    given: int = 3  # how many numeric parts were written (constraints: "1.2" has 2)
    text: str = ""

    @property
    def prerelease(self) -> bool:
        return bool(self.pre)

    def key(self) -> tuple[object, ...]:
        # a release sorts after its pre-releases; numeric identifiers sort numerically and before
        # alphanumeric ones
        pre: tuple[object, ...] = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.pre)
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre)

    def __str__(self) -> str:
        return self.text or ".".join(str(p) for p in (self.major, self.minor, self.patch))


def parse_version(text: str) -> Version:
    m = _VERSION.match(text.strip())
    if m is None:
        raise ConstraintError(f"not a version: {text.strip()[:40]!r}")
    nums = [int(p) for p in m.group("parts").split(".")]
    given = len(nums)
    nums += [0] * (3 - given)
    pre = tuple(m.group("pre").split(".")) if m.group("pre") else ()
    return Version(nums[0], nums[1], nums[2], pre, given, text.strip().removeprefix("v"))


@frozen
class _Term:
    op: str
    version: Version

    def matches(self, v: Version) -> bool:
        c = self.version
        if self.op in ("=", "!="):
            same = _equal(c, v)
            return same if self.op == "=" else not same
        if v.prerelease:
            return False  # inexact operators never select a pre-release
        if self.op == "~>":
            lower = c.key()
            upper = (c.major + 1, 0, 0, 0, ()) if c.given <= 2 else (c.major, c.minor + 1, 0, 0, ())
            return lower <= v.key() < upper
        k, ck = v.key(), c.key()
        return {">": k > ck, ">=": k >= ck, "<": k < ck, "<=": k <= ck}[self.op]


def _equal(c: Version, v: Version) -> bool:
    if c.prerelease or v.prerelease:
        return c.key() == v.key() and c.given == 3
    parts = (v.major, v.minor, v.patch)[: c.given]
    return parts == (c.major, c.minor, c.patch)[: c.given]


@frozen
class Constraint:
    terms: tuple[_Term, ...]
    text: str

    @property
    def exact(self) -> Version | None:
        """The one version an exact constraint (``1.2.3`` / ``= 1.2.3``) names, else None: such a
        version never needs the registry's version list again once cached."""
        if len(self.terms) == 1 and self.terms[0].op == "=" and self.terms[0].version.given == 3:
            return self.terms[0].version
        return None

    def matches(self, v: Version) -> bool:
        if v.prerelease and not any(t.op == "=" and _equal(t.version, v) for t in self.terms):
            return False
        return all(t.matches(v) for t in self.terms)


ANY = Constraint((), "")


def parse_constraint(text: str | None) -> Constraint:
    """``None`` or "" means any release."""
    if text is None or not text.strip():
        return ANY
    terms: list[_Term] = []
    for part in text.split(","):
        m = _CONSTRAINT.match(part)
        if m is None:
            raise ConstraintError(f"invalid version constraint {text.strip()[:80]!r}")
        terms.append(_Term(m.group("op") or "=", parse_version(m.group("version"))))
    return Constraint(tuple(terms), text.strip())


def newest(versions: Iterable[str], constraint: Constraint) -> str | None:
    """The newest of ``versions`` (as the registry lists them) that meets ``constraint``; versions that
    do not parse are skipped, as Terraform skips them."""
    best: tuple[tuple[object, ...], str] | None = None
    for text in versions:
        try:
            v = parse_version(text)
        except ConstraintError:
            continue
        if v.given != 3 or not constraint.matches(v):
            continue
        if best is None or v.key() > best[0]:
            best = (v.key(), text)
    return best[1] if best else None
