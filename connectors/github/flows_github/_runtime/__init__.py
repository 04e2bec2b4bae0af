"""The client runtime copied into every generated connector package.

It depends only on httpx and pydantic, so a generated connector works without flows
installed. Inside a generated package it lives at ``<package>._runtime``; its modules only
import each other relatively.
"""

from .clock import Clock, SystemClock, VirtualClock
from .errors import (
    AuthError,
    ClientError,
    ConfigurationError,
    ConnectorError,
    DecodeError,
    RateLimited,
    RequestValidationError,
    ServerError,
    TransportError,
)

__all__ = [
    "AuthError",
    "ClientError",
    "Clock",
    "ConfigurationError",
    "ConnectorError",
    "DecodeError",
    "RateLimited",
    "RequestValidationError",
    "ServerError",
    "SystemClock",
    "TransportError",
    "VirtualClock",
]
