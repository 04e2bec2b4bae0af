"""What counts as an app node (flows.n8n.appnodes), the unit of issue 13's import figure."""

from __future__ import annotations

import pytest

from flows.n8n.appnodes import app_type


@pytest.mark.parametrize(
    ("node_type", "expected"),
    [
        ("n8n-nodes-base.slack", "n8n-nodes-base.slack"),
        ("n8n-nodes-base.slackTool", "n8n-nodes-base.slack"),  # a Tool counts as its app
        ("n8n-nodes-base.googleSheets", "n8n-nodes-base.googleSheets"),
        ("n8n-nodes-base.hackerNews", "n8n-nodes-base.hackerNews"),  # public API, no credential
        ("n8n-nodes-base.gmailTrigger", None),  # triggers receive events
        ("n8n-nodes-base.set", None),  # core families
        ("n8n-nodes-base.httpRequest", None),
        ("n8n-nodes-base.postgres", None),
        ("n8n-nodes-base.postgresTool", None),
        ("n8n-nodes-base.stickyNote", None),
        ("n8n-nodes-base.readPDF", None),  # local utility
        ("n8n-nodes-base.graphql", None),  # generic protocol client
        ("@n8n/n8n-nodes-langchain.openAi", None),  # becomes an AI node
        ("n8n-nodes-base.noSuchNode", None),
        ("community-package.slack", None),
    ],
)
def test_app_type(node_type: str, expected: str | None) -> None:
    assert app_type(node_type) == expected
