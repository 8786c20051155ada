"""Traces (OpenTelemetry, context carried in CloudEvents headers), Prometheus metrics and log context, the same
for every service. `Service` wires them in; nothing here knows a service."""
