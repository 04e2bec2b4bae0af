"""Render a spec into the files of a self-contained connector package (in memory)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

import jinja2

from connector_spec.codegen.aliases import order_aliases
from connector_spec.codegen.docs import docstring
from connector_spec.codegen.errors import error_lines, errors_module_names
from connector_spec.codegen.formatting import format_sources
from connector_spec.codegen.models import doc_text
from connector_spec.codegen.naming import import_order
from connector_spec.codegen.readme import Example, readme_context
from connector_spec.codegen.view import (
    PackageView,
    build_view,
    code_names,
    fit_call,
    local_import,
    names_in,
    used_runtime_names,
)
from connector_spec.loader import LoadedSpec
from connector_spec.model import ConnectorSpec, auth_schemes
from connector_spec.naming import spec_method_names

GENERATOR_NAME = "flows"
GENERATOR_VERSION = "0.2.0"


@dataclass(frozen=True)
class GeneratedPackage:
    """Every generated file, by POSIX path relative to the connector directory."""

    package: str
    files: dict[str, bytes]
    manifest: dict[str, Any]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("connector_spec.codegen", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["doc"] = lambda text: doc_text(str(text), single_line=True)
    env.filters["table"] = lambda text: " ".join(str(text).split()).replace("|", "\\|")
    return env


_ENV: jinja2.Environment | None = None


def _env() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def runtime_files() -> dict[str, bytes]:
    """The runtime sources copied into every package, by file name."""
    folder = resources.files("connector_spec.runtime")
    found: dict[str, bytes] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".py") and entry.is_file():
            found[entry.name] = entry.read_bytes()
    return dict(sorted(found.items()))


def hosts(spec: ConnectorSpec) -> list[str]:
    """Every host the connector may talk to (templated hosts keep their ``{var}``)."""
    urls = [spec.base_url] + [e.base_url for e in spec.environments.values() if e.base_url]
    urls += [op.base_url for op in spec.operations if op.base_url]
    found: set[str] = set()
    for url in urls:
        match = re.match(r"^[a-z]+://([^/]+)", url)
        if match:
            host = match.group(1)
            names = re.findall(r"\{([^{}]+)\}", host)
            if names and all(n in spec.variables and spec.variables[n].enum for n in names):
                for name in names:
                    for value in spec.variables[name].enum or []:
                        found.add(host.replace("{" + name + "}", value))
            else:
                found.add(host)
    for auth_url in _auth_urls(spec):
        match = re.match(r"^[a-z]+://([^/]+)", auth_url)
        if match:
            found.add(match.group(1))
    return sorted(found)


def _auth_urls(spec: ConnectorSpec) -> list[str]:
    token_url = getattr(spec.auth, "token_url", None)
    return [token_url] if isinstance(token_url, str) else []


def build_manifest(view: PackageView) -> dict[str, Any]:
    """The manifest.json content (see docs/formats.md)."""
    spec = view.spec
    operations = []
    names = spec_method_names(spec.operations)
    for op in spec.operations:
        idem = op.idempotency
        attribute, method, pager = names[op.id]
        operations.append(
            {
                "id": op.id,
                "resource": op.resource,
                "python": {
                    "attribute": attribute,
                    "method": method,
                    "pager": pager if op.pagination else None,
                },
                "method": op.method,
                "path": op.path,
                "summary": op.summary,
                "effects": op.effects,
                "determinism": {"mode": op.determinism.mode, "volatile": op.determinism.volatile},
                "idempotency": None
                if idem is None
                else {
                    "kind": idem.kind,
                    "header": idem.header,
                    "natural_key": idem.natural_key,
                    "ttl_seconds": idem.ttl_seconds,
                },
                "capabilities": op.capabilities,
                "pagination": op.pagination,
                "retry_safe": op.is_retry_safe(),
                "sources": op.sources.model_dump(mode="json", exclude_none=True)
                if op.sources
                else {},
            }
        )
    return {
        "manifest_version": 1,
        "provider": spec.provider.name,
        "version": spec.provider.version,
        "display_name": view.title,
        "package": view.package,
        "distribution": view.distribution,
        "spec_digest": view.spec_digest,
        "generator": {"name": GENERATOR_NAME, "version": GENERATOR_VERSION},
        "base_url": spec.base_url,
        "hosts": hosts(spec),
        "auth": {"type": spec.auth.type},
        "capabilities": [{"name": c.name, "implies": c.implies} for c in spec.capabilities],
        "operations": operations,
    }


def _credential_names(spec: ConnectorSpec) -> str:
    names: list[str] = []
    for scheme in auth_schemes(spec.auth):
        for value in scheme.model_dump().values():
            if isinstance(value, dict) and ("env" in value or "store" in value):
                names.append(value.get("env") or value.get("store") or "")
    return ", ".join(n for n in names if n) or "none"


def _models_source(view: PackageView, env: jinja2.Environment) -> str:
    builder = view.models
    literal = [a for a in builder.aliases if a.is_literal]
    other = order_aliases(builder.aliases)
    code = "\n".join(  # without comments and string contents (descriptions)
        [line for a in literal + other for line in a.lines if not line.startswith("#")]
        + [line for m in builder.models for f in m.fields for line in f.lines()]
    )
    used = code_names(code)
    typing_names = [n for n in ("Annotated", "Any", "Literal") if n in used]
    pydantic_names = ["AfterValidator"] if "AfterValidator" in used else []
    # imported under other names: a schema called Tag or Discriminator keeps its own name;
    # one statement each, after the plain names, as isort (ruff's I001) orders them
    aliased = [f"{n} as Pydantic{n}" for n in ("Discriminator", "Tag") if f"Pydantic{n}" in used]
    if builder.models:
        pydantic_names += ["BaseModel", "ConfigDict"]
    if "Field" in used:
        pydantic_names.append("Field")
    pydantic_names.sort()
    groups: list[list[str]] = [[], [], []]
    if typing_names:
        groups[0].append(f"from typing import {', '.join(typing_names)}")
    if pydantic_names:
        groups[1].append(f"from pydantic import {', '.join(pydantic_names)}")
    groups[1] += [f"from pydantic import {name}" for name in aliased]
    if "TypeAliasType" in used:
        groups[1].append("from typing_extensions import TypeAliasType")
    checks = [n for n in ("property_count", "unique_items") if n in used]
    if checks:
        groups[2].append(f"from ._runtime.validation import {', '.join(checks)}")
    import_lines: list[str] = []
    for group in [g for g in groups if g]:
        import_lines += [*group, ""]
    import_lines = import_lines[:-1]
    return env.get_template("models.py.j2").render(
        title=view.title,
        generator_version=GENERATOR_VERSION,
        import_lines=import_lines,
        literal_aliases=literal,
        other_aliases=other,
        models=builder.models,
        model_docs={m.name: docstring([m.doc], "    ") for m in builder.models},
    )


@dataclass(frozen=True)
class AdapterDef:
    """A cached ``TypeAdapter`` factory of the client module (models imported on first use)."""

    name: str
    expr: str
    imports: list[str]

    @property
    def head(self) -> list[str]:
        """The ``def`` line(s), split inside ``TypeAdapter[...]`` as ruff does when long."""
        one = f"def {self.name}() -> TypeAdapter[{self.expr}]:"
        if len(one) <= 100 or len(f"    {self.expr}") > 100:
            return [one]
        return [f"def {self.name}() -> TypeAdapter[", f"    {self.expr}", "]:"]


def _client_source(view: PackageView, env: jinja2.Environment) -> str:
    abc = ["Callable", "Mapping"]
    if view.has_pagination or any(m.event_type for m in view.methods):
        abc = ["AsyncIterator", "Callable", "Iterator", "Mapping"]
    text = " ".join(
        [expr for _, expr in view.adapters]
        + [a.type_expr for m in view.methods for a in m.args]
        + [m.return_type for m in view.methods]
        + [m.item_type or "" for m in view.methods]
        + [line for m in view.methods for line in m.body_lines]
    )
    used = code_names(text)
    typing_names = [n for n in ("Annotated", "Any", "Literal") if n in used] + ["Self"]
    annotations = " ".join(
        [expr for _, expr in view.adapters]
        + [a.type_expr for m in view.methods for a in m.args]
        + [m.return_type for m in view.methods]
    )
    pydantic_names = ["Field"] if "Field(" in annotations else []
    pydantic_names += ["TypeAdapter"] if view.adapters else []
    if view.client_imports or pydantic_names:
        typing_names.insert(0, "TYPE_CHECKING")
    body = " ".join(line for m in view.methods for line in m.body_lines)
    validation = [
        n for n in ("pick", "validated", "validated_value") if re.search(rf"\b{n}\(", body)
    ]
    text = env.get_template("client.py.j2").render(
        fit=fit_call,
        title=view.title,
        generator_version=GENERATOR_VERSION,
        spec_digest=view.spec_digest,
        client_class=view.client_class,
        abc_imports=", ".join(abc),
        typing_imports=", ".join(typing_names),
        pydantic_imports=", ".join(pydantic_names),
        validation_imports=", ".join(validation),
        model_imports=view.client_imports,
        adapters=view.adapters,
        adapter_defs=[
            AdapterDef(name, expr, local_import(names_in(view.models, [expr]), "    "))
            for name, expr in view.adapters
        ],
        resources=view.resources,
        credential_names=_credential_names(view.spec),
        uses_builtins=any(r.shadowed for r in view.resources),
    )
    if "builtins." not in text:  # a shadowing method whose class needed no builtin type
        text = text.replace("import builtins\n", "", 1)
    return text


_RUNTIME_EXPORTS = [
    "AuthError",
    "ClientError",
    "Clock",
    "ConfigurationError",
    "ConnectorError",
    "DecodeError",
    "RawResponse",
    "RateLimited",
    "RequestValidationError",
    "ServerError",
    "SystemClock",
    "TransportError",
    "VirtualClock",
    "manifest",
]


def _usage_lines(first: Example | None) -> list[str]:
    """The README's first example call, for the package docstring (escaped), or ``...``."""
    if first is None:
        return ["        ..."]
    # escaped as one text: only the docstring's last character must not be a quote
    escaped = doc_text("\n".join(first.lines(""))).split("\n")
    return [f"        {line}" if line else line for line in escaped]


