"""The delivery tables' Alembic branch (`delivery`): the outbox and inbox, versioned, shipped with libs.

Every service's migration history starts on it: the service's first revision has
`down_revision = "delivery_0001"` (or the branch's head at the time), and the service's alembic.ini and
`passerelle.libs.migrations.upgrade` add `VERSIONS` to its version locations. A change of the outbox or
inbox is a new revision here (`delivery_0002`, `down_revision = "delivery_0001"`); each service then adds a
merge revision (`down_revision = ("<its head>", "delivery_0002")`), which
`libs/tests/integration/test_delivery_migrations.py` asks for by failing until it exists.
"""

from pathlib import Path

VERSIONS = Path(__file__).parent / "versions"
HEAD = "delivery_0001"
