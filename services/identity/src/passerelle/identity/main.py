"""ASGI entry point: `uvicorn passerelle.identity.main:app`."""

from passerelle.identity.bootstrap import bootstrap

service = bootstrap()
app = service.app()
