"""The registry fixtures (a fresh registry on a fixed clock, readers over it)."""

from tests.registry.conftest import clock, notices, reader, reg

__all__ = ["clock", "notices", "reader", "reg"]
