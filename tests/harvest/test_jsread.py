"""Static reading of n8n-shaped node code (tiny self-written JavaScript, never executed)."""

# ruff: noqa: E501  (the JavaScript fixtures keep n8n's long lines)

from __future__ import annotations

import time

import pytest

from flows.harvest import code_ops
from flows.harvest.code_ops import CodeOp, extract_operations, node_files, read_node_code
from flows.harvest.jsparse import MAX_JS_BYTES, parse_source

HELPER = b"""
async function acmeApiRequest(method, endpoint, body = {}, qs = {}) {
    const options = { method, body, qs, uri: `https://api.acme.test/v2${endpoint}`, json: true };
    return await this.helpers.requestWithAuthentication.call(this, 'acmeApi', options);
}
async function acmeApiRequestAllItems(method, endpoint, body = {}, qs = {}) {
    return await acmeApiRequest.call(this, method, endpoint, body, qs);
}
exports.acmeApiRequest = acmeApiRequest;
exports.acmeApiRequestAllItems = acmeApiRequestAllItems;
"""

NODE_IF = b"""
class Acme {
    async execute() {
        const resource = this.getNodeParameter('resource', 0);
        const operation = this.getNodeParameter('operation', 0);
        for (let i = 0; i < 1; i++) {
            const body = {};
            const qs = {};
            if (resource === 'contact') {
                if (operation === 'create') {
                    body.email = this.getNodeParameter('email', i);
                    const additionalFields = this.getNodeParameter('additionalFields', i);
                    Object.assign(body, additionalFields);
                    responseData = await GenericFunctions_1.acmeApiRequest.call(this, 'POST', '/contacts', body, qs);
                }
                else if (operation === 'get') {
                    const contactId = this.getNodeParameter('contactId', i);
                    responseData = await GenericFunctions_1.acmeApiRequest.call(this, 'GET', `/contacts/${encodeURIComponent(contactId)}`);
                }
                else if (['delete', 'remove'].includes(operation)) {
                    responseData = await GenericFunctions_1.acmeApiRequest.call(this, 'DELETE', `/contacts/${this.getNodeParameter('contactId', i)}`);
                }
            }
            if (resource === 'deal' && operation === 'getAll') {
                qs.limit = this.getNodeParameter('limit', i);
                responseData = await GenericFunctions_1.acmeApiRequestAllItems.call(this, 'GET', '/deals', {}, qs);
            }
            if (resource === 'deal' && operation === 'export') {
                const url = responseData.links[0];
                responseData = await GenericFunctions_1.acmeApiRequest.call(this, 'GET', url);
            }
        }
    }
}
"""

NODE_SWITCH_ASSIGN = b"""
async function execute() {
    const resource = this.getNodeParameter('resource', 0);
    const operation = this.getNodeParameter('operation', 0);
    let requestMethod = 'GET';
    let endpoint = '';
    switch (resource) {
        case 'task':
            switch (operation) {
                case 'close':
                case 'reopen':
                    requestMethod = 'POST';
                    endpoint = `/tasks/${this.getNodeParameter('taskId', 0)}/${operation}`;
                    break;
                case 'update':
                    requestMethod = 'PATCH';
                    endpoint = `/tasks/${this.getNodeParameter('taskId', 0)}`;
                    break;
                default:
                    break;
            }
            break;
        case 'project':
            requestMethod = 'GET';
            endpoint = '/projects?archived=false';
            break;
    }
    return await acmeApiRequest.call(this, requestMethod, endpoint, {}, {});
}
"""

ACTION = b"""
async function execute(items, workspace) {
    const id = this.getNodeParameter('itemId', 0, '', { extractValue: true });
    return await transport_1.apiRequest.call(this, 'PUT', `${workspace}/items/${id}`, {});
}
exports.execute = execute;
"""

