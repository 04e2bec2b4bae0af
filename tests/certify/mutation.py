"""Mutation testing of certification: realistic client bugs, each of which must fail a check.

A mutant is one edit of a generated package's own runtime copy (or of its generated client):
the kind of bug a runtime change could bring in. :func:`run_mutant` regenerates the target
connector in a scratch folder, applies the edit, certifies it and says whether a check other
than ``codegen.reproducible`` (which any edit fails) caught it. ``tests/certify/
test_mutation.py`` runs a fast subset; ``benchmarks/bench_mutation.py`` runs them all and
prints the kill rate.

The targets are the seed connectors and ``COVERAGE``: a small connector that has what the
seeds lack (offset, page-number and link pagination, environments, a server variable with an
enum, a capped backoff, a header parameter).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from certify import certify_connector
from connector_spec.codegen import generate_to_directory

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {
    "stripe": "flows_stripe",
    "slack": "flows_slack",
    "sendgrid": "flows_sendgrid",
    "coverage": "flows_coverage",
}
STALE = "codegen.reproducible"

COVERAGE = """\
apiVersion: flows.dev/v1
kind: ConnectorSpec
provider:
  name: coverage
  version: 0.1.0
  description: A widget API that uses every feature the mutation run needs.
  docs_url: https://example.com/docs
base_url: https://{region}.api.example.com/v2
variables:
  region: {kind: region, default: us, enum: [us, eu]}
environments:
  sandbox: {base_url: 'https://sandbox.example.com/v2'}
  europe: {variables: {region: eu}}
auth: {type: api_key, in: header, name: X-Api-Key, secret: {env: COVERAGE_KEY}}
transport:
  timeouts: {connect: 3, read: 20}
  rate_limit: {requests: 5, window_seconds: 2}
  retry: {max_attempts: 4, backoff_base: 1, backoff_cap: 2, jitter: full}
pagination:
  by_offset: {type: offset, items: /data, offset_param: offset, limit_param: limit, page_size: 2}
  by_page: {type: page, items: /data, page_param: page, total_pages: /pages}
  by_link: {type: link_header, items: /data}
capabilities:
  - name: coverage.widgets:read
  - name: coverage.widgets:write
    implies: [coverage.widgets:read]
schemas:
  Widget:
    type: object
    required: [id, name, count]
    properties:
      id: {type: string}
      name: {type: string}
      count: {type: integer}
  WidgetPage:
    type: object
    required: [data]
    properties:
      data: {type: array, items: {$ref: '#/schemas/Widget'}}
      pages: {type: integer}
operations:
  - id: get_widget
    resource: widgets
    summary: One widget.
    method: GET
    path: /widgets/{id}
    params:
      - {name: id, in: path, required: true}
      - {name: verbose, in: query, schema: {type: boolean}}
      - {name: X-Trace, in: header}
    response: {schema: {$ref: '#/schemas/Widget'}}
    effects: read
    determinism: {mode: strict}
    capabilities: [coverage.widgets:read]
  - id: create_widget
    resource: widgets
    summary: Create a widget.
    method: POST
    path: /widgets
    body:
      schema:
        type: object
        required: [name]
        properties:
          name: {type: string}
          count: {type: integer, minimum: 0}
          enabled: {type: boolean}
    response: {status: 201, schema: {$ref: '#/schemas/Widget'}}
    effects: write
    determinism: {mode: stable, volatile: [/id]}
    idempotency: {kind: key, header: Idempotency-Key}
    capabilities: [coverage.widgets:write]
"""
for _strategy, _path in (("by_offset", "offset"), ("by_page", "pages"), ("by_link", "linked")):
    COVERAGE += f"""\
  - id: list_widgets_{_path}
    resource: widgets
    summary: List widgets.
    method: GET
    path: /widgets/{_path}
    params:
      - {{name: color, in: query}}
      - {{name: active, in: query, schema: {{type: boolean}}}}
    response: {{schema: {{$ref: '#/schemas/WidgetPage'}}}}
    effects: read
    determinism: {{mode: nondeterministic}}
    pagination: {_strategy}
    capabilities: [coverage.widgets:read]
"""


@dataclass(frozen=True)
class Mutant:
    """One realistic bug: replace ``old`` by ``new`` in ``file`` of ``target``'s package."""

    name: str
    family: str
    target: str  # a seed provider or "coverage"
    file: str  # relative to the package folder, e.g. "_runtime/retry.py" or "client.py"
    old: str
    new: str
    kills: str  # the check (id or prefix) expected to catch it


E, R, P = "_runtime/engine.py", "_runtime/retry.py", "_runtime/pagination.py"
S = "_runtime/servers.py"

