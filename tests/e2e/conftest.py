import uuid
from pathlib import Path

import pytest

from passerelle.libs.testing.stack import REPO, ensure_stack


@pytest.fixture(scope="session")
def stack() -> dict[str, str]:
    return ensure_stack()


@pytest.fixture(scope="session")
def log_dir() -> Path:
    path = REPO / ".stack" / "test-logs" / uuid.uuid4().hex[:8]
    path.mkdir(parents=True, exist_ok=True)
    return path
