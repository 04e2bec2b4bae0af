"""Connector mapping goes through the catalog's sources.n8n links."""

from __future__ import annotations

from flows.ir.catalog import CatalogOperation, InMemoryCatalog, compatible, spec_hosts
from tests.n8n.helpers import node, one, run, seed_catalog, workflow


def test_seed_catalog_indexes_n8n_links_and_hosts() -> None:
    catalog = seed_catalog()
    op = catalog.lookup_n8n("n8n-nodes-base.stripe", "charge", "create")
    assert op is not None
    assert (op.connector, op.operation_id, op.effects, op.determinism) == (
        "stripe@1.0.0",
        "create_charge",
        "write",
        "stable",
    )
    assert set(op.required) >= {"amount", "currency"}
    assert catalog.lookup_host("api.stripe.com") == ["stripe@1.0.0"]
    assert catalog.lookup_host("API.EU.SENDGRID.COM") == ["sendgrid@1.0.0"]  # from {region_host}
    assert catalog.lookup_host("example.com") == []


def test_stripe_charge_create_maps_with_effects_and_determinism() -> None:
    params = {
        "resource": "charge",
        "operation": "create",
        "amount": 100,
        "currency": "usd",
        "customerId": "={{ $json.customer }}",
        "additionalFields": {"description": "x"},
    }
    stripe = node(
        "Charge", "stripe", 1, params, credentials={"stripeApi": {"id": "1", "name": "Stripe"}}
    )
    result = run(workflow([stripe]))
    ir, rep = result.flow.nodes[0], result.report.nodes[0]
    assert (ir.kind, ir.connector, ir.operation) == ("connector", "stripe@1.0.0", "create_charge")
    assert (ir.effects, ir.determinism, ir.credential) == ("write", "stable", "stripeApi")
    assert ir.params["amount"] == 100
    assert ir.params["customer"].ref == "input.item.customer"  # customerId -> customer
    assert ir.params["description"] == "x"
    assert rep.status == "mapped"
    creds = result.report.credentials
    assert [(c.type, c.label, c.nodes, c.connector) for c in creds] == [
        ("stripeApi", "Stripe", ["Charge"], "stripe@1.0.0")
    ]
    assert not [f for f in result.report.findings if f.code == "unbound-input"]


def test_default_resource_and_operation_come_from_the_node_catalog() -> None:
    # Slack's defaults are resource=message, operation=post: omitted in the export.
    ir, rep = one(node("Say", "slack", 2.2, {"channelId": "C1", "text": "hi", "select": "channel"}))
    assert (ir.connector, ir.operation) == ("slack@1.0.0", "post_message")
    assert ir.params == {"channel": "C1", "text": "hi"}
    assert rep.status == "lossy"
    assert rep.lost == ["parameter 'select' has no input in slack@1.0.0 post_message"]


def test_stripe_default_resource_is_not_linked() -> None:
    # Stripe's default resource is 'balance', which no seed operation links to: the call is
    # kept as a typed app node (n8n ships the node type) and reported lossy.
    ir, rep = one(node("Stripe", "stripe", 1, {"limit": 3}))
    assert (ir.kind, ir.app, ir.resource, ir.operation) == (
        "app",
        "n8n-nodes-base.stripe",
        "balance",
        "get",
    )
    assert ir.params == {"limit": 3}
    assert rep.status == "lossy"
    assert rep.lost == [
        "no registry connector for n8n-nodes-base.stripe balance/get: kept as a typed app call;"
        " link one to run it"
    ]


def test_missing_required_input_is_a_check_error() -> None:
    result = run(
        workflow(
            [
                node(
                    "Charge",
                    "stripe",
                    1,
                    {"resource": "charge", "operation": "create", "amount": 5},
                )
            ]
        )
    )
    unbound = [f for f in result.report.findings if f.code == "unbound-input"]
    assert [f.message for f in unbound] == [
        "required input 'currency' of stripe@1.0.0 create_charge is not bound"
    ]


def test_mapping_uses_whatever_the_catalog_links() -> None:
    catalog = InMemoryCatalog(
        operations=[
            CatalogOperation(
                provider="acme",
                version="2.1.0",
                operation_id="make_widget",
                effects="write",
                determinism="strict",
                auth_type="bearer",
                inputs=("size",),
                required=("size",),
                n8n=("n8n-nodes-base.acme", "widget", "create"),
            )
        ]
    )
    ir, rep = one(
        node("W", "acme", 1, {"resource": "widget", "operation": "create", "size": 3}), catalog
    )
    assert (ir.connector, ir.operation, ir.params) == ("acme@2.1.0", "make_widget", {"size": 3})
    assert rep.status == "mapped"
    ir, rep = one(node("Charge", "stripe", 1, {"resource": "charge", "operation": "get"}), catalog)
    assert (ir.kind, rep.status) == ("app", "lossy")


def test_semver_compatibility() -> None:
    assert compatible("1.0.0", "1.2.0")
    assert not compatible("1.2.0", "1.0.0")
    assert not compatible("1.0.0", "2.0.0")


def test_spec_hosts_expand_templates() -> None:
    from connector_spec.loader import load_spec
    from tests.conftest import SMALL_SEEDS

    spec = load_spec(SMALL_SEEDS / "sendgrid" / "connector.yaml").spec
    assert spec_hosts(spec) == {"api.sendgrid.com", "api.eu.sendgrid.com"}