MUTANTS: list[Mutant] = [
    # ---- whole retry sequences
    Mutant(
        "retry 5xx without bound",
        "retry",
        "stripe",
        R,
        "if attempt >= settings.max_attempts or status not in settings.retry_statuses:",
        "if status not in settings.retry_statuses:",
        "contract.server_exhausted",
    ),
    Mutant(
        "retry timeouts without bound",
        "retry",
        "stripe",
        R,
        "    if attempt >= settings.max_attempts:\n        return STOP\n    if may_have",
        "    if may_have",
        "contract.timeout_exhausted",
    ),
    Mutant(
        "one attempt more than max_attempts",
        "retry",
        "stripe",
        R,
        "if attempt >= settings.max_attempts or",
        "if attempt > settings.max_attempts or",
        "contract.server_exhausted",
    ),
    Mutant(
        "Retry-After honoured on 429 only",
        "retry",
        "stripe",
        R,
        "if settings.honour_retry_after and retry_after is not None:",
        "if settings.honour_retry_after and retry_after is not None and status == 429:",
        "contract.retry_after_503",
    ),
    Mutant(
        "jitter on the first wait only",
        "retry",
        "stripe",
        R,
        'if settings.jitter == "full":',
        'if settings.jitter == "full" and attempt == 1:',
        "contract.server_exhausted",
    ),
    Mutant(
        "no jitter at all",
        "retry",
        "coverage",
        R,
        "return float(rng.uniform(0.0, ceiling))",
        "return ceiling",
        "contract.server_exhausted",
    ),
    Mutant(
        "backoff never doubles",
        "retry",
        "stripe",
        R,
        "settings.backoff_base * (2.0 ** (attempt - 1))",
        "settings.backoff_base",
        "contract.server_exhausted",
    ),
    Mutant(
        "backoff exponent off by one",
        "retry",
        "coverage",
        R,
        "(2.0 ** (attempt - 1))",
        "(2.0**attempt)",
        "contract.server_exhausted",
    ),
    Mutant(
        "backoff ignores its cap",
        "retry",
        "coverage",
        R,
        "ceiling = min(settings.backoff_cap, settings.backoff_base * (2.0 ** (attempt - 1)))",
        "ceiling = settings.backoff_base * (2.0 ** (attempt - 1))",
        "contract.server_exhausted",
    ),
    Mutant(
        "HTTP-date Retry-After ignored",
        "retry",
        "slack",
        R,
        "    return max(0.0, when.timestamp() - now)",
        "    return None",
        "contract.retry_after_date",
    ),
    # ---- generic 4xx
    Mutant(
        "4xx returned as success",
        "4xx",
        "sendgrid",
        E,
        "if 200 <= status < 300:",
        "if 200 <= status < 300 or status in (400, 404, 409, 422):",
        "contract.client_",
    ),
    Mutant(
        "404 returns None",
        "4xx",
        "stripe",
        E,
        "        else:\n            error = self._error(ClientError, op, response, attempt,",
        "        elif status == 404:\n            return STOP, None\n"
        "        else:\n            error = self._error(ClientError, op, response, attempt,",
        "contract.client_404",
    ),
    Mutant(
        "400 retried",
        "4xx",
        "slack",
        R,
        "or status not in settings.retry_statuses:",
        "or (status not in settings.retry_statuses and status != 400):",
        "contract.client_400",
    ),
    # ---- falsy, reserved and unicode arguments, path escaping
    Mutant(
        "False dropped from the query",
        "arguments",
        "slack",
        E,
        "    for key, value in query.items():\n        if value is None:",
        "    for key, value in query.items():\n        if not value:",
        "contract.arguments_falsy",
    ),
    Mutant(
        "falsy values dropped from a form",
        "arguments",
        "stripe",
        E,
        "        if value is None:\n            continue\n        if isinstance(value, dict):",
        "        if not value:\n            continue\n        if isinstance(value, dict):",
        "contract.arguments_falsy",
    ),
    Mutant(
        "falsy arguments treated as unset",
        "arguments",
        "coverage",
        "_runtime/validation.py",
        'return instance.model_dump(mode="json", by_alias=True, exclude_none=True)',
        'return {k: v for k, v in instance.model_dump(mode="json", by_alias=True).items() if v}',
        "contract.arguments_falsy",
    ),
    Mutant(
        "booleans written the Python way",
        "arguments",
        "stripe",
        E,
        'return "true" if value else "false"',
        "return str(value)",
        "contract.arguments_falsy",
    ),
    Mutant(
        "query values not encoded",
        "arguments",
        "stripe",
        E,
        '            url = self.config.base_url.rstrip("/") + path\n',
        '            url = self.config.base_url.rstrip("/") + path + (\n'
        '                "?" + "&".join(f"{k}={v}" for k, v in _query_pairs(call.query))\n'
        '                if call.query else "")\n'
        "            call = Call(path_params=call.path_params, headers=call.headers,"
        " json=call.json, form=call.form)\n",
        "contract.arguments_reserved",
    ),
    Mutant(
        "form values not encoded",
        "arguments",
        "stripe",
        E,
        "content = str(httpx.QueryParams(flatten_form(call.form))).encode()",
        'content = "&".join(f"{k}={v}" for k, v in flatten_form(call.form)).encode()',
        "contract.arguments_reserved",
    ),
    Mutant(
        "JSON body not UTF-8",
        "arguments",
        "slack",
        E,
        "ensure_ascii=False).encode()",
        'ensure_ascii=False).encode("latin-1", "replace")',
        "contract.arguments_reserved",
    ),
    Mutant(
        "header parameter values trimmed at a comma",
        "arguments",
        "coverage",
        E,
        "headers.update({k: v for k, v in call.headers.items() if v is not None})",
        'headers.update({k: v.split(",")[0] for k, v in call.headers.items() if v is not None})',
        "contract.arguments_reserved",
    ),
    Mutant(
        "path parameter keeps its slashes",
        "arguments",
        "stripe",
        E,
        'segment = quote(text, safe="")',
        'segment = quote(text, safe="/")',
        "contract.path_escaping",
    ),
    Mutant(
        "path parameter '..' left as a dot segment",
        "arguments",
        "stripe",
        E,
        'return segment.replace(".", "%2E") if segment in (".", "..") else segment',
        "return segment",
        "contract.path_escaping",
    ),
    Mutant(
        "empty path parameter sent",
        "arguments",
        "coverage",
        E,
        "    if not text:\n        raise RequestValidationError(",
        "    if False:\n        raise RequestValidationError(",
        "contract.path_escaping",
    ),
    # ---- pagination
    Mutant(
        "filters and limit dropped after page 1",
        "pagination",
        "stripe",
        P,
        "        return call.with_query(**{s.cursor_param: token})",
        "        return Call(path_params=call.path_params, query={s.cursor_param: token})",
        "contract.pagination",
    ),
    Mutant(
        "limit dropped after page 1",
        "pagination",
        "coverage",
        P,
        "        return call.with_query(**{s.offset_param: self.offset})",
        "        return call.with_query(\n"
        "            **{s.offset_param: self.offset, s.limit_param or '': None}\n"
        "        )",
        "contract.pagination",
    ),
    Mutant(
        "page items never validated",
        "pagination",
        "slack",
        E,
        "            return adapter.validate_python(items)",
        "            return items  # type: ignore[return-value]",
        "contract.pagination_items_validated",
    ),
    Mutant(
        "offset off by one",
        "pagination",
        "coverage",
        P,
        "self.offset += len(items)",
        "self.offset += len(items) + 1",
        "contract.pagination",
    ),
    Mutant(
        "page numbers start one too low",
        "pagination",
        "coverage",
        P,
        "        self.page = settings.start_page\n",
        "        self.page = settings.start_page - 1\n",
        "contract.pagination",
    ),
    Mutant(
        "one page more than total_pages",
        "pagination",
        "coverage",
        P,
        "fetched = self.page - s.start_page + 1",
        "fetched = self.page - s.start_page",
        "contract.pagination",
    ),
    Mutant(
        "next-page link to another host followed",
        "pagination",
        "coverage",
        P,
        "if urlsplit(absolute).netloc != self.base_host:",
        "if False:",
        "contract.pagination_cross_host",
    ),
    Mutant(
        "repeated link followed again",
        "pagination",
        "coverage",
        P,
        "        if not self._fresh(absolute):\n            return None\n",
        "",
        "contract.pagination_repeated_cursor",
    ),
    Mutant(
        "repeated cursor followed again",
        "pagination",
        "slack",
        P,
        "if not self._fresh(token) or s.cursor_param is None:",
        "if s.cursor_param is None:",
        "contract.pagination_repeated_cursor",
    ),
    # ---- the async client
    Mutant(
        "async client does not wait before a retry",
        "async",
        "stripe",
        E,
        "            await self.clock.asleep(decision.delay)",
        "            await self.clock.asleep(0)",
        "contract.",
    ),
    Mutant(
        "async client drops the query",
        "async",
        "slack",
        E,
        "            await self._ensure_token(op)\n"
        "            request = self.build_request(op, call, key)",
        "            await self._ensure_token(op)\n"
        "            request = self.build_request(op, Call(path_params=call.path_params,"
        " json=call.json, form=call.form, headers=call.headers, url=call.url), key)",
        "contract.",
    ),
    Mutant(
        "async iterator yields unvalidated items",
        "async",
        "stripe",
        "client.py",
        "            for item in self._engine.decode_items(op, items, _LIST_CHARGES_ITEMS):\n"
        "                yield item",
        "            for item in items:\n                yield item",
        "contract.pagination_items_validated",
    ),
    # ---- environments, server variables, timeout, rate limit, redirects
    Mutant(
        "environment base URL ignored",
        "settings",
        "coverage",
        S,
        "        url = env.base_url or url\n",
        "",
        "contract.environments",
    ),
    Mutant(
        "environment variables ignored",
        "settings",
        "coverage",
        S,
        "        values.update(dict(env.variables))\n",
        "",
        "contract.environments",
    ),
    Mutant(
        "caller's server variables ignored",
        "settings",
        "coverage",
        S,
        "    values.update(variables or {})\n",
        "",
        "contract.environments",
    ),
    Mutant(
        "server-variable handling crashes (runtime fault)",
        "fault",
        "coverage",
        S,
        'url = url.replace("{" + name + "}", value)',
        'url = url.replace("{" + name + "}", value.decode())',
        "contract.",
    ),
    Mutant(
        "configured timeout not applied",
        "settings",
        "stripe",
        E,
        'extensions={"timeout": self.config.timeout.as_dict()},',
        "extensions={},",
        "contract.transport_timeout",
    ),
    Mutant(
        "client-side rate limiter disabled",
        "settings",
        "slack",
        E,
        "self.limiter = RateLimiter(*config.rate_limit) if config.rate_limit else None",
        "self.limiter = None",
        "contract.rate_limit_client",
    ),
    Mutant(
        "rate limiter lets one request too many through",
        "settings",
        "coverage",
        "_runtime/ratelimit.py",
        "            if len(self._sent) >= self.requests:",
        "            if len(self._sent) > self.requests:",
        "contract.rate_limit_client",
    ),
    Mutant(
        "redirects followed",
        "settings",
        "sendgrid",
        "client.py",
        "follow_redirects=False,",
        "follow_redirects=True,",
        "contract.redirect_cross_host",
    ),
    # ---- body-level error codes
    Mutant(
        "body-level 'ratelimited' is a client error",
        "body errors",
        "slack",
        E,
        "if code in rule.rate_limit_codes:",
        "if False:",
        "contract.body_error_codes",
    ),
    Mutant(
        "body-level server error not retried",
        "body errors",
        "slack",
        E,
        "elif code in rule.server_codes:",
        "elif False:",
        "contract.body_error_codes",
    ),
    Mutant(
        "unknown body-level error code is a success",
        "body errors",
        "slack",
        E,
        "return STOP, self._error(ClientError, op, response, attempt, detail, code)",
        "return STOP, None",
        "contract.body_error_codes",
    ),
]