TRANSPORT = b"""
async function apiRequest(method, endpoint, body = {}, query) {
    const options = { method, body, qs: query, uri: `https://api.widgets.test/v1/${endpoint}` };
    return await this.helpers.requestWithAuthentication.call(this, 'widgetsApi', options);
}
exports.apiRequest = apiRequest;
"""

JIRA_ORDER = b"""
async function run() {
    if (operation === 'get') {
        return await jiraApiRequest.call(this, `/api/2/issue/${this.getNodeParameter('issueKey', 0)}`, 'GET', {});
    }
}
async function jiraApiRequest(endpoint, method, body = {}) {
    const credentials = await this.getCredentials('jiraApi');
    return await this.helpers.request({ method, body, uri: `${credentials.domain}/rest${endpoint}` });
}
"""


def _ops(
    files: dict[str, bytes], refs: list[tuple[str | None, str]], version: float = 1
) -> dict[tuple[str | None, str], CodeOp]:
    return extract_operations(read_node_code(files, version), refs)


def test_if_else_branches_give_method_path_params_and_base_url() -> None:
    ops = _ops(
        {"Acme.node.js": NODE_IF, "GenericFunctions.js": HELPER},
        [
            ("contact", "create"),
            ("contact", "get"),
            ("contact", "delete"),
            ("contact", "remove"),
            ("deal", "getAll"),
            ("deal", "export"),
            ("deal", "nothing"),
        ],
    )
    create = ops[("contact", "create")]
    assert (create.method, create.path, create.base_url) == (
        "POST",
        "/contacts",
        "https://api.acme.test/v2",
    )
    assert create.body == {"email": "email"}
    assert create.spreads == ["additionalFields"]
    get = ops[("contact", "get")]
    assert (get.method, get.path, get.path_params) == (
        "GET",
        "/contacts/{contact_id}",
        {"contact_id": "contactId"},
    )
    assert ops[("contact", "remove")].method == "DELETE"
    assert ops[("contact", "delete")].path == "/contacts/{contact_id}"
    deals = ops[("deal", "getAll")]
    # the helper delegates to acmeApiRequest: its base URL is found through the delegation
    assert (deals.path, deals.base_url, deals.query) == (
        "/deals",
        "https://api.acme.test/v2",
        {"limit": "limit"},
    )
    assert ops[("deal", "export")].reason == "dynamic-path"
    assert ops[("deal", "nothing")].reason == "no-request"


def test_switch_and_assignments_before_one_shared_call() -> None:
    ops = _ops(
        {"Acme.node.js": NODE_SWITCH_ASSIGN},
        [
            ("task", "close"),
            ("task", "reopen"),
            ("task", "update"),
            ("project", "getAll"),
            ("task", "get"),
        ],
    )
    assert (ops[("task", "close")].method, ops[("task", "close")].path) == (
        "POST",
        "/tasks/{task_id}/close",
    )
    assert ops[("task", "reopen")].path == "/tasks/{task_id}/reopen"
    assert (ops[("task", "update")].method, ops[("task", "update")].path) == (
        "PATCH",
        "/tasks/{task_id}",
    )
    assert (ops[("project", "getAll")].method, ops[("project", "getAll")].path) == (
        "GET",
        "/projects",
    )
    # no assignment belongs to task/get: the shared call alone is not evidence
    assert ops[("task", "get")].reason == "no-request"


def test_action_files_imply_resource_and_operation_and_newest_version_wins() -> None:
    files = {
        "v2/actions/item/update.operation.js": ACTION,
        "v2/transport/index.js": TRANSPORT,
        "v1/Old.node.js": b"if (operation === 'update') { apiRequest.call(this, 'POST', '/old'); }",
    }
    update = _ops(files, [("item", "update")], version=2.1)[("item", "update")]
    assert (update.method, update.path) == ("PUT", "/{workspace}/items/{item_id}")
    assert update.base_url == "https://api.widgets.test/v1"
    assert update.path_params == {"workspace": None, "item_id": "itemId"}
    old = _ops(files, [("item", "update")], version=1)[("item", "update")]
    assert (old.method, old.path) == ("POST", "/old")


