"""ASGI entry point: `uvicorn passerelle.notifier.main:app`."""

from passerelle.notifier.bootstrap import bootstrap

service = bootstrap()
app = service.app()
