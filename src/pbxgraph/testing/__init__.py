"""Test kit other packages reuse: the connector contract suite and fixtures."""
