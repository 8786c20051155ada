"""A notifier mail sender alone in its own process, for the test that kills it with SIGKILL mid-batch.

python mail_sender_process.py DATABASE_URL SMTP_HOST SMTP_PORT
"""

from __future__ import annotations

import asyncio
import sys

from passerelle.notifier.bootstrap import bootstrap
from passerelle.notifier.config import Settings
from passerelle.notifier.entrypoints.background import MailDelivery


async def main(database_url: str, smtp_host: str, smtp_port: int) -> None:
    settings = Settings(
        database_url=database_url,
        smtp_host=smtp_host,
        smtp_port=smtp_port,
        consumers_enabled=False,
        relay_in_process=False,
        background_enabled=False,
        log_json=False,
        log_level="WARNING",
    )
    context = bootstrap(settings).context
    sender = MailDelivery(database_url)
    await sender.start(context, None, "notifier")
    print(sender.sender.id, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
