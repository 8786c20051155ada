"""The probe web app: uvicorn and nothing else (`/ready`, `/ping`), for what the launchers' switches do.

uvicorn tests.probe.http_app:app --port ...
"""

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def ok(request: object) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/ready", ok), Route("/ping", ok)])
