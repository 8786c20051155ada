"""Test data of the contracts service (complete sample forms, documents), for its tests and the e2e tests."""
