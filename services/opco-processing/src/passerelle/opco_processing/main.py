"""ASGI entry point: `uvicorn passerelle.opco_processing.main:app`."""

from passerelle.opco_processing.bootstrap import bootstrap, create_app

service = bootstrap()
app = create_app(service)
