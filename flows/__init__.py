"""flows: turn API connector specs into certified, signed, reusable connectors.

The CLI (:mod:`flows.cli`) is thin; the publish pipeline, the Flow IR and the n8n importer
live in this package, on top of :mod:`connector_spec`, :mod:`certify` and :mod:`registry`.
The library API (``from flows import validate, generate, certify, publish_connector, ...``) is in
:mod:`flows.api` and documented in ``docs/api.md``.
"""

from flows.api import (
    build_site,
    certify,
    generate,
    import_n8n,
    lock,
    open_registry,
    publish_connector,
    pull,
    search,
    show,
    validate,
    verify,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "build_site",
    "certify",
    "generate",
    "import_n8n",
    "lock",
    "open_registry",
    "publish_connector",
    "pull",
    "search",
    "show",
    "validate",
    "verify",
]
