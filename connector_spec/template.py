"""A commented starting ConnectorSpec for a new provider (``flows template connector NAME``).

The rendered text is a valid spec as is (a test loads it), so a new author starts from
something that passes ``flows spec validate`` and edits it step by step.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from connector_spec.errors import InputError
from connector_spec.model import SLUG_PATTERN
from connector_spec.schema_export import SCHEMA_ID, write_text_atomically

_TEMPLATE = Template(
    """\
# yaml-language-server: $$schema=$schema_id
# A ConnectorSpec for $name. Every field is documented in docs/spec.md; check your edits with
#   flows spec validate connector.yaml
apiVersion: flows.dev/v1
kind: ConnectorSpec
provider:
  name: $name                  # safe slug; the generated package is flows_$python_name
  version: 0.1.0                # semver; 'flows spec diff' tells you the minimum next bump
  display_name: $display_name
  description: One sentence on what this connector does.  # TODO
  docs_url: https://docs.example.com/api  # TODO: the provider's API reference
  maintainers:
    - name: Your Name          # TODO
  license: Apache-2.0
# HTTPS only. Use {variables} for tenant hosts or regions, e.g. https://{tenant}.example.com
base_url: https://api.example.com  # TODO
# variables:
#   tenant: {kind: host, description: Your account's subdomain.}
# environments:
#   sandbox: {base_url: "https://sandbox.example.com"}
auth:
  # none | api_key | bearer | basic | oauth2_client_credentials | oauth2_refresh_token.
  # Secrets are referenced by name ({env: VAR} or {store: key}), never written inline.
  type: bearer
  secret: {env: $env_prefix}
transport:
  timeouts: {connect: 5, read: 30}
  # rate_limit: {requests: 10, window_seconds: 1}
  retry:
    max_attempts: 3
    backoff_base: 0.5
    backoff_cap: 30
    jitter: full
    retry_statuses: [429, 500, 502, 503, 504]
pagination:
  # cursor | offset | page | link_header
  default_list:
    type: cursor
    items: /data                # JSON pointer to the page's items
    cursor_param: cursor
    next_cursor: /next_cursor   # JSON pointer to the next cursor in the response
    limit_param: limit
    page_size: 100
# One hierarchy per provider: a write capability implies the matching read.
capabilities:
  - name: $name.items:read
    description: Read items.
  - name: $name.items:write
    description: Create items.
    implies: [$name.items:read]
# Reusable schemas (a JSON Schema subset), referenced as {$$ref: "#/schemas/Name"}.
schemas:
  Item:
    type: object
    required: [id, name]
    properties:
      id: {type: string}
      name: {type: string}
      created: {type: integer, description: Unix timestamp.}
operations:
  - id: list_items
    resource: items
    summary: List items.
    method: GET
    path: /v1/items
    params:
      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      - {name: cursor, in: query}
    response:
      schema:
        type: object
        required: [data]
        properties:
          data: {type: array, items: {$$ref: "#/schemas/Item"}}
          next_cursor: {type: [string, "null"]}
    effects: read               # none | read | write | delete
    determinism: {mode: nondeterministic}  # strict | stable (list volatile) | nondeterministic
    pagination: default_list
    capabilities: [$name.items:read]
  - id: get_item
    resource: items
    summary: Retrieve one item by id.
    method: GET
    path: /v1/items/{item_id}
    params:
      - {name: item_id, in: path, required: true}
    response: {schema: {$$ref: "#/schemas/Item"}}
    errors:
      - {status: 404, description: No such item.}
    effects: read
    determinism: {mode: strict}
    capabilities: [$name.items:read]
  - id: create_item
    resource: items
    summary: Create an item.
    method: POST
    path: /v1/items
    body:
      encoding: json            # json | form
      schema:
        type: object
        required: [name]
        properties:
          name: {type: string, minLength: 1}
    response: {status: 201, schema: {$$ref: "#/schemas/Item"}}
    effects: write
    determinism: {mode: stable, volatile: [/id, /created]}
    # Required for write and delete: key (a header the provider deduplicates by),
    # natural (idempotent by its target) or unsupported (with a written reason).
    idempotency: {kind: key, header: Idempotency-Key, ttl_seconds: 86400}
    capabilities: [$name.items:write]
"""
)


def _check_name(name: str) -> None:
    if not (2 <= len(name) <= 64 and re.fullmatch(SLUG_PATTERN, name)):
        raise InputError(
            f"{name!r} is not a valid provider name",
            hint="use a lowercase slug of 2-64 characters such as 'acme' or 'acme-crm' "
            "(letters, digits, single '-' or '_' between them, starting with a letter)",
        )


def render_template(name: str) -> str:
    """A commented starting spec for provider ``name``; it validates as is.

    Raises :class:`InputError` (exit 2) when ``name`` is not a provider slug.
    """
    _check_name(name)
    python_name = name.replace("-", "_")
    return _TEMPLATE.substitute(
        schema_id=SCHEMA_ID,
        name=name,
        python_name=python_name,
        display_name=name.replace("-", " ").replace("_", " ").title(),
        env_prefix=python_name.upper() + "_API_TOKEN",
    )


def write_template(name: str, out: str | Path) -> Path:
    """Write the starting spec for ``name`` to ``out``; never overwrites an existing file."""
    text = render_template(name)
    return write_text_atomically(out, text, overwrite=False)
