"""Base-URL variables for certification: values made up for variables without a default.

A spec may leave a server variable without a default (a tenant host, an instance URL): every
user of the connector passes their own. Certification talks to a mock transport, so any valid
value will do; one is synthesized (the first ``enum`` value, else an example such as
``example.com`` that matches the variable's ``pattern``) and recorded in the evidence. A
variable no value can be found for, or a base URL the client would refuse, is bad input
located at the variable in the spec: never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from certify.errors import CertifyInputError
from connector_spec.loader import LoadedSpec
from connector_spec.model import ServerVariable, path_secret_names
from connector_spec.runtime.errors import ConfigurationError
from connector_spec.runtime.servers import EnvironmentInfo, ServerVariableInfo, resolve_base_url
from connector_spec.yaml_source import Loc, parse_yaml

#: What the client accepts as a variable value (connector_spec.runtime.servers).
_VALUE_SAFE = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_EXAMPLES: dict[str, tuple[str, ...]] = {
    "host": ("example.com", "example", "example.com:443", "1"),
    "region": ("us-east-1", "eu-west-1", "example", "1"),
    "string": ("example", "example.com", "v1", "1", "a"),
}
_HINT = (
    "give the variable a 'default:' (or an 'enum:') with a valid value; certification needs "
    "a concrete base URL"
)


@dataclass(frozen=True)
class SynthesizedVariable:
    """A value certification made up for a server variable that has no default."""

    name: str
    value: str
    source: str  # "enum" (its first usable value) | "example"

    def to_json(self) -> dict[str, str]:
        """JSON-ready form (recorded in the statement's predicate)."""
        return {"name": self.name, "value": self.value, "from": self.source}


def _place(loaded: LoadedSpec, loc: Loc) -> str:
    """``file:line:col: dotted.path`` of ``loc`` in the spec."""
    position = parse_yaml(loaded.raw, str(loaded.path)).source_map.position(loc)
    line, column = position or (1, 1)
    dotted = ".".join(str(p) for p in loc)
    return f"{loaded.path}:{line}:{column}: {dotted}"


def _usable(value: str, variable: ServerVariable) -> bool:
    if not _VALUE_SAFE.match(value):
        return False
    if variable.enum is not None and value not in variable.enum:
        return False
    return variable.pattern is None or re.fullmatch(variable.pattern, value) is not None


def _synthesize(name: str, variable: ServerVariable) -> SynthesizedVariable | None:
    if variable.enum:
        for value in variable.enum:
            if _usable(value, variable):
                return SynthesizedVariable(name, value, "enum")
        return None
    for value in _EXAMPLES[variable.kind]:
        if _usable(value, variable):
            return SynthesizedVariable(name, value, "example")
    return None


def certification_variables(loaded: LoadedSpec) -> list[SynthesizedVariable]:
    """A value for every server variable without a default, in declaration order.

    Raises :class:`CertifyInputError` (exit 2), located at the variable, when a default is one
    the client refuses or no value can be made up (an ``enum``/``pattern`` nothing fits).
    """
    made: list[SynthesizedVariable] = []
    for name, variable in loaded.spec.variables.items():
        if variable.default is not None:
            if not _usable(variable.default, variable):
                raise CertifyInputError(
                    f"{_place(loaded, ('variables', name, 'default'))}: the default "
                    f"{variable.default!r} of server variable {name!r} is not a value the "
                    "client accepts (a plain host name or label"
                    + (f" matching {variable.pattern!r}" if variable.pattern else "")
                    + ")",
                    hint="fix the default: letters, digits, dots and dashes, optionally :port",
                )
            continue
        synthesized = _synthesize(name, variable)
        if synthesized is None:
            wanted = (
                f"one of {variable.enum}"
                if variable.enum
                else f"a value matching {variable.pattern!r}"
                if variable.pattern
                else "a value"
            )
            raise CertifyInputError(
                f"{_place(loaded, ('variables', name))}: server variable {name!r} has no "
                f"default and certification could not make up {wanted} that the client "
                "accepts",
                hint=_HINT,
            )
        made.append(synthesized)
    return made


def check_base_urls(
    loaded: LoadedSpec, made: list[SynthesizedVariable], environments: Iterable[str | None]
) -> None:
    """Resolve the base URL for each environment certification uses, as the client will.

    A :class:`ConfigurationError` the client would raise becomes a located
    :class:`CertifyInputError` instead of a traceback in the middle of the matrix.
    """
    spec = loaded.spec
    declared = {
        name: ServerVariableInfo(
            v.default, tuple(v.enum) if v.enum is not None else None, v.pattern
        )
        for name, v in spec.variables.items()
    }
    envs = {
        name: EnvironmentInfo(e.base_url, tuple(sorted(e.variables.items())))
        for name, e in spec.environments.items()
    }
    for environment in dict.fromkeys(environments):
        try:
            resolve_base_url(
                spec.base_url,
                declared,
                envs,
                allow_insecure_loopback=spec.allow_insecure_loopback,
                environment=environment,
                variables=variables_for(loaded, made, environment),
                secret_placeholders=path_secret_names(spec.auth),
            )
        except ConfigurationError as error:
            loc: Loc = ("base_url",)
            if environment is not None and environment in spec.environments:
                loc = ("environments", environment)
            raise CertifyInputError(
                f"{_place(loaded, loc)}: the client refuses this base URL"
                + (f" in environment {environment!r}" if environment else "")
                + f": {error}",
                hint="fix base_url, its variables or the environment so that the client can "
                "build an https:// URL from them",
            ) from None


def variables_for(
    loaded: LoadedSpec, made: list[SynthesizedVariable], environment: str | None
) -> dict[str, str]:
    """The synthesized values a client in ``environment`` gets (the environment's own win)."""
    own: dict[str, Any] = {}
    if environment is not None and environment in loaded.spec.environments:
        own = loaded.spec.environments[environment].variables
    return {v.name: v.value for v in made if v.name not in own}
