"""Semantic versions: the one place flows parses, orders and compares them (``semver`` library).

The spec model, ``flows spec diff``, the registry and the Flow IR catalog all use this module,
so a version one of them accepts the others accept too (``1.0.0-01`` is refused everywhere:
numeric pre-release parts have no leading zeros) and they order pre-releases alike.
"""

from __future__ import annotations

from typing import Literal

import semver

SEMVER_PATTERN = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
"""semver.org's regular expression, for JSON Schema ``pattern`` (the library's grammar)."""

Version = semver.Version
Bump = Literal["major", "minor", "patch"]


def parse_version(text: str) -> semver.Version:
    """Parse a SemVer 2.0 version; raise ``ValueError`` when ``text`` is not one."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a semantic version")
    return semver.Version.parse(text)


def is_version(text: str) -> bool:
    """True when ``text`` is a SemVer 2.0 version."""
    try:
        parse_version(text)
    except ValueError:
        return False
    return True


def version_key(text: str) -> semver.Version:
    """Sort key with SemVer 2.0 precedence (build metadata ignored); ``ValueError`` if invalid."""
    return parse_version(text)


def next_version(text: str, bump: Bump) -> str:
    """The next version after ``text`` for ``bump`` (from a pre-release, its release may do)."""
    return str(parse_version(text).next_version(bump))


def compatible(wanted: str, available: str) -> bool:
    """True when ``available`` can stand in for ``wanted`` (npm's caret rule, ``^wanted``).

    Same major version (same minor too below 1.0.0) and not lower than ``wanted`` by SemVer
    precedence. A pre-release is compatible only with a wanted version of the same
    ``MAJOR.MINOR.PATCH`` that is itself a pre-release: a release never silently resolves to
    a pre-release. Invalid versions are compatible only when equal.
    """
    try:
        want, have = parse_version(wanted), parse_version(available)
    except ValueError:
        return wanted == available
    if have < want or have.major != want.major:
        return False
    if want.major == 0 and have.minor != want.minor:
        return False
    if have.prerelease is not None:
        same_release = (have.major, have.minor, have.patch) == (want.major, want.minor, want.patch)
        return same_release and want.prerelease is not None
    return True