def test_path_before_method_and_credential_host() -> None:
    op = _ops({"Jira.node.js": JIRA_ORDER}, [(None, "get")])[(None, "get")]
    assert (op.method, op.path, op.base_url) == ("GET", "/api/2/issue/{issue_key}", None)


def test_triggers_tests_and_other_nodes_are_not_read() -> None:
    code = {
        "Acme/Acme.node.js": b"x",
        "Acme/AcmeTrigger.node.js": b"y",
        "Acme/test/Acme.test.js": b"z",
        "AcmeOther/Other.node.js": b"w",
    }
    assert node_files(code, "Acme") == {"Acme.node.js": b"x"}


def test_no_code_and_hostile_input_are_bounded() -> None:
    assert _ops({}, [("a", "b")])[("a", "b")].reason == "no-code"
    assert parse_source("big.js", b" " * (MAX_JS_BYTES + 1)) is None
    deep = b"if (resource === 'a') {" * 3000 + b"apiRequest.call(this, 'GET', '/x');" + b"}" * 3000
    nested = b"x = " + b"(" * 20000 + b"1" + b")" * 20000 + b";"
    started = time.monotonic()
    ops = _ops(
        {"Deep.node.js": deep, "Nested.node.js": nested, "Bad.node.js": b"\xff{{{(("}, [("a", "b")]
    )
    assert time.monotonic() - started < 20
    assert ops[("a", "b")].reason in ("no-request", None)


COMPUTED = b"""
async function run() {
    if (operation === 'append') {
        const blockId = extractBlockId.call(this, nodeVersion, i);
        return await apiRequest.call(this, 'PATCH', `/blocks/${toPathSegment(blockId)}/children`);
    }
    if (operation === 'write') {
        const id = this.getNodeParameter('sheetId', 0);
        return await apiRequest.call(this, 'POST', `/v4/sheets/${id}/values/${name}!${row}:${rows ? row + rows : row}:append`);
    }
    if (operation === 'follow') {
        const next = responseData.links.next;
        return await apiRequest.call(this, 'GET', `${next}/more`);
    }
}
async function apiRequest(method, endpoint) {
    return await this.helpers.request({ method, uri: `https://api.blocks.test${endpoint}` });
}
"""


def test_run_time_values_fill_whole_segments_only() -> None:
    ops = _ops({"Blocks.node.js": COMPUTED}, [(None, "append"), (None, "write"), (None, "follow")])
    append = ops[(None, "append")]
    # a helper computes the id: still one path parameter, bound to no n8n parameter
    assert (append.path, append.path_params) == ("/blocks/{block_id}/children", {"block_id": None})
    # a segment partly computed at run time becomes one parameter; the ':append' verb stays
    write = ops[(None, "write")]
    assert write.path == "/v4/sheets/{sheet_id}/values/{name}:append"
    assert write.path_params == {"sheet_id": "sheetId", "name": None}
    # a path that starts with a run-time value is not a template
    assert ops[(None, "follow")].reason == "dynamic-path"


def test_huge_generated_code_stays_within_the_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_ops, "MAX_SECONDS_PER_NODE", 2.0)
    lines = [b"async function run() { const body = {};"]
    for n in range(4000):
        lines.append(b"body.k%d = this.getNodeParameter('p%d', i);" % (n, n))
        lines.append(
            b"if (operation === 'op%d') { await apiRequest.call(this, 'POST', '/x/%d', body); }"
            % (n, n)
        )
    lines.append(b"}")
    refs: list[tuple[str | None, str]] = [(None, f"op{n}") for n in range(4000)]
    started = time.monotonic()
    ops = _ops({"Huge.node.js": b"\n".join(lines)}, refs)
    assert time.monotonic() - started < 30
    assert ops[(None, "op0")].path == "/x/0"
    assert {op.reason for op in ops.values()} <= {None, "no-code"}
