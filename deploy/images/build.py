#!/usr/bin/env python3
"""Passerelle's container images, built from this repository and cached by their inputs.

    build.py list                      the images and the tag each would have now
    build.py ensure [NAME...]          load from the cache or build, then cache (all images by default)
    build.py tag NAME                  the tag of one image (e.g. for compose or a test)

Images: `base` (a minimal Debian bookworm root file system made with mmdebstrap from the machine's own Debian
mirror and imported with `docker import`, for machines that reach no registry), one per service
(deploy/images/service.Dockerfile: a Python site resolved from uv.lock on the host, copied into a non-root image),
and the infrastructure the tests need (deploy/images/infra/*.Dockerfile: PostgreSQL 15, Kafka in KRaft mode,
versitygw, clamd, the mail catcher). Every Dockerfile takes its base image as the BASE_IMAGE build argument; real
deployments build on the official images (python:3.11-slim-bookworm, debian:bookworm-slim) and use the official
infrastructure images instead.

Each image is tagged with a digest of its inputs (the Dockerfile, the files it copies, the lock, the sources, the
base image's own digest). A built image is saved (`docker save`, zstd) to $IMAGE_CACHE_DIR (default
.stack/images, git-ignored); a later run with the same inputs loads it in seconds instead of building.

The engine is the one DOCKER_HOST names (see deploy/images/engine.py to start a private one).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CACHE_DIR = Path(os.environ.get("CACHE_DIR", REPO / ".stack" / "cache")).resolve()
IMAGE_CACHE_DIR = Path(os.environ.get("IMAGE_CACHE_DIR", REPO / ".stack" / "images")).resolve()
LABEL = "org.passerelle.image"
PYTHON_VERSION = "3.11"
# glibc of Debian bookworm: the wheels chosen on the host must run on it.
PYTHON_PLATFORM = "x86_64-manylinux_2_36"
DEBIAN_SUITE = "bookworm"
BASE_PACKAGES = ("ca-certificates", "python3")


def _registry():  # scripts/registry.py: the one list of services (services.toml), standard library only
    import importlib.util

    spec = importlib.util.spec_from_file_location("passerelle_registry", REPO / "scripts" / "registry.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("passerelle_registry", module)
    spec.loader.exec_module(module)
    return module


SERVICES = tuple(entry.name for entry in _registry().services())
INFRA = ("postgres", "kafka", "s3", "clamd", "mail")


def log(message: str) -> None:
    print(f"[images] {message}", file=sys.stderr, flush=True)


def run(args: list[str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=True, text=True, **kw)


def docker(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    return run(["docker", *args], **kw)


def image_present(tag: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode == 0


# --------------------------------------------------------------------------- inputs and digests


def files_under(root: Path, *, skip: Iterable[str] = ("__pycache__", "tests", ".pytest_cache", "bench")) -> list[Path]:
    skipped = set(skip)
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not skipped.intersection(path.relative_to(root).parts) and path.suffix != ".pyc":
            out.append(path)
    return out


def digest(parts: Iterable[str | bytes | Path]) -> str:
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            h.update(str(part.relative_to(REPO) if part.is_relative_to(REPO) else part.name).encode())
            h.update(part.read_bytes())
        else:
            h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def debian_mirrors() -> list[str]:
    """The machine's own Debian mirrors (deb822 or one-line sources), as one-line entries for mmdebstrap."""
    if os.environ.get("DEBIAN_MIRROR"):
        return [f"deb {os.environ['DEBIAN_MIRROR']} {DEBIAN_SUITE} main"]
    entries: list[str] = []
    for path in sorted(Path("/etc/apt").glob("sources.list.d/*.sources")):
        for stanza in path.read_text().split("\n\n"):
            fields = dict(
                line.split(":", 1) for line in stanza.splitlines() if ":" in line and not line.startswith("#")
            )
            uris, suites = fields.get("URIs", "").split(), fields.get("Suites", "").split()
            if "deb" in fields.get("Types", "") and "main" in fields.get("Components", "").split():
                entries += [f"deb {u} {s} main" for u in uris for s in suites if s.startswith(DEBIAN_SUITE)]
    for path in [Path("/etc/apt/sources.list"), *Path("/etc/apt").glob("sources.list.d/*.list")]:
        if path.exists():
            for line in path.read_text().splitlines():
                m = re.match(r"deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)", line.strip())
                if m and m.group(2).startswith(DEBIAN_SUITE) and "main" in m.group(3).split():
                    entries.append(f"deb {m.group(1)} {m.group(2)} main")
    return entries or [f"deb http://deb.debian.org/debian {DEBIAN_SUITE} main"]