@dataclass
class MutantResult:
    """What certification said about one mutant."""

    mutant: Mutant
    failed: set[str]
    messages: list[str]
    seconds: float

    @property
    def killed(self) -> bool:
        """A check other than ``codegen.reproducible`` failed."""
        return bool(self.failed - {STALE})

    @property
    def killed_as_expected(self) -> bool:
        """The check the mutant was written against is among the failed ones."""
        return any(f.startswith(self.mutant.kills) for f in self.failed)


def prepare_target(target: str, folder: Path) -> Path:
    """A freshly generated copy of ``target`` (spec, fixtures, package) in ``folder``."""
    where = folder / target
    where.mkdir(parents=True)
    spec = where / "connector.yaml"
    if target == "coverage":
        spec.write_text(COVERAGE)
    else:
        source = REPO / "connectors" / target
        spec.write_bytes((source / "connector.yaml").read_bytes())
        shutil.copytree(source / "fixtures", where / "fixtures")
        if (source / "provider").is_dir():
            shutil.copytree(source / "provider", where / "provider")
    generate_to_directory(spec, where)
    return spec


def apply(mutant: Mutant, spec: Path) -> None:
    """Edit the package next to ``spec`` (every occurrence of ``old``)."""
    path = spec.parent / PACKAGES[mutant.target] / mutant.file
    text = path.read_text()
    if mutant.old not in text:
        raise AssertionError(f"mutant {mutant.name!r}: {mutant.old!r} not in {path.name}")
    path.write_text(text.replace(mutant.old, mutant.new))


def run_mutant(mutant: Mutant, folder: Path, prepared: dict[str, Path]) -> MutantResult:
    """Certify ``mutant`` in a copy of its prepared target under ``folder``."""
    import time

    original = prepared[mutant.target]
    copy = folder / f"m{len(list(folder.iterdir()))}" / mutant.target
    shutil.copytree(original.parent, copy)
    spec = copy / "connector.yaml"
    apply(mutant, spec)
    start = time.perf_counter()
    result = certify_connector(spec)
    seconds = time.perf_counter() - start
    failed = {c.id for c in result.failed}
    messages = [f"{c.id} {c.operation or ''}: {c.message}" for c in result.failed if c.id != STALE]
    shutil.rmtree(copy.parent, ignore_errors=True)
    return MutantResult(mutant, failed, messages, seconds)
