"""Test helpers: fakes and sample events for unit tests (`fakes`, `events`); the real stack, fresh databases,
Kafka, tokens and service processes for integration and end-to-end tests."""
