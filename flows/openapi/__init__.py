"""OpenAPI descriptions into ConnectorSpecs: ``flows import openapi`` and ``flows harvest openapi``.

The reading and mapping live in :mod:`connector_spec.openapi` (shared with certification);
this package writes files, walks catalogs and reports.
"""