# --------------------------------------------------------------------------- images


@dataclass
class Image:
    name: str
    repository: str
    inputs: Callable[[], list[str | bytes | Path]]
    build: Callable[[Image, str], None]
    needs_base: bool = True
    build_args: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def key(self) -> str:
        parts: list[str | bytes | Path] = [self.name, *self.inputs()]
        parts += [f"{k}={v}" for k, v in sorted(self.build_args.items())]
        if self.needs_base:
            parts.append(IMAGES["base"].tag)
        return digest(parts)[:16]

    @property
    def tag(self) -> str:
        return f"{self.repository}:{self.key}"

    @property
    def cache_file(self) -> Path:
        return IMAGE_CACHE_DIR / f"{self.name}-{self.key}.tar.zst"

    def ensure(self) -> str:
        """The image present in the engine: already there, loaded from the cache, or built (then cached)."""
        if self.needs_base:
            IMAGES["base"].ensure()
        if image_present(self.tag):
            return self.tag
        started = time.monotonic()
        apt_install("zstd")
        if self.cache_file.exists():
            log(f"{self.name}: loading {self.cache_file.name}")
            with subprocess.Popen(["zstd", "-dcq", str(self.cache_file)], stdout=subprocess.PIPE) as unzip:
                run(["docker", "load", "-q"], stdin=unzip.stdout, stdout=subprocess.DEVNULL)
            if image_present(self.tag):
                log(f"{self.name}: loaded in {time.monotonic() - started:.1f}s")
                return self.tag
            log(f"{self.name}: cache file did not hold {self.tag}; rebuilding")
        log(f"{self.name}: building {self.tag}")
        self.build(self, IMAGES["base"].tag if self.needs_base else "")
        built = time.monotonic()
        self.save()
        log(f"{self.name}: built in {built - started:.1f}s, cached in {time.monotonic() - built:.1f}s")
        return self.tag

    def save(self) -> None:
        IMAGE_CACHE_DIR.mkdir(parents=True, exist_ok=True)
        for stale in IMAGE_CACHE_DIR.glob(f"{self.name}-*.tar.zst"):
            stale.unlink()  # one cached version per image: the folder does not grow with every change
        partial = self.cache_file.with_suffix(".partial")
        with subprocess.Popen(["docker", "save", self.tag], stdout=subprocess.PIPE) as save:
            run(["zstd", "-q", "-T0", "-3", "-o", str(partial), "-f"], stdin=save.stdout)
        if save.returncode:
            raise RuntimeError(f"docker save {self.tag} failed")
        partial.rename(self.cache_file)


def docker_build(image: Image, dockerfile: Path, context: Path, base: str, **args: str) -> None:
    build_args = {"BASE_IMAGE": base, **image.build_args, **args}
    cmd = ["docker", "build", "--network", "host", "-q", "-f", str(dockerfile), "-t", image.tag]
    cmd += ["--label", f"{LABEL}={image.name}", "--label", f"org.passerelle.inputs={image.key}"]
    for k, v in build_args.items():
        cmd += ["--build-arg", f"{k}={v}"]
    done = subprocess.run(
        [*cmd, str(context)], env={**os.environ, "DOCKER_BUILDKIT": "0"}, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"docker build of {image.name} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")


# ----- base


