"""flows: turn API connector specs into certified, signed, reusable connectors.

The CLI (:mod:`flows.cli`) is thin; the publish pipeline, the Flow IR and the n8n importer
live in this package, on top of :mod:`connector_spec`, :mod:`certify` and :mod:`registry`.
"""

__version__ = "0.1.0"