def _error_imports(view: PackageView) -> list[str]:
    used = import_order({name for m in view.methods for _, name, _ in m.errors})
    return _import_lines(".errors", used) if used else []


def _import_lines(module: str, names: list[str]) -> list[str]:
    one = f"from {module} import {', '.join(names)}"
    if len(one) <= 100:
        return [one]
    return [f"from {module} import (", *[f"    {n}," for n in names], ")"]


def _errors_source(view: PackageView, env: jinja2.Environment) -> str:
    models, exports = errors_module_names(view.error_classes)
    return env.get_template("errors.py.j2").render(
        title=view.title,
        generator_version=GENERATOR_VERSION,
        models=models,
        exports=exports,
        classes=[error_lines(c) for c in view.error_classes],
    )


def _isort_order(names: list[str]) -> list[str]:
    return import_order(names, case_sensitive=True)


def render_package(loaded: LoadedSpec) -> GeneratedPackage:
    """Render every file of the connector package for ``loaded`` (nothing is written)."""
    env = _env()
    view = build_view(loaded, GENERATOR_VERSION)
    readme = readme_context(view)  # also gives the package docstring its example
    spec = view.spec
    pkg = view.package
    manifest = build_manifest(view)
    runtime_names = used_runtime_names(spec)
    common = {
        "title": view.title,
        "generator_version": GENERATOR_VERSION,
        "spec_digest": view.spec_digest,
        "package": pkg,
        "client_class": view.client_class,
        "version": spec.provider.version,
    }
    files: dict[str, str | bytes] = {
        f"{pkg}/client.py": _client_source(view, env),
        f"{pkg}/models.py": _models_source(view, env),
        f"{pkg}/_config.py": env.get_template("_config.py.j2").render(
            **common,
            auth_imports=", ".join(sorted({"Auth", *runtime_names["auth_classes"]})),
            has_pagination=runtime_names["pagination"],
            secret_placeholders=runtime_names["secret_placeholders"],
            config_lines=view.config_lines,
            error_import_lines=_error_imports(view),
        ),
        f"{pkg}/errors.py": _errors_source(view, env),
        f"{pkg}/__init__.py": env.get_template("__init__.py.j2").render(
            **common,
            credential_names=_credential_names(spec),
            usage_lines=_usage_lines(readme["first"]),
            exports=_isort_order(
                [
                    *_RUNTIME_EXPORTS,
                    *[c.name for c in view.error_classes],
                    view.client_class,
                    "Async" + view.client_class,
                ]
            ),
            error_names=import_order(
                ["AuthError", "ClientError", "ConfigurationError", "ConnectorError", "DecodeError"]
                + ["RateLimited", "RequestValidationError", "ServerError", "TransportError"]
                + [c.name for c in view.error_classes]
            ),
            client_import=_import_lines(
                ".client", import_order([view.client_class, "Async" + view.client_class])
            ),
        ),
        "pyproject.toml": env.get_template("pyproject.toml.j2").render(
            **common,
            distribution=view.distribution,
            description_toml=json.dumps(spec.provider.description.strip().splitlines()[0]),
            license=spec.provider.license,
        ),
        f"{pkg}/manifest.json": json.dumps(manifest, indent=2, sort_keys=True) + "\n",
        "README.md": env.get_template("README.md.j2").render(
            **common, distribution=view.distribution, **readme
        ),
        f"{pkg}/py.typed": "",
    }
    generated_python = {k: v for k, v in files.items() if k.endswith(".py") and isinstance(v, str)}
    files.update(format_sources(generated_python))
    for name, content in runtime_files().items():
        files[str(PurePosixPath(pkg, "_runtime", name))] = content
    encoded = {
        path: (value if isinstance(value, bytes) else value.encode("utf-8"))
        for path, value in sorted(files.items())
    }
    return GeneratedPackage(package=pkg, files=encoded, manifest=manifest)
