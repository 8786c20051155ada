"""Event payload models, one module per producing bounded context."""
