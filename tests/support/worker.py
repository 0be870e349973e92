"""Placeholder: fixtures are being written."""