def apt_install(*commands: str) -> None:
    """Debian's packages for the commands the builder runs, installed once when missing (a fresh machine)."""
    missing = [c for c in commands if not shutil.which(c)]
    if not missing:
        return
    log(f"installing {', '.join(missing)} (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        run(["apt-get", "install", "-y", "--no-install-recommends", *missing], env=env, stdout=sys.stderr)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise RuntimeError(f"{', '.join(missing)} missing and apt-get could not install them: {exc}") from exc


def base_inputs() -> list[str | bytes | Path]:
    return [DEBIAN_SUITE, *BASE_PACKAGES, *debian_mirrors()]


def build_base(image: Image, _base: str) -> None:
    apt_install("mmdebstrap")
    with tempfile.TemporaryDirectory(prefix="passerelle-base-") as tmp:
        rootfs = Path(tmp) / "rootfs.tar"
        run(
            [
                "mmdebstrap",
                "--quiet",
                "--variant=minbase",
                f"--include={','.join(BASE_PACKAGES)}",
                # The mirror may be a dated snapshot, whose Release files are past their validity.
                '--aptopt=Acquire::Check-Valid-Until "false"',
                "--dpkgopt=path-exclude=/usr/share/man/*",
                "--dpkgopt=path-exclude=/usr/share/doc/*",
                "--dpkgopt=path-include=/usr/share/doc/*/copyright",
                "--dpkgopt=path-exclude=/usr/share/locale/*",
                "--customize-hook=rm -rf $1/var/lib/apt/lists/* $1/var/cache/apt/*.bin",
                DEBIAN_SUITE,
                str(rootfs),
                *debian_mirrors(),
            ]
        )
        docker(
            "import",
            "--change",
            'CMD ["/bin/bash"]',
            "--change",
            "ENV LANG=C.UTF-8",
            "--change",
            f"LABEL {LABEL}=base",
            str(rootfs),
            image.tag,
            stdout=subprocess.DEVNULL,
        )


# ----- services


def workspace_sources(service: str) -> list[Path]:
    return [
        REPO / "uv.lock",
        REPO / "pyproject.toml",
        *[REPO / p / "pyproject.toml" for p in ("libs", "contracts-schemas", f"services/{service}")],
        # libs.testing (fixtures, fakes) never ships: it is left out of the image and of its digest.
        *files_under(REPO / "libs" / "src", skip=("__pycache__", "tests", ".pytest_cache", "bench", "testing")),
        *files_under(REPO / "contracts-schemas" / "src"),
        *files_under(REPO / "services" / service / "src"),
        *(
            files_under(REPO / "services" / service / "migrations")
            if (REPO / "services" / service / "migrations").exists()
            else []
        ),
        *[p for p in [REPO / "services" / service / "alembic.ini"] if p.exists()],
    ]


def package_name(service: str) -> str:
    return f"passerelle-{service}"


def resolve_site(target: Path, package: str, *, workspace: list[Path]) -> None:
    """The locked third-party dependencies of `package` into target/deps, the workspace packages into target/app."""
    requirements = target / "requirements.txt"
    export = run(
        [
            "uv",
            "export",
            "--frozen",
            "--no-dev",
            "--no-emit-workspace",
            "--package",
            package,
            "--format",
            "requirements-txt",
        ],
        cwd=REPO,
        capture_output=True,
    ).stdout
    requirements.write_text(export)
    common = [
        "--python-version",
        PYTHON_VERSION,
        "--python-platform",
        PYTHON_PLATFORM,
        "--quiet",
        "--link-mode",
        "copy",
    ]
    run(
        [
            "uv",
            "pip",
            "install",
            *common,
            "--require-hashes",
            "--no-deps",
            "--target",
            str(target / "deps"),
            "-r",
            str(requirements),
        ],
        cwd=REPO,
    )
    run(["uv", "pip", "install", *common, "--no-deps", "--target", str(target / "app"), *map(str, workspace)], cwd=REPO)


def build_service(image: Image, base: str) -> None:
    service = image.name
    with tempfile.TemporaryDirectory(prefix=f"passerelle-{service}-", dir=IMAGE_CACHE_DIR) as tmp:
        ctx = Path(tmp)
        resolve_site(
            ctx,
            package_name(service),
            workspace=[REPO / "libs", REPO / "contracts-schemas", REPO / "services" / service],
        )
        shutil.rmtree(ctx / "app" / "passerelle" / "libs" / "testing", ignore_errors=True)
        migrations = ctx / "migrations"
        migrations.mkdir()
        src = REPO / "services" / service
        if (src / "alembic.ini").exists():
            shutil.copy(src / "alembic.ini", migrations / "alembic.ini")
            shutil.copytree(src / "migrations", migrations / "migrations", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(HERE / "service-entrypoint.sh", ctx / "entrypoint.sh")
        shutil.copy(HERE / "logging.json", ctx / "logging.json")
        docker_build(
            image,
            HERE / "service.Dockerfile",
            ctx,
            base,
            SERVICE=service,
            SERVICE_MODULE=service.replace("-", "_"),
        )


def service_image(service: str) -> Image:
    return Image(
        service,
        f"passerelle/{service}",
        lambda: [
            HERE / "service.Dockerfile",
            HERE / "service-entrypoint.sh",
            HERE / "logging.json",
            PYTHON_PLATFORM,
            *workspace_sources(service),
        ],
        build_service,
    )


# ----- infrastructure


def infra_files(name: str) -> list[Path]:
    return sorted((HERE / "infra" / name).rglob("*"))


def kafka_libs() -> Path:
    libs = CACHE_DIR / "kafka" / "libs"
    if not any(libs.glob("kafka_*.jar")):
        raise RuntimeError(f"no Kafka jars in {libs}: run `deploy/native/stack.py install` first")
    return libs


def infra_extras(name: str) -> list[tuple[Path, str]]:
    """Files from outside deploy/images that an infrastructure image copies: (source, name in the context)."""
    if name == "kafka":
        tool = nativestack().kafka.compile_acl_tool(kafka_libs(), IMAGE_CACHE_DIR / "kafka-tools")
        jars = [(p, f"libs/{p.name}") for p in sorted(kafka_libs().glob("*.jar"))]
        return [*jars, (tool / "StackAcls.class", "tools/StackAcls.class")]
    if name == "s3":
        return [(CACHE_DIR / "bin" / "versitygw", "versitygw")]
    if name == "clamd":
        return [(p, f"db/{p.name}") for p in sorted((CACHE_DIR / "clamav-db").glob("*.[hn]db"))]
    if name == "mail":
        return [(REPO / "deploy" / "native" / "mailcatcher.py", "mailcatcher.py")]
    return []


def nativestack():
    """The native stack's component modules: the infrastructure images take their configuration from them."""
    native = str(REPO / "deploy" / "native")
    if native not in sys.path:
        sys.path.insert(0, native)
    import nativestack.clamd
    import nativestack.kafka
    import nativestack.postgres
    import nativestack.s3

    return nativestack


def sh_quote(value: object) -> str:
    """A double-quoted shell word that keeps `$NAME` references live and everything else literal."""
    text = str(value)
    out = []
    for i, ch in enumerate(text):
        if ch in '"\\`':
            out.append("\\" + ch)
        elif ch == "$" and not re.match(r"[A-Za-z_{]", text[i + 1 : i + 2]):
            out.append("\\$")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def infra_generated(name: str) -> dict[str, str]:
    """Files an infrastructure image's entrypoint sources, rendered from the native stack's own configuration
    (deploy/native/nativestack) with `$VARIABLE` references the entrypoint fills in from the container's
    environment: the same settings as the native stack, one source of truth."""
    ns = nativestack()
    if name == "postgres":
        settings = ns.postgres.server_settings(
            port="$PG_PORT", socket_dir="/var/run/postgresql", listen_addresses="$PG_LISTEN"
        )
        args = [a for a in ns.postgres.server_command("postgres", "$PGDATA", settings)[3:]]
        return {
            "server-args.sh": "# generated by deploy/images/build.py from nativestack.postgres.server_settings\n"
            + "set -- "
            + " \\\n  ".join(sh_quote(a) for a in args)
            + "\n",
            "setup.sql": ns.postgres.setup_sql(),
        }
    if name == "kafka":
        props = ns.kafka.server_properties(
            port="$KAFKA_PORT",
            controller_port="$KAFKA_CONTROLLER_PORT",
            log_dirs="/var/lib/kafka/data",
            host="$KAFKA_LISTEN_HOST",
            advertised_host="$KAFKA_ADVERTISED_HOST",
            partitions="$KAFKA_PARTITIONS",
            # SASL as natively: the entrypoint keeps the file 0600 and formats with the admin's SCRAM credential.
            admin_password="$KAFKA_ADMIN_PASSWORD",
            controller_password="$KAFKA_CONTROLLER_PASSWORD",
        )
        return {
            "server-properties.sh": 'cat > "$conf" <<PROPERTIES\n' + ns.kafka.render_properties(props) + "PROPERTIES\n",
            "log4j2.xml": ns.kafka.LOG4J2_XML,
            # The services' ACLs (their SCRAM users come from KAFKA_SCRAM_USERS at format time).
            "acl-plan.txt": "\n".join(ns.kafka.plan_lines()) + "\n",
        }
    if name == "clamd":
        conf = ns.clamd.clamd_conf(
            pid_file="/tmp/clamd/clamd.pid",
            temp_dir="/tmp/clamd",
            database_dir="/var/lib/clamav-local",
            port="$CLAMD_PORT",
            host="$CLAMD_LISTEN_HOST",
        )
        return {"clamd-conf.sh": "cat > /tmp/clamd/clamd.conf <<CONF\n" + conf + "CONF\n"}
    if name == "s3":
        command = ns.s3.server_command("versitygw", port="$S3_PORT", root="/var/lib/s3", host="$S3_LISTEN_HOST")
        return {"server-args.sh": "set -- " + " ".join(sh_quote(a) for a in command[1:]) + "\n"}
    return {}


def infra_inputs(name: str) -> list[str | bytes | Path]:
    parts: list[str | bytes | Path] = [p for p in infra_files(name) if p.is_file()]
    parts += [f"{file}\n{text}" for file, text in sorted(infra_generated(name).items())]
    for source, dest in infra_extras(name):
        # Jars and binaries are large: their name, size and mtime stand for their content.
        st = source.stat()
        parts.append(f"{dest}:{st.st_size}:{int(st.st_mtime)}" if st.st_size > 1 << 20 else source.read_bytes())
    if name == "mail":
        parts.append(REPO / "uv.lock")
    return parts


def build_infra(image: Image, base: str) -> None:
    with tempfile.TemporaryDirectory(prefix=f"passerelle-{image.name}-", dir=IMAGE_CACHE_DIR) as tmp:
        ctx = Path(tmp)
        shutil.copytree(HERE / "infra" / image.name, ctx, dirs_exist_ok=True)
        for file, text in infra_generated(image.name).items():
            (ctx / file).write_text(text)
        for source, dest in infra_extras(image.name):
            (ctx / dest).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, ctx / dest)
        if image.name == "mail":
            # The mail catcher's dependencies, constrained to the versions the tests run with.
            constraints = ctx / "constraints.txt"
            constraints.write_text(
                run(
                    [
                        "uv",
                        "export",
                        "--frozen",
                        "--all-packages",
                        "--no-emit-workspace",
                        "--no-hashes",
                        "--format",
                        "requirements-txt",
                    ],
                    cwd=REPO,
                    capture_output=True,
                ).stdout
            )
            common = ["--python-version", PYTHON_VERSION, "--python-platform", PYTHON_PLATFORM, "--quiet"]
            run(
                [
                    "uv",
                    "pip",
                    "install",
                    *common,
                    "--target",
                    str(ctx / "deps"),
                    "-c",
                    str(constraints),
                    "aiosmtpd",
                    "uvicorn",
                    "starlette",
                ],
                cwd=REPO,
            )
        docker_build(image, ctx / "Dockerfile", ctx, base)


def infra_image(name: str) -> Image:
    return Image(name, f"passerelle/{name}", lambda: infra_inputs(name), build_infra)


IMAGES: dict[str, Image] = {
    "base": Image("base", "passerelle/debian", base_inputs, build_base, needs_base=False),
    **{s: service_image(s) for s in SERVICES},
    **{n: infra_image(n) for n in INFRA},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list")
    ensure = sub.add_parser("ensure")
    ensure.add_argument("names", nargs="*")
    tag = sub.add_parser("tag")
    tag.add_argument("name", choices=sorted(IMAGES))
    args = parser.parse_args(argv)
    if args.command == "list":
        for image in IMAGES.values():
            state = "present" if image_present(image.tag) else ("cached" if image.cache_file.exists() else "to build")
            print(f"{image.name:16} {image.tag:40} {state}")
    elif args.command == "tag":
        print(IMAGES[args.name].tag)
    else:
        names = args.names or list(IMAGES)
        unknown = sorted(set(names) - set(IMAGES))
        if unknown:
            parser.error(f"unknown images: {', '.join(unknown)}")
        IMAGE_CACHE_DIR.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        for name in names:
            print(f"{name}={IMAGES[name].ensure()}")
        log(f"{len(names)} images ready in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
