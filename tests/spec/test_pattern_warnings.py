"""A provider's pattern that Python's re module warns about is accepted without noise."""

from __future__ import annotations

import warnings

from connector_spec.jsonschema_subset import SchemaNode


def test_a_pattern_with_a_possible_nested_set_prints_no_warning() -> None:
    pattern = "^[[a-z]]+$"  # e.g. real descriptions: re says "Possible nested set"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        node = SchemaNode.model_validate({"type": "string", "pattern": pattern})
    assert node.pattern == pattern
