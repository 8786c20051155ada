import sys
from types import ModuleType

import pytest

from passerelle.libs.testing.stack import REPO, load_registry

NATIVE = REPO / "deploy" / "native"


@pytest.fixture(scope="session")
def registry() -> ModuleType:
    return load_registry()


@pytest.fixture(scope="session")
def nativestack() -> ModuleType:
    """The native stack's package, imported as stack.py imports it (deploy/native on the path)."""
    if str(NATIVE) not in sys.path:
        sys.path.insert(0, str(NATIVE))
    import nativestack

    return nativestack
