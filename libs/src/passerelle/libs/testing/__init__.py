"""Helpers for integration and end-to-end tests on the real local stack (no fakes here)."""
