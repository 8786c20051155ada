"""The mail catcher: an SMTP sink that keeps every message, with a web page and a JSON API (mailcatcher.py)."""

from __future__ import annotations

import socket

from .common import http_status
from .config import HERE, VENV, Config

MAILCATCHER = HERE / "mailcatcher.py"


def configure(cfg: Config) -> list[str]:
    (cfg.stack_dir / "mail").mkdir(parents=True, exist_ok=True)
    return [
        str(VENV / "bin" / "python"),
        str(MAILCATCHER),
        "--dir",
        str(cfg.stack_dir / "mail"),
        "--smtp-port",
        str(cfg.port("SMTP_PORT")),
        "--web-port",
        str(cfg.port("MAIL_WEB_PORT")),
    ]


def probe(cfg: Config) -> bool:
    with socket.create_connection(("127.0.0.1", cfg.port("SMTP_PORT")), timeout=3) as s:
        if not s.recv(512).startswith(b"220"):
            return False
    return http_status(f"http://127.0.0.1:{cfg.port('MAIL_WEB_PORT')}/api/messages") == 200
