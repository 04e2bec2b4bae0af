"""Tests of the package index, lock files and catalog site."""
