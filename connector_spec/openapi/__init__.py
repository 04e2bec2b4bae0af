"""The shared OpenAPI 3.0/3.1 reader (used by ``flows import openapi`` and by certification).

Stable API::

    from connector_spec.openapi import load_openapi, parse_openapi, bundle_schema

    doc = load_openapi("petstore.yaml")         # OpenApiError (exit 2, located) on bad input
    doc.openapi_version, doc.api_version, doc.title, doc.sha256, doc.source, doc.data
    doc.servers, doc.security, doc.security_schemes()   # {name: Resolved(value, pointer)}
    doc.component_map("schemas")                 # raw components.<kind>
    doc.resolve(value, pointer)                  # follow $ref chains → Resolved(value, pointer)
    doc.lookup("#/components/schemas/Pet")       # one reference → Resolved
    doc.at("/paths/~1pets/get")                  # value at a JSON pointer
    for op in doc.operations():                  # OperationView, in document order
        op.method, op.path, op.pointer, op.operation_id, op.tags, op.summary, op.deprecated
        op.parameters      # ParameterView(name, location, required, schema, pointer, ...)
        op.request_body    # RequestBodyView(required, content=(MediaTypeView, ...), pointer)
        op.responses       # ResponseView(status "200"/"2XX"/"default", content, headers, ...)
        op.security, op.servers   # the operation's own (None: the document's apply)
        op.problems        # Problem(pointer, message): parts that could not be read
    bundle_schema(doc, schema)                   # self-contained draft 2020-12 JSON Schema

Schemas in views are left as written (they may hold ``$ref``s, possibly recursive); resolve
them with :meth:`OpenApiDocument.resolve` one step at a time or bundle them. Reading is bounded
(:data:`MAX_DESCRIPTION_BYTES`, nesting depth, YAML aliases); Swagger 2.0 is refused with a
hint to convert it. Only references inside the document are resolved (no file or network
access): any other is a :class:`RefError`, reported per operation as a ``Problem``.
"""

from connector_spec.openapi.document import OpenApiDocument, load_openapi, parse_openapi
from connector_spec.openapi.operations import HTTP_METHODS
from connector_spec.openapi.pointer import escape as escape_pointer_token
from connector_spec.openapi.pointer import join as join_pointer
from connector_spec.openapi.schemas import bundle_schema, local_refs
from connector_spec.openapi.source import MAX_DESCRIPTION_BYTES, OpenApiError, RefError
from connector_spec.openapi.views import (
    MediaTypeView,
    OperationView,
    ParameterView,
    PathItemView,
    Problem,
    RequestBodyView,
    Resolved,
    ResponseView,
)

__all__ = [
    "HTTP_METHODS",
    "MAX_DESCRIPTION_BYTES",
    "MediaTypeView",
    "OpenApiDocument",
    "OpenApiError",
    "OperationView",
    "ParameterView",
    "PathItemView",
    "Problem",
    "RefError",
    "RequestBodyView",
    "Resolved",
    "ResponseView",
    "bundle_schema",
    "escape_pointer_token",
    "join_pointer",
    "load_openapi",
    "local_refs",
    "parse_openapi",
]
