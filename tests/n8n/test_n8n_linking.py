"""Import maps what the registry links: typeVersions, the preferred of several connectors,
``*Tool`` variants, the connector version and level in the report, credentials' auth."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.ir.catalog import CatalogOperation, InMemoryCatalog, registry_catalog
from registry import Registry
from tests.n8n.helpers import node, one, run, workflow
from tests.registry.helpers import publication, spec_bytes, statement

SLACK = "n8n-nodes-base.slack"


def _op(
    provider: str = "chat",
    version: str = "1.0.0",
    *,
    level: str | None = "certified",
    link: tuple[str, str | None, str | None] = (SLACK, "message", "post"),
    versions: tuple[float, ...] | None = None,
    inputs: tuple[str, ...] = ("channel", "text", "thread_ts"),
) -> CatalogOperation:
    return CatalogOperation(
        provider=provider,
        version=version,
        operation_id="post_message",
        effects="write",
        determinism="nondeterministic",
        auth_type="bearer",
        inputs=inputs,
        n8n=link,
        type_versions=versions,
        level=level,
        auth="bearer (env CHAT_TOKEN)",
    )


def _post(version: float = 2.2, **extra: object) -> dict[str, object]:
    return node("Say", "slack", version, {"channelId": "C1", "text": "hi"}, **extra)


def test_a_link_holds_only_for_its_type_versions() -> None:
    catalog = InMemoryCatalog(operations=[_op(versions=(2.0, 2.1))])
    ir, rep = one(_post(2.1), catalog)
    assert (ir.kind, ir.connector, rep.status) == ("connector", "chat@1.0.0", "mapped")
    ir, rep = one(_post(2.2), catalog)
    assert (ir.kind, rep.status) == ("app", "lossy")
    assert rep.lost == [
        f"registry connector chat@1.0.0 links {SLACK} message/post only for typeVersion(s) "
        "2, 2.1, not 2.2: kept as a typed app call"
    ]


def test_the_highest_certified_then_newest_connector_wins_whatever_the_order() -> None:
    candidates = [
        _op("zeta", "3.0.0", level="self-consistent"),
        _op("alpha", "1.0.0", level="certified"),
        _op("beta", "1.0.0", level="certified"),
        _op("alpha", "0.9.0", level="recorded", versions=(1.0,)),
    ]
    for ordering in (candidates, candidates[::-1]):
        catalog = InMemoryCatalog(operations=list(ordering))
        # recorded beats certified, but only where its link holds (typeVersion 1)
        assert one(_post(1), catalog)[0].connector == "alpha@0.9.0"
        # same level and version: the provider name decides (alphabetical)
        assert one(_post(2.2), catalog)[0].connector == "alpha@1.0.0"
    newer = InMemoryCatalog(operations=[_op("alpha", "1.0.0"), _op("alpha", "1.2.0")])
    assert one(_post(2.2), newer)[0].connector == "alpha@1.2.0"


def test_the_report_names_the_connector_version_level_and_credential_auth() -> None:
    catalog = InMemoryCatalog(operations=[_op()])
    say = _post(credentials={"slackApi": {"id": "1", "name": "Team bot"}})
    result = run(workflow([say]), catalog)
    rep = result.report.nodes[0]
    assert (rep.connector, rep.operation, rep.level) == ("chat@1.0.0", "post_message", "certified")
    assert rep.detail() == "onto chat@1.0.0 post_message (certified)"
    assert result.report.to_json()["nodes"][0]["level"] == "certified"
    [cred] = result.report.credentials
    assert (cred.connector, cred.auth) == ("chat@1.0.0", "bearer (env CHAT_TOKEN)")
    markdown = result.report.to_markdown()
    assert "| onto chat@1.0.0 post_message (certified) |" in markdown
    assert (
        "- `slackApi` (Team bot) used by Say; becomes connector chat@1.0.0 auth bearer "
        "(env CHAT_TOKEN)" in markdown
    )


def test_a_credential_of_an_unmapped_node_says_it_becomes_nothing() -> None:
    result = run(
        workflow([_post(credentials={"slackApi": {"id": "1", "name": "Bot"}})]), InMemoryCatalog()
    )
    [cred] = result.report.credentials
    assert cred.becomes() == "no connector auth (no node using it maps onto a connector)"


def test_a_tool_variant_maps_onto_the_same_operation_with_its_ai_arguments() -> None:
    catalog = InMemoryCatalog(operations=[_op(versions=(2.2,))])
    tool = node(
        "Tell",
        "slackTool",
        2.2,
        {
            "channelId": {"__rl": True, "value": "C9", "mode": "id"},
            "text": "={{ $fromAI('message', 'what to say', 'string') }}",
            "descriptionType": "manual",
            "toolDescription": "Post to the team channel",
        },
        credentials={"slackApi": {"id": "1", "name": "Bot"}},
    )
    result = run(workflow([tool]), catalog)
    ir, rep = result.flow.nodes[0], result.report.nodes[0]
    assert (ir.kind, ir.call.kind, ir.call.connector) == ("ai.tool", "connector", "chat@1.0.0")
    assert ir.call.params["channel"] == "C9"
    assert ir.call.params["text"].from_ai == "message"
    assert [a.name for a in ir.arguments] == ["message"]
    assert (rep.status, rep.connector, rep.level) == ("mapped", "chat@1.0.0", "certified")
    assert result.report.credentials[0].connector == "chat@1.0.0"
    # the Tool's typeVersion is the base node's: a link for other versions does not hold
    other = InMemoryCatalog(operations=[_op(versions=(1.0,))])
    assert one(tool, other)[0].call.kind == "app"


def test_n8n_defaults_per_type_version_choose_the_linked_operation() -> None:
    gmail = "n8n-nodes-base.gmail"
    catalog = InMemoryCatalog(
        operations=[
            _op("mail", link=(gmail, "draft", "create"), inputs=("subject",)),
            _op("mail", "1.1.0", link=(gmail, "message", "send"), inputs=("subject",)),
        ]
    )
    # version 1 defaults to draft/create, version 2 to message/send (n8n's own defaults)
    assert one(node("G", "gmail", 1, {"subject": "s"}), catalog)[0].connector == "mail@1.0.0"
    assert one(node("G", "gmail", 2, {"subject": "s"}), catalog)[0].connector == "mail@1.1.0"


def _registry_with_levels(base: Path) -> Registry:
    """``chat`` 1.0.0 certified and 1.1.0 self-consistent linking Stripe's charge/create at
    typeVersion 1, and 1.2.0 recorded linking it only at typeVersion 2."""
    reg = Registry.init(base / "registry", key_dir=base / "keys", notice=lambda _m: None)
    plain = "    sources: {n8n: {node: n8n-nodes-base.stripe, resource: charge, operation: create}}"
    for version, level, held in (
        ("1.0.0", "certified", 1),
        ("1.1.0", "self-consistent", 1),
        ("1.2.0", "recorded", 2),
    ):
        spec = spec_bytes("chat", version).decode()
        assert plain in spec
        spec = spec.replace(plain, plain[:-2] + f", type_versions: [{held}]}}}}")
        stmt = statement("chat", version, level=level)
        reg.publish(publication("chat", version, spec=spec.encode(), stmt=stmt))
    return reg


def test_the_registry_catalog_prefers_the_certified_version_and_keeps_type_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLOWS_TRUST_DIR", raising=False)
    reg = _registry_with_levels(tmp_path)
    catalog = registry_catalog(str(reg.root), trust_dir=tmp_path / "trusted")
    assert catalog.providers() == ["chat@1.0.0", "chat@1.1.0", "chat@1.2.0"]
    charge = {"resource": "charge", "operation": "create", "amount": 1, "currency": "usd"}
    ir, rep = one(node("C", "stripe", 1, charge), catalog)
    assert (ir.connector, rep.level) == ("chat@1.0.0", "certified")


def test_a_type_version_newer_than_n8n_ships_maps_as_the_newest_known() -> None:
    # n8n-nodes-base 2.41.2 ships slack up to 2.7; a 9.0 node is converted as that version
    catalog = InMemoryCatalog(operations=[_op(versions=(2.7,))])
    ir, rep = one(_post(9.0), catalog)
    assert (ir.kind, ir.connector) == ("connector", "chat@1.0.0")
    assert rep.lost[0].startswith("typeVersion 9 is newer than the newest this importer knows")


@pytest.mark.parametrize(
    ("credential", "auth", "fits"),
    [
        ("slackApi", "bearer (env T)", True),
        ("slackOAuth2Api", "bearer (env T)", True),
        ("gmailOAuth2", "oauth2_refresh_token (env A, B, C)", True),
        ("googleApi", "oauth2_refresh_token (env A, B, C)", False),  # a service account
        ("clickUpOAuth2Api", "api_key in header 'Authorization' (env K)", False),
        ("wordpressApi", "basic (env U, P)", True),
    ],
)
def test_a_credential_of_another_kind_than_the_connector_auth_is_said_not_to_fit(
    credential: str, auth: str, fits: bool
) -> None:
    from flows.n8n.report import CredentialUse

    use = CredentialUse(credential, "label", ["N"], "x@1.0.0", auth)
    assert use.becomes().startswith("connector x@1.0.0 auth" if fits else "no connector auth as")


def test_n8n_defaults_follow_display_options_of_resource_and_operation() -> None:
    from flows.n8n.defaults import resource_operation

    discord = "n8n-nodes-base.discord"
    # Discord 2 with a webhook has no resource; its operation is sendLegacy
    assert resource_operation(discord, 2, {"authentication": "webhook", "content": "x"}) == (
        None,
        "sendLegacy",
    )
    # with the default bot token: resource channel, operation create
    assert resource_operation(discord, 2, {"content": "x"}) == ("channel", "create")
    assert resource_operation(discord, 2, {"resource": "message"}) == ("message", "send")
    # Discord 1 is a plain webhook node: no resource/operation (not Discord 2's defaults)
    assert resource_operation(discord, 1, {"text": "x"}) == (None, None)
    # Airtable 1 has no resource at all (its defaults are not Airtable 2's)
    assert resource_operation("n8n-nodes-base.airtable", 1, {"operation": "list"}) == (
        None,
        "list",
    )
    # a node with only an operation parameter gets its default
    assert resource_operation("n8n-nodes-base.googlePerspective", 1, {}) == (
        None,
        "analyzeComment",
    )


def test_a_discord_webhook_node_maps_onto_the_webhook_operation() -> None:
    discord = "n8n-nodes-base.discord"
    catalog = InMemoryCatalog(
        operations=[
            _op("discord", link=(discord, None, "sendLegacy"), inputs=("content",)),
            _op("discord", link=(discord, "channel", "create"), inputs=("name",)),
        ]
    )
    ir, rep = one(node("D", "discord", 2, {"authentication": "webhook", "content": "hi"}), catalog)
    assert (ir.kind, ir.params, rep.status) == ("connector", {"content": "hi"}, "mapped")


def test_the_report_counts_app_nodes_onto_connectors() -> None:
    catalog = InMemoryCatalog(operations=[_op()])
    nodes = [
        _post(),
        node("Tell", "telegram", 1.2, {"chatId": "1", "text": "x"}),
        node("Keep", "set", 3.4, {}),
    ]
    report = run(workflow(nodes), catalog).report
    coverage = report.coverage()
    assert (coverage["app_nodes"], coverage["app_nodes_on_connectors"]) == (2, 1)
    assert "; 1/2 app nodes onto connectors;" in report.summary()
    assert "app nodes onto" not in run(workflow([node("Keep", "set", 3.4, {})])).report.summary()


def test_the_cli_report_from_the_local_registry_names_version_level_and_auth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from flows.cli.app import app

    reg = _registry_with_levels(tmp_path)
    monkeypatch.setenv("FLOWS_REGISTRY", str(reg.root))
    monkeypatch.setenv("FLOWS_TRUST_DIR", str(tmp_path / "trusted"))
    monkeypatch.chdir(tmp_path)  # no ./connectors here: the registry is the catalog
    charge = {"resource": "charge", "operation": "create", "amount": 1, "currency": "usd"}
    pay = node("Pay", "stripe", 1, charge, credentials={"stripeApi": {"id": "1", "name": "S"}})
    source = tmp_path / "wf.json"
    source.write_text(json.dumps(workflow([pay])))
    result = CliRunner().invoke(app, ["import", "n8n", str(source), "--json"])
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)["report"]
    [row] = report["nodes"]
    assert (row["connector"], row["operation"], row["level"]) == (
        "chat@1.0.0",
        "create_charge",
        "certified",
    )
    [cred] = report["credentials"]
    assert (cred["connector"], cred["auth"].split(" ")[0]) == ("chat@1.0.0", "bearer")
    assert report["coverage"]["app_nodes_on_connectors"] == 1
