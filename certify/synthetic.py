"""A synthetic connector spec of any size (benchmarks and tests of the harness)."""

from __future__ import annotations

PAGINATIONS = {
    "cursor": "{type: cursor, items: /data, cursor_param: after, next_cursor: /next}",
    "offset": "{type: offset, items: /data, offset_param: offset, total: /total}",
    "page": "{type: page, items: /data, page_param: page, limit_param: per_page, page_size: 2}",
    "link": "{type: link_header, items: /data}",
}


def synthetic_spec(operations: int, *, pagination: str = "cursor") -> str:
    """A valid spec with ``operations`` operations: reads, keyed writes, unsafe writes, lists.

    ``pagination`` is the YAML flow mapping of the list operations' strategy, or one of the
    shortcuts ``cursor``, ``offset``, ``page`` and ``link``.
    """
    strategy = PAGINATIONS.get(pagination, pagination)
    lines = [
        "apiVersion: flows.dev/v1",
        "kind: ConnectorSpec",
        "provider: {name: bench, version: 1.0.0, description: Synthetic benchmark connector.,"
        " docs_url: 'https://example.com/docs'}",
        "base_url: https://api.example.com",
        "auth: {type: bearer, secret: {env: BENCH_TOKEN}}",
        "transport: {retry: {max_attempts: 3, backoff_base: 0.5, backoff_cap: 4}}",
        "pagination:",
        f"  cursor: {strategy}",
        "capabilities:",
        "  - {name: 'bench.things:read'}",
        "  - {name: 'bench.things:write', implies: ['bench.things:read']}",
        "schemas:",
        "  Thing:",
        "    type: object",
        "    required: [id, name, size]",
        "    properties:",
        "      id: {type: string}",
        "      name: {type: string}",
        "      size: {type: integer}",
        "      created: {type: integer}",
        "  ThingList:",
        "    type: object",
        "    required: [data]",
        "    properties:",
        "      data: {type: array, items: {$ref: '#/schemas/Thing'}}",
        "      next: {type: [string, 'null']}",
        "      total: {type: integer}",
        "operations:",
    ]
    for index in range(operations):
        kind = index % 4
        if kind == 0:
            lines += [
                f"  - id: get_thing_{index}",
                "    resource: things",
                "    summary: Get a thing.",
                "    method: GET",
                f"    path: /v1/things{index}/{{thing}}",
                "    params: [{name: thing, in: path, required: true}]",
                "    response: {schema: {$ref: '#/schemas/Thing'}}",
                "    effects: read",
                "    determinism: {mode: stable, volatile: [/created]}",
                "    capabilities: ['bench.things:read']",
            ]
        elif kind == 1:
            lines += [
                f"  - id: create_thing_{index}",
                "    resource: things",
                "    summary: Create a thing.",
                "    method: POST",
                f"    path: /v1/things{index}",
                "    body: {schema: {type: object, required: [name],"
                " properties: {name: {type: string}}}}",
                "    response: {schema: {$ref: '#/schemas/Thing'}}",
                "    effects: write",
                "    determinism: {mode: stable, volatile: [/id, /created]}",
                "    idempotency: {kind: key, header: Idempotency-Key}",
                "    capabilities: ['bench.things:write']",
            ]
        elif kind == 2:
            lines += [
                f"  - id: notify_{index}",
                "    resource: notices",
                "    summary: Send a notice.",
                "    method: POST",
                f"    path: /v1/notices{index}",
                "    body: {schema: {type: object, required: [text],"
                " properties: {text: {type: string}}}}",
                "    response: {status: 202}",
                "    effects: write",
                "    determinism: {mode: strict}",
                "    idempotency: {kind: unsupported, reason: The notice API has no key at all.}",
                "    capabilities: ['bench.things:write']",
            ]
        else:
            lines += [
                f"  - id: list_things_{index}",
                "    resource: things",
                "    summary: List things.",
                "    method: GET",
                f"    path: /v1/things{index}",
                "    params: [{name: after, in: query}]",
                "    response: {schema: {$ref: '#/schemas/ThingList'}}",
                "    effects: read",
                "    determinism: {mode: nondeterministic}",
                "    pagination: cursor",
                "    capabilities: ['bench.things:read']",
            ]
    lines.append("waivers: [{rule: default.write-idempotency, reason: Synthetic benchmark only.}]")
    return "\n".join(lines) + "\n"
