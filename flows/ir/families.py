"""Flow IR node kinds for n8n's core utility nodes, databases, commands, apps and app triggers.

Each is a parameterised family: a typed head (what the step does, on what) plus ``params``, every
parameter the source documents for its version, with expressions structured as :data:`Value`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from flows.ir.base import NodeBase, Value


class StepNode(NodeBase):
    """A built-in step of a family: ``data`` (reshape items, no side effects), ``file``
    (read, write, convert, extract), ``email`` (send by SMTP), ``form`` (a form page),
    ``feed`` (read an RSS feed), ``data_table`` (n8n data tables), ``evaluation``."""

    kind: Literal["data", "file", "email", "form", "feed", "data_table", "evaluation"]
    operation: str = Field(description="What the step does, e.g. split_out, aggregate, extract.")
    params: dict[str, Value] = Field(default_factory=dict, description="Its parameters by name.")
    credential: str | None = None


class DatabaseNode(NodeBase):
    """A database step: engine, operation, table or collection, query and its parameters."""

    kind: Literal["database"] = "database"
    engine: Literal["postgres", "mysql", "mssql", "redis", "mongodb"]
    operation: str = Field(description="executeQuery, insert, select, update, delete, get, ...")
    table: Value = Field(default=None, description="Table, collection or key.")
    query: Value = Field(default=None, description="The query text (SQL, or a MongoDB filter).")
    query_params: list[Value] = Field(
        default_factory=list, description="Values bound to the query's placeholders ($1, ...)."
    )
    params: dict[str, Value] = Field(default_factory=dict)
    credential: str | None = Field(default=None, description="Credential type n8n used.")


class CommandNode(NodeBase):
    """Runs a command or moves files on a host: local shell, SSH, SFTP or FTP."""

    kind: Literal["command"] = "command"
    protocol: Literal["local", "ssh", "sftp", "ftp"]
    operation: str = Field(description="execute, upload, download, list, delete, rename")
    command: Value = None
    path: Value = None
    params: dict[str, Value] = Field(default_factory=dict)
    credential: str | None = None


class StopNode(NodeBase):
    """Stops the flow with an error (n8n Stop and Error); nothing comes out."""

    kind: Literal["stop"] = "stop"
    error: Value = Field(default=None, description="The error message or error object.")


class AppNode(NodeBase):
    """An operation of an app (service) that no registry connector provides yet.

    Everything the source says about the call is kept; running it needs a connector, so it is
    always reported as lossy. The connector mapping (``flows.n8n.nodes.connector``) turns it
    into a ``connector`` node once the registry links the operation."""

    kind: Literal["app"] = "app"
    app: str = Field(description="The source node type, e.g. n8n-nodes-base.telegram")
    resource: str | None = None
    operation: str | None = None
    params: dict[str, Value] = Field(default_factory=dict)
    credential: str | None = None


class FormTrigger(NodeBase):
    """Starts the flow when someone submits a hosted form."""

    kind: Literal["trigger.form"] = "trigger.form"
    path: str = ""
    title: Value = None
    fields: Value = Field(default=None, description="The form fields, as the source lists them.")
    params: dict[str, Value] = Field(default_factory=dict)


class ErrorTrigger(NodeBase):
    """Starts the flow when another flow fails (n8n Error Trigger)."""

    kind: Literal["trigger.error"] = "trigger.error"


class AppTrigger(NodeBase):
    """Starts the flow on an app's event: a webhook it calls, polling on a timetable, or
    listening (mailbox, file system, message bus)."""

    kind: Literal["trigger.app"] = "trigger.app"
    app: str = Field(description="The source node type, e.g. n8n-nodes-base.telegramTrigger")
    mode: Literal["webhook", "polling", "listen"]
    event: Value = Field(default=None, description="The event(s) it starts on, when it says.")
    cron: list[str] = Field(
        default_factory=list, description="When it polls, as cron entries (n8n's pollTimes)."
    )
    connector: str | None = Field(default=None, description="provider@version serving the app.")
    params: dict[str, Value] = Field(default_factory=dict)
    credential: str | None = None
