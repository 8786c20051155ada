#!/usr/bin/env python3
"""A Docker engine for the container path: the one that answers, or a private one started here.

engine.py start    prints `export DOCKER_HOST=...`: the engine DOCKER_HOST names, else the system one, else a
                   private dockerd (installed with apt-get docker.io if missing) with its data, exec root and
                   socket under $ENGINE_DIR (default .stack/docker), no bridge and no iptables: containers
                   run on the host network, so all traffic stays on 127.0.0.1
engine.py stop     stops the private dockerd if this script started it (never an engine it found running)
engine.py reap     removes the containers labelled org.passerelle.session (left by an interrupted run:
                   Ryuk, testcontainers' own reaper, needs an image from a registry)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENGINE_DIR = Path(os.environ.get("ENGINE_DIR", REPO / ".stack" / "docker")).resolve()
SESSION_LABEL = "org.passerelle.session"


def log(message: str) -> None:
    print(f"[engine] {message}", file=sys.stderr, flush=True)


def answers(host: str | None) -> bool:
    env = {**os.environ, **({"DOCKER_HOST": host} if host else {})}
    if not shutil.which("docker"):
        return False
    try:
        return (
            subprocess.run(
                ["docker", "version", "--format", "{{.Server.Version}}"], env=env, capture_output=True, timeout=10
            ).returncode
            == 0
        )
    except subprocess.TimeoutExpired:
        return False


def private_host() -> str:
    return f"unix://{ENGINE_DIR / 'docker.sock'}"


def start() -> str:
    for host in (os.environ.get("DOCKER_HOST"), "unix:///var/run/docker.sock"):
        if host and answers(host):
            return host
    host = private_host()
    if answers(host):
        return host
    if not shutil.which("dockerd"):
        log("installing docker.io (apt-get)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        # apt-get's report goes to stderr: stdout carries only the `export DOCKER_HOST=...` line the caller evaluates.
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "docker.io"],
            check=True,
            env=env,
            stdout=sys.stderr,
        )
    for d in ("data", "exec"):
        (ENGINE_DIR / d).mkdir(parents=True, exist_ok=True)
    (ENGINE_DIR / "docker.sock").unlink(missing_ok=True)
    storage = os.environ.get("DOCKER_STORAGE_DRIVER", "overlay2")
    cmd = [
        "dockerd",
        "--data-root", str(ENGINE_DIR / "data"),
        "--exec-root", str(ENGINE_DIR / "exec"),
        "--host", host,
        "--pidfile", str(ENGINE_DIR / "dockerd.pid"),
        "--storage-driver", storage,
        "--bridge=none", "--iptables=false", "--ip6tables=false",
    ]  # fmt: skip
    log(f"starting a private dockerd ({ENGINE_DIR}, {storage})")
    with (ENGINE_DIR / "dockerd.log").open("ab") as out:
        subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while not answers(host):
        if time.monotonic() > deadline:
            tail = (ENGINE_DIR / "dockerd.log").read_text(errors="replace").splitlines()[-20:]
            raise SystemExit("dockerd did not answer within 60 s:\n" + "\n".join(tail))
        time.sleep(0.5)
    (ENGINE_DIR / "started-here").write_text(host)
    return host


def stop() -> None:
    marker, pidfile = ENGINE_DIR / "started-here", ENGINE_DIR / "dockerd.pid"
    if not marker.exists() or not pidfile.exists():
        return
    pid = int(pidfile.read_text().strip())
    reap(marker.read_text().strip())
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.3)
    marker.unlink(missing_ok=True)
    log("private dockerd stopped")


def reap(host: str | None = None) -> int:
    env = {**os.environ, **({"DOCKER_HOST": host} if host else {})}
    ids = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label={SESSION_LABEL}"], env=env, capture_output=True, text=True
    ).stdout.split()
    if ids:
        subprocess.run(["docker", "rm", "-f", "-v", *ids], env=env, capture_output=True)
    return len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop", "reap"])
    args = parser.parse_args()
    if args.command == "start":
        print(f"export DOCKER_HOST={start()}")
    elif args.command == "stop":
        stop()
    else:
        log(f"removed {reap()} leftover containers")


if __name__ == "__main__":
    main()
