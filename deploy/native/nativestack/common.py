"""What every component of the native stack uses: commands, generated files, probes, apt."""

from __future__ import annotations

import os
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

IS_ROOT = os.geteuid() == 0


class StackError(RuntimeError):
    """A failure worth a clear message rather than a traceback."""


def log(msg: str) -> None:
    print(f"[stack] {msg}", flush=True)


def run(
    cmd: list[str],
    *,
    what: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
    input: bytes | None = None,
    timeout: float = 900,
) -> str:
    """Run a command, returning its output; on failure raise with the output's tail."""
    try:
        proc = subprocess.run(
            cmd,
            env=env,
            cwd=cwd,
            user=user,
            group=user,
            input=input,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise StackError(f"{what}: timed out after {timeout:.0f}s") from exc
    out = proc.stdout.decode(errors="replace")
    if proc.returncode != 0:
        raise StackError(f"{what} failed (exit {proc.returncode}):\n{tail_text(out, 40)}")
    return out


def tail_text(text: str, n: int) -> str:
    return "\n".join(text.rstrip().splitlines()[-n:])


def tail_file(path: Path, n: int) -> str:
    if not path.exists():
        return f"(no log at {path})"
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 256 * 1024))  # logs can be big: only read their end
        return tail_text(fh.read().decode(errors="replace"), n)


def write_if_changed(path: Path, content: str, mode: int | None = None) -> bool:
    """Write a generated file; tell whether it changed so running programs get restarted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == content:
        return False
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(content)
    if mode is not None:
        tmp.chmod(mode)
    tmp.replace(path)
    return True


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def url_ready(url: str) -> bool:
    return http_status(url) == 200


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


_apt_updated = False


def apt_install(packages: list[str]) -> None:
    global _apt_updated
    if not IS_ROOT:
        raise StackError(f"missing system packages {packages}: run `stack.py install` as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # A policy-rc.d answering 101 keeps Debian from starting the packaged daemons
    # (clamav-daemon, freshclam): supervisord runs our own instances instead.
    policy = Path("/usr/sbin/policy-rc.d")
    own_policy = not policy.exists()
    if own_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        if not _apt_updated:
            run(["apt-get", "update"], what="apt-get update", env=env)
            _apt_updated = True
        run(
            ["apt-get", "install", "-y", "--no-install-recommends", *packages],
            what=f"apt-get install {' '.join(packages)}",
            env=env,
        )
    finally:
        if own_policy:
            policy.unlink(missing_ok=True)
