"""/health (the process is alive) and /ready (its dependencies answer), the same in every service."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import sqlalchemy as sa
from aiokafka import AIOKafkaClient
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from passerelle.libs.kafka_auth import KafkaAuth, kafka_options

Check = Callable[[], Awaitable[None]]
CHECK_TIMEOUT = 3.0


def database_check(engine: AsyncEngine) -> Check:
    async def check() -> None:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    return check


def kafka_check(bootstrap: str, auth: KafkaAuth | None = None) -> Check:
    async def check() -> None:
        client = AIOKafkaClient(
            bootstrap_servers=bootstrap, request_timeout_ms=int(CHECK_TIMEOUT * 1000), **kafka_options(auth)
        )
        try:
            await client.bootstrap()
        finally:
            await client.close()

    return check


def tcp_banner_check(host: str, port: int, expect: bytes) -> Check:
    """A server that greets first (SMTP answers 220...)."""

    async def check() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            banner = await reader.readline()
            if not banner.startswith(expect):
                raise ConnectionError(f"unexpected banner {banner!r}")
        finally:
            writer.close()

    return check


def health_router(checks: dict[str, Check]) -> APIRouter:
    router = APIRouter(tags=["santé"])

    @router.get("/health", summary="Le processus répond")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/ready", summary="Les dépendances du service répondent")
    async def ready() -> JSONResponse:
        results = await asyncio.gather(*(_timed(c) for c in checks.values()))
        report = dict(zip(checks, results, strict=True))
        ok = all(r["status"] == "ok" for r in report.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": report}, status_code=200 if ok else 503)

    return router


async def _timed(check: Check) -> dict[str, object]:
    start = time.perf_counter()
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT)
        return {"status": "ok", "ms": round((time.perf_counter() - start) * 1000, 1)}
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return {"status": "error", "error": repr(exc)[:300]}


def s3_check(endpoint: str, access_key: str, secret_key: str, bucket: str, secure: bool = False) -> Check:
    from minio import Minio

    client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure)

    async def check() -> None:
        if not await asyncio.to_thread(client.bucket_exists, bucket):
            raise LookupError(f"bucket {bucket} is missing")

    return check


def clamd_check(host: str, port: int) -> Check:
    async def check() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(b"zPING\0")
            await writer.drain()
            answer = await reader.readuntil(b"\0")
            if answer.rstrip(b"\0") != b"PONG":
                raise ConnectionError(f"unexpected clamd answer {answer!r}")
        finally:
            writer.close()

    return check
