#!/usr/bin/env python3
"""Passerelle native local stack: infrastructure as plain processes under supervisord.

    stack.py install | start [--with-services] | stop | status | logs [prog] [-n N]
             env [--json] | wait [--with-services]

The entry point the Makefile, scripts/*.sh and libs/testing/stack.py call. The work is done by the
`nativestack` package beside it, one module per component (postgres, kafka, s3, clamd, mail), supervision
and the CLI; it needs only the standard library until a command needs supervisor, aiokafka or minio, and
then re-runs itself under the project's venv.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from nativestack.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
