"""The probe's tables: changes written by the producer, effects applied by the consumer.

The effect table has no unique constraint on purpose: a duplicate delivery that slipped past the
inbox would show up as two rows for one sequence number.
"""

import sqlalchemy as sa

metadata = sa.MetaData()

probe_change = sa.Table(
    "probe_change",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("run_id", sa.Text, nullable=False),
    sa.Column("sequence", sa.BigInteger, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)

probe_effect = sa.Table(
    "probe_effect",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("run_id", sa.Text, nullable=False),
    sa.Column("sequence", sa.BigInteger, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("clock_timestamp()")),
)
