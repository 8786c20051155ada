"""Creates every topic of the registry with its declared partition count (the Helm chart's topics Job).

    python -m passerelle.libs.topics [--replication-factor N]

PASSERELLE_TOPIC_PARTITIONS reads `default=12,contract.transmitted=24,...`. A missing topic is created; an existing
one with fewer partitions than declared grows (keys then move once, which is why counts are set before launch);
a declared count lower than the existing one is refused: partitions can never shrink.
Kafka credentials: PASSERELLE_KAFKA_SECURITY_PROTOCOL, PASSERELLE_KAFKA_SASL_MECHANISM, _USERNAME, _PASSWORD or
_PASSWORD_FILE (libs.kafka_auth); the principal must be allowed to create topics.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from passerelle.libs.kafka_auth import kafka_options


def declared_partitions(spec: str, topics: list[str]) -> dict[str, int]:
    counts = dict(item.split("=", 1) for item in spec.split(",") if "=" in item)
    default = int(counts.pop("default", "6"))
    unknown = sorted(set(counts) - set(topics))
    if unknown:
        raise SystemExit(f"partitions declared for topics not in the registry: {', '.join(unknown)}")
    return {topic: int(counts.get(topic, default)) for topic in topics}


async def provision(bootstrap: str, wanted: dict[str, int], replication: int) -> list[str]:
    from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **kafka_options())
    await admin.start()
    report = []
    try:
        existing = {
            t["topic"]: len(t["partitions"])
            for t in await admin.describe_topics(list(wanted))
            if not t.get("error_code")
        }
        missing = [NewTopic(t, n, replication) for t, n in wanted.items() if t not in existing]
        if missing:
            await admin.create_topics(missing)
            report += [f"created {t.name} ({t.num_partitions} partitions)" for t in missing]
        shrink = sorted(t for t, n in wanted.items() if t in existing and n < existing[t])
        if shrink:
            raise SystemExit(f"partitions cannot shrink: {', '.join(f'{t} has {existing[t]}' for t in shrink)}")
        grow = {t: NewPartitions(n) for t, n in wanted.items() if t in existing and n > existing[t]}
        if grow:
            await admin.create_partitions(grow)
            report += [f"grew {t} from {existing[t]} to {p.total_count} partitions" for t, p in grow.items()]
    finally:
        await admin.close()
    return report


def main(argv: list[str] | None = None) -> None:
    from passerelle.schemas import TOPICS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kafka", default=os.environ.get("PASSERELLE_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--replication-factor", type=int, default=1)
    args = parser.parse_args(argv)
    wanted = declared_partitions(os.environ.get("PASSERELLE_TOPIC_PARTITIONS", "default=6"), sorted(TOPICS))
    for line in asyncio.run(provision(args.kafka, wanted, args.replication_factor)) or ["every topic as declared"]:
        print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
