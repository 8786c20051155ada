import os
import uuid
from pathlib import Path

import pytest

from passerelle.libs.testing.stack import REPO, ensure_stack


@pytest.fixture(scope="session")
def log_dir() -> Path:
    path = REPO / ".stack" / "test-logs" / uuid.uuid4().hex[:8]
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def stack(log_dir: Path):
    """The native test stack, or with PASSERELLE_TESTCONTAINERS=1 the whole platform in containers (infrastructure
    and the six services, started with Testcontainers and removed afterwards, even after a failure)."""
    if os.environ.get("PASSERELLE_TESTCONTAINERS") != "1":
        yield ensure_stack()
        return
    from passerelle.libs.testing.containers import ContainerStack

    saved = dict(os.environ)
    with ContainerStack(log_dir / "containers") as env:
        os.environ.update(env)
        try:
            yield dict(os.environ)
        finally:
            os.environ.clear()
            os.environ.update(saved)
