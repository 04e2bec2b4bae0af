"""Tests that keep the documents in docs/ true."""
