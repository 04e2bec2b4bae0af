"""The signed, file-backed connector registry: publish, yank, verify, search, show, pull.

Write side: :class:`Registry` (``init``/``open``/``publish``/``yank``/``rotate_key``).
Read side: :func:`open_reader` gives a :class:`RegistryReader` over a directory, ``file://``
or HTTP(S) URL; :func:`search`, :func:`show` and :func:`pull` verify before they answer.
"""

from __future__ import annotations

from registry.errors import PublishRefused, RegistryInputError, VerificationFailed
from registry.publish import Publication, PublishResult, Registry
from registry.query import open_reader, pull, search, show
from registry.signing import KeylessSigner, OfflineSigner, StatementSigner
from registry.verify import RegistryReader, VerifyReport

__all__ = [
    "KeylessSigner",
    "OfflineSigner",
    "Publication",
    "PublishRefused",
    "PublishResult",
    "Registry",
    "RegistryInputError",
    "RegistryReader",
    "StatementSigner",
    "VerificationFailed",
    "VerifyReport",
    "open_reader",
    "pull",
    "search",
    "show",
]
