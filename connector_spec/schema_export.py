"""The JSON Schema of ConnectorSpec v1, for editors (YAML language server) and other tools.

The published copy lives at ``connector_spec/schema/connector-spec-v1.json``; a test keeps it
equal to :func:`schema_text`. Point an editor at it with a first line such as::

    # yaml-language-server: $schema=https://flows.dev/schemas/connector-spec-v1.json
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from connector_spec.atomic import check_writable_dir
from connector_spec.errors import InputError, argument

SCHEMA_ID = "https://flows.dev/schemas/connector-spec-v1.json"
SCHEMA_TITLE = "ConnectorSpec v1"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
PUBLISHED_SCHEMA = Path(__file__).resolve().parent / "schema" / "connector-spec-v1.json"


def schema_dict() -> dict[str, object]:
    """The JSON Schema of ConnectorSpec v1 as a mapping (field names by their YAML alias)."""
    from connector_spec.model import ConnectorSpec

    schema: dict[str, object] = ConnectorSpec.model_json_schema(by_alias=True)
    schema["$schema"] = SCHEMA_DIALECT
    schema["$id"] = SCHEMA_ID
    schema["title"] = SCHEMA_TITLE
    return schema


def schema_text() -> str:
    """The JSON Schema as stable text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_text_atomically(path: str | Path, text: str, *, overwrite: bool = True) -> Path:
    """Write ``text`` to ``path`` through a temp file and a rename; nothing is left on failure.

    Raises :class:`InputError` (exit 2) when the directory is missing or not writable, when
    ``path`` is a directory, or when ``path`` exists and ``overwrite`` is false.
    """
    target = Path(path)
    directory = target.parent
    if target.is_dir():
        raise InputError(
            f"{target}: is a directory; nothing was written",
            hint=f"give a file name, e.g. {argument('out')} connector.yaml",
        )
    if not overwrite and (target.exists() or target.is_symlink()):
        raise InputError(
            f"{target}: file already exists; nothing was written",
            hint=f"choose another {argument('out')} path or remove the file first",
        )
    check_writable_dir(directory, option=argument("out"))
    temp_name: str | None = None
    try:
        handle, temp_name = tempfile.mkstemp(prefix=".flows-", suffix=".tmp", dir=directory)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temp_name, 0o644)
        if overwrite:
            os.replace(temp_name, target)
        else:
            # link() fails if the target appeared meanwhile: never clobber a file.
            os.link(temp_name, target)
            os.unlink(temp_name)
        temp_name = None
    except FileExistsError:
        raise InputError(
            f"{target}: file already exists; nothing was written",
            hint=f"choose another {argument('out')} path or remove the file first",
        ) from None
    except OSError as exc:
        raise InputError(
            f"{target}: cannot write file ({exc.strerror or exc}); nothing was written",
            hint=f"choose another {argument('out')} path or fix the directory's permissions",
        ) from None
    finally:
        if temp_name is not None:
            Path(temp_name).unlink(missing_ok=True)
    return target


def write_schema(path: str | Path) -> Path:
    """Write the JSON Schema to ``path`` (replacing an existing file atomically)."""
    return write_text_atomically(path, schema_text(), overwrite=True)
