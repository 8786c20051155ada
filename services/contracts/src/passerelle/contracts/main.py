"""ASGI entry point: `uvicorn passerelle.contracts.main:app`."""

from passerelle.contracts.bootstrap import bootstrap

service = bootstrap()
app = service.app()
