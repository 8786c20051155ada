"""The S3-compatible object store, through the `minio` client (blocking calls run in threads).

Uploads are streamed: the spooled file is sent as the body of a PUT on a short-lived presigned URL,
so the object never sits whole in memory (minio's put_object reads a whole part, 5 MiB at least, into
memory and hashes it again over plain HTTP). Everything else uses the client's ordinary calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, BinaryIO

import urllib3
from minio import Minio
from minio.error import S3Error

from passerelle.documents.domain.filenames import content_disposition
from passerelle.documents.service_layer.ports import ObjectMissing, StorageError, StoredObject

_BLOCK = 256 * 1024
# A streamed download hops to a worker thread per chunk: fewer, larger chunks.
_READ_BLOCK = 1024 * 1024
_NETWORK_ERRORS = (urllib3.exceptions.HTTPError, OSError)
_MISSING_CODES = ("NoSuchKey", "NoSuchObject", "NotFound")


def _http_client(timeout: float) -> urllib3.PoolManager:
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=min(timeout, 5.0), read=timeout),
        maxsize=32,
        # A store that is down must fail the upload quickly with a clear error, not after minutes.
        retries=urllib3.Retry(total=2, connect=1, backoff_factor=0.1, status_forcelist=(500, 502, 503, 504)),
        blocksize=_BLOCK,
    )


class _Reader:
    def __init__(self, response: Any, size: int) -> None:
        self._response = response
        self.size = size

    def chunks(self) -> Iterator[bytes]:
        try:
            yield from self._response.stream(_READ_BLOCK)
        finally:
            self.close()

    def close(self) -> None:
        self._response.close()
        self._response.release_conn()


class S3Storage:
    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        *,
        secure: bool = False,
        region: str = "us-east-1",
        public_endpoint: str | None = None,
        public_secure: bool | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.bucket = bucket
        self._http = _http_client(timeout)
        self._client = Minio(
            endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region, http_client=self._http
        )
        # URLs handed to browsers are signed for the host they will reach (signing needs no request).
        self._public = (
            Minio(
                public_endpoint,
                access_key=access_key,
                secret_key=secret_key,
                secure=secure if public_secure is None else public_secure,
                region=region,
            )
            if public_endpoint
            else self._client
        )

    # --- writes ----------------------------------------------------------------------------------
    def _put(self, key: str, data: BinaryIO, size: int, media_type: str) -> None:
        url = self._client.presigned_put_object(self.bucket, key, expires=timedelta(minutes=15))
        data.seek(0)
        response = self._http.request(
            "PUT",
            url,
            body=data,
            headers={"Content-Length": str(size), "Content-Type": media_type},
            preload_content=True,
        )
        if response.status != 200:
            raise StorageError(f"PUT {key}: HTTP {response.status} {response.data[:300]!r}")

    async def put(self, key: str, data: BinaryIO, size: int, media_type: str) -> None:
        try:
            await asyncio.to_thread(self._put, key, data, size, media_type)
        except _NETWORK_ERRORS as exc:
            raise StorageError(f"PUT {key}: {exc!r}") from exc

    async def delete(self, key: str) -> None:
        try:
            await asyncio.to_thread(self._client.remove_object, self.bucket, key)
        except S3Error as exc:
            if exc.code not in _MISSING_CODES:
                raise StorageError(f"DELETE {key}: {exc.code}") from exc
        except _NETWORK_ERRORS as exc:
            raise StorageError(f"DELETE {key}: {exc!r}") from exc

    # --- reads -----------------------------------------------------------------------------------
    def _open(self, key: str) -> _Reader:
        response = self._client.get_object(self.bucket, key)
        return _Reader(response, int(response.headers.get("Content-Length", "0")))

    async def open(self, key: str) -> _Reader:
        try:
            return await asyncio.to_thread(self._open, key)
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                raise ObjectMissing(key) from exc
            raise StorageError(f"GET {key}: {exc.code}") from exc
        except _NETWORK_ERRORS as exc:
            raise StorageError(f"GET {key}: {exc!r}") from exc

    def download_url(self, key: str, filename: str, media_type: str, ttl_seconds: int) -> str:
        return self._public.presigned_get_object(
            self.bucket,
            key,
            expires=timedelta(seconds=ttl_seconds),
            response_headers={
                "response-content-disposition": content_disposition(filename),
                "response-content-type": media_type,
            },
        )

    def _list(self, prefix: str) -> list[StoredObject]:
        return [
            StoredObject(o.object_name, o.last_modified)
            for o in self._client.list_objects(self.bucket, prefix=prefix, recursive=True)
            if o.object_name and o.last_modified and not o.is_dir
        ]

    async def list(self, prefix: str) -> list[StoredObject]:
        try:
            return await asyncio.to_thread(self._list, prefix)
        except (S3Error, *_NETWORK_ERRORS) as exc:
            raise StorageError(f"LIST {prefix}: {exc!r}") from exc
