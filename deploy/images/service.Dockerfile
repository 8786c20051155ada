# One image per service, all from this file (deploy/images/build.py passes SERVICE and SERVICE_MODULE).
# The build context is prepared on the host by build.py from uv.lock: deps/ holds the locked third-party
# packages (hash-checked wheels for CPython 3.11 on glibc 2.36), app/ the workspace packages (libs, schemas, the
# service), migrations/ the service's Alembic files. No compiler, pip or uv ever enters the image.
#
# BASE_IMAGE: any Debian bookworm image with CPython 3.11 on PATH as python3. The official image by default;
# build.py passes the project's own mmdebstrap base where no registry is reachable.
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
ARG SERVICE
ARG SERVICE_MODULE
# Console scripts were written by the host's installer: point them at the image's interpreter. Byte-compile here
# so the read-only image never writes __pycache__ at run time. The third-party layer comes first: it changes only
# with the lock, so a code change rebuilds the small layers after it.
COPY deps /opt/passerelle/deps
RUN set -eu; \
    for script in /opt/passerelle/deps/bin/*; do \
      [ -f "$script" ] && sed -i '1s|^#!.*python.*$|#!/usr/bin/env python3|' "$script" || true; \
    done; \
    find /opt/passerelle/deps -name '__pycache__' -prune -exec rm -rf {} +; \
    python3 -m compileall -q -j 0 /opt/passerelle/deps > /dev/null || true
COPY app /opt/passerelle/app
COPY migrations /opt/passerelle/migrations
COPY entrypoint.sh logging.json /opt/passerelle/
# Fail the build if the app cannot import.
RUN set -eu; \
    for script in /opt/passerelle/app/bin/*; do \
      [ -f "$script" ] && sed -i '1s|^#!.*python.*$|#!/usr/bin/env python3|' "$script" || true; \
    done; \
    find /opt/passerelle/app -name '__pycache__' -prune -exec rm -rf {} +; \
    python3 -m compileall -q -j 0 /opt/passerelle/app > /dev/null; \
    chmod 0755 /opt/passerelle/entrypoint.sh; \
    PYTHONPATH=/opt/passerelle/app:/opt/passerelle/deps python3 -c "import passerelle.${SERVICE_MODULE}.main"

FROM ${BASE_IMAGE}
ARG SERVICE
ARG SERVICE_MODULE
LABEL org.opencontainers.image.title="passerelle-${SERVICE}" \
      org.opencontainers.image.source="https://example.invalid/passerelle" \
      org.passerelle.service="${SERVICE}"
RUN groupadd --system --gid 10001 passerelle \
 && useradd --system --uid 10001 --gid passerelle --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin passerelle
COPY --from=build /opt/passerelle/deps /opt/passerelle/deps
COPY --from=build /opt/passerelle/app /opt/passerelle/app
COPY --from=build /opt/passerelle/migrations /opt/passerelle/migrations
COPY --from=build /opt/passerelle/entrypoint.sh /opt/passerelle/logging.json /opt/passerelle/
ENV PASSERELLE_SERVICE="${SERVICE}" \
    PASSERELLE_SERVICE_MODULE="${SERVICE_MODULE}" \
    PYTHONPATH=/opt/passerelle/app:/opt/passerelle/deps \
    PATH=/opt/passerelle/app/bin:/opt/passerelle/deps/bin:/usr/local/bin:/usr/bin:/bin \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000
USER 10001:10001
WORKDIR /opt/passerelle
EXPOSE 8000
# /health says the process is alive; readiness (/ready: database, Kafka) is for the orchestrator's own probe.
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=5 \
  CMD ["python3", "-c", "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/health\", timeout=2).status == 200 else 1)"]
ENTRYPOINT ["/opt/passerelle/entrypoint.sh"]
CMD ["serve"]
