"""ASGI entry point: `uvicorn passerelle.portal.main:app`."""

from passerelle.portal.bootstrap import bootstrap

service = bootstrap()
app = service.app()
