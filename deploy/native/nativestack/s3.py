"""The S3-compatible object store: versitygw (posix backend), built from its Go module."""

from __future__ import annotations

import io
import os
import shutil
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .common import StackError, log, run
from .config import Config

if TYPE_CHECKING:
    from minio import Minio

VERSITYGW_MODULE = "github.com/versity/versitygw/cmd/versitygw"
VERSITYGW_VERSION = "v1.8.0"


def installed(cfg: Config) -> bool:
    return cfg.versitygw_bin.exists()


def install(cfg: Config) -> None:
    stamp = cfg.versitygw_bin.with_name("versitygw.version")
    if cfg.versitygw_bin.exists() and stamp.exists() and stamp.read_text().strip() == VERSITYGW_VERSION:
        log(f"versitygw {VERSITYGW_VERSION} present")
        return
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not Path(go).exists():
        raise StackError("go toolchain not found")
    gopath = cfg.cache_dir / "go"
    env = {
        **os.environ,
        "GOBIN": str(cfg.versitygw_bin.parent),
        "GOPATH": str(gopath),
        "GOMODCACHE": str(gopath / "mod"),
        "GOCACHE": str(gopath / "build"),
        # -modcacherw: a read-only module cache would make `rm -rf .stack` fail.
        "GOFLAGS": "-modcacherw",
        "CGO_ENABLED": "0",
    }
    log(f"building versitygw {VERSITYGW_VERSION} with go install (about 2 minutes)")
    run([go, "install", f"{VERSITYGW_MODULE}@{VERSITYGW_VERSION}"], what="go install versitygw", env=env)
    stamp.write_text(VERSITYGW_VERSION + "\n")
    log("versitygw built")


def server_command(binary: str, port: int | str, root: str, host: str = "127.0.0.1") -> list[str]:
    # --keep-alive: versitygw closes every connection after one request unless told (`Connection: close`), so
    # each upload and read of the documents service opened a TCP connection anew, as no S3 service makes it.
    return [binary, "--port", f"{host}:{port}", "--keep-alive", "posix", root]


def server_env(access_key: str, secret_key: str) -> dict[str, str]:
    """versitygw takes its root credentials from the environment."""
    return {"ROOT_ACCESS_KEY": access_key, "ROOT_SECRET_KEY": secret_key}


def configure(cfg: Config) -> list[str]:
    (cfg.stack_dir / "s3").mkdir(parents=True, exist_ok=True)
    return server_command(str(cfg.versitygw_bin), cfg.port("S3_PORT"), str(cfg.stack_dir / "s3"))


def client(cfg: Config) -> Minio:
    from minio import Minio

    return Minio(
        f"127.0.0.1:{cfg.port('S3_PORT')}",
        access_key=cfg.s3_access_key,
        secret_key=cfg.s3_secret_key,
        secure=False,
        region="us-east-1",
    )


def probe(cfg: Config) -> bool:
    client(cfg).list_buckets()  # signed request: checks credentials as well
    return True


def setup(cfg: Config) -> None:
    s3 = client(cfg)
    if not s3.bucket_exists(cfg.s3_bucket):
        s3.make_bucket(cfg.s3_bucket)
    # Presigned URLs are what the portal hands to browsers: prove they work end to end.
    key, body = "_stack/presign-check", b"presign ok"
    s3.put_object(cfg.s3_bucket, key, io.BytesIO(body), len(body))
    try:
        url = s3.presigned_get_object(cfg.s3_bucket, key, expires=timedelta(minutes=5))
        with urllib.request.urlopen(url, timeout=10) as resp:
            if resp.read() != body:
                raise StackError("s3 presigned GET returned unexpected content")
    finally:
        s3.remove_object(cfg.s3_bucket, key)
    log(f"s3 bucket {cfg.s3_bucket} ready, presigned GET verified")
