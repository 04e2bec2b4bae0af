"""The catalog's fast spec reading cuts unused blocks; indentless YAML sequences stay whole."""

from __future__ import annotations

import yaml

from registry import catalog

SPEC = b"""\
# Harvested by 'flows harvest n8n' from n8n-nodes-base 1.0.0, node n8n-nodes-base.acme.
apiVersion: flows.dev/v1
kind: ConnectorSpec
provider:
  name: acme
  version: 0.1.0
base_url: https://api.acme.test
auth:
  type: none
operations:
- id: item_get
  resource: item
  summary: Get
  method: GET
  path: /items/{id}
  params:
  - name: id
    in: path
    required: true
  sources:
    n8n:
      node: n8n-nodes-base.acme
      type_versions:
      - 1.0
  effects: read
- id: item_create
  resource: item
  summary: Create
  method: POST
  path: /items
  effects: write
waivers:
- rule: default.write-idempotency
  reason: none
"""


def test_indentless_sequences_are_cut_with_their_block() -> None:
    fast = catalog._spec_facts(SPEC)
    full = catalog._spec_facts(b"# \n" + yaml.safe_dump(yaml.safe_load(SPEC)).encode())
    fast.pop("source")
    full.pop("source")
    assert fast == full
    assert [op["id"] for op in fast["operations"]] == ["item_get", "item_create"]


def test_the_cut_text_itself_parses_without_the_cut_blocks() -> None:
    # (a cut that broke the YAML would fall back to a full parse: right, but slow; one that
    # left a waiver behind appended it to the operations: wrong)
    cut = catalog._UNUSED_IN_OPERATION.sub(b"", catalog._UNUSED_TOP.sub(b"", SPEC))
    data = yaml.safe_load(cut)
    assert "waivers" not in data
    assert [sorted(op) for op in data["operations"]] == [
        ["effects", "id", "method", "path", "resource", "summary"]
    ] * 2
