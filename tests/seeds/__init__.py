"""Tests of the seed connectors at real size."""
