"""Which n8n nodes are *app nodes*: calls of one third-party service that only a registry
connector can carry.

An n8n node type is an app node when all of these hold (a ``<app>Tool`` variant counts as its
base app, ``n8n-nodes-base.slackTool`` as ``n8n-nodes-base.slack``):

- it is in ``n8n-nodes-base`` and n8n ships it (LangChain nodes, the OpenAI chat models and
  vector stores included, become AI nodes of the Flow IR, not connector calls);
- no core family of the importer translates it (``set``, ``code``, ``if``, ``httpRequest``,
  ``webhook``, the file, database and protocol nodes such as ``postgres``, ``redis``,
  ``ftp``, ``ssh``, ``emailSend``: see :data:`flows.n8n.nodes.CONVERTERS`);
- it is not a trigger (``...Trigger`` and every node n8n marks as polling/webhook/event:
  they receive events, they have no operation to link);
- it is not a local utility that calls no service (:data:`NOT_APPS`: sticky notes,
  ``readPDF``, ``htmlExtract``, ``iCal``, ``debugHelper``, ...) nor a generic protocol client
  (``graphql``, like ``httpRequest``, names no service).

Public APIs needing no credential (``hackerNews``, ``quickChart``, ``coinGecko``) are apps.
"""

from __future__ import annotations

from flows.n8n import nodeinfo
from flows.n8n.nodes import CONVERTERS
from flows.n8n.nodes.apps import tool_base
from flows.n8n.nodes.base import BASE

#: n8n-nodes-base types outside the importer's families that call no third-party service.
NOT_APPS = frozenset(
    BASE + name
    for name in (
        "stickyNote",
        "aiTransform",
        "debugHelper",
        "dynamicCredentialCheck",
        "e2eTest",
        "htmlExtract",
        "iCal",
        "messageAnAgent",
        "n8nTrainingCustomerDatastore",
        "n8nTrainingCustomerMessenger",
        "readPDF",
        "simulate",
        "timeSaved",
        "graphql",
    )
)


def app_type(node_type: str) -> str | None:
    """The app node type ``node_type`` is (its base type for a ``*Tool``), or None when it is
    not an app node (see the module docstring)."""
    base = tool_base(node_type) or node_type
    if not base.startswith(BASE) or base in CONVERTERS or base in NOT_APPS:
        return None
    if not nodeinfo.known(base) or base.endswith("Trigger"):
        return None
    return None if nodeinfo.trigger_mode(base) is not None else base
