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


@pytest.fixture(autouse=True)
def no_container_outlives_its_process(request: pytest.FixtureRequest):
    """In containers, a test leaves no service running that it stopped or killed: such a container would go on
    consuming beside the next tests, from its own database (it happened: mails reached another run's people).
    Checked after each test, with the containers its still-open fixtures hold left out; any found are removed."""
    yield
    if os.environ.get("PASSERELLE_TESTCONTAINERS") != "1":
        return
    from passerelle.libs.testing import containers
    from passerelle.libs.testing.processes import ServiceProcess

    orphans = containers.process_containers() - ServiceProcess.live_containers
    for name in orphans:
        containers.docker_remove(name)
    assert not orphans, f"containers left running by {request.node.nodeid} (removed): {sorted(orphans)}"
