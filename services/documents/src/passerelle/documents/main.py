"""ASGI entry point: `uvicorn passerelle.documents.main:app`."""

from passerelle.documents.bootstrap import bootstrap

service = bootstrap()
app = service.app()
