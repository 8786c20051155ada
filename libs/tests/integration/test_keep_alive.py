"""Idle connections between services: the client lets go of one before the server closes it.

A request sent on a connection the server is closing at that very moment fails (`Server disconnected without
sending a response`, `ReadError`): with client and server both at uvicorn's 5 s, the national benchmark lost a
transmission that way now and then. Here a real uvicorn, launched as the platform launches the services."""

from __future__ import annotations

import asyncio
import socket

import pytest

from passerelle.libs.client import IDLE_CONNECTION_SECONDS, ServiceClient
from passerelle.libs.testing.processes import ServiceProcess

pytestmark = pytest.mark.integration
UVICORN_DEFAULT_KEEP_ALIVE = 5.0


@pytest.fixture
def probe(tmp_path):
    process = ServiceProcess.uvicorn("probe-http", "tests.probe.http_app:app", {}, tmp_path).start()
    try:
        yield process
    finally:
        process.stop()


def ping(conn: socket.socket) -> bytes:
    conn.sendall(b"GET /ping HTTP/1.1\r\nHost: probe\r\n\r\n")
    answer = b""
    while not answer.endswith(b"ok"):
        chunk = conn.recv(4096)
        if not chunk:
            return answer  # closed by the server
        answer += chunk
    return answer


async def test_the_service_keeps_an_idle_connection_past_uvicorns_default(probe):
    with socket.create_connection(("127.0.0.1", probe.port), timeout=10) as conn:
        assert ping(conn).startswith(b"HTTP/1.1 200")
        await asyncio.sleep(UVICORN_DEFAULT_KEEP_ALIVE + 1.5)
        assert ping(conn).startswith(b"HTTP/1.1 200"), "the server closed the idle connection"


async def test_the_kit_client_drops_its_idle_connection_first_and_opens_another(probe):
    client = ServiceClient(probe.url)
    try:
        first = await client.get("/ping")
        before = first.extensions["network_stream"].get_extra_info("client_addr")
        await asyncio.sleep(IDLE_CONNECTION_SECONDS / 2)
        again = await client.get("/ping")
        assert again.extensions["network_stream"].get_extra_info("client_addr") == before  # reused while fresh
        await asyncio.sleep(IDLE_CONNECTION_SECONDS + 0.5)
        later = await client.get("/ping")
        assert later.status_code == 200
        assert later.extensions["network_stream"].get_extra_info("client_addr") != before
    finally:
        await client.aclose()
