"""ASGI entry point: `uvicorn passerelle.opco_processing.main:app`."""

from passerelle.opco_processing.bootstrap import bootstrap

service = bootstrap()
app = service.app()
