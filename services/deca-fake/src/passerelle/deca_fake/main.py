"""ASGI entry point: `uvicorn passerelle.deca_fake.main:app`."""

from passerelle.deca_fake.bootstrap import bootstrap

service = bootstrap()
app = service.app()
