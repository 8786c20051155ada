"""The test stack's controllable clock: real time moved forward by the seconds written in a file.

The legal clocks run on weeks (20 days to decide, alerts 5 and 2 days before). A browser or end-to-end test of
"a case about to expire" cannot wait for them and must not sleep: it writes an offset into the file this clock
reads, and the service's queue, countdowns and periodic clock task see the moved time. Only honoured outside
production (see `Settings.controllable_clock`); the file is re-read when it changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from passerelle.libs.context import Clock, utc_now


class FileOffsetClock:
    def __init__(self, path: Path, base: Clock = utc_now) -> None:
        self.path = path
        self.base = base
        self._stamp: tuple[int, int] | None = None
        self._offset = timedelta()

    def offset(self) -> timedelta:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._offset = None, timedelta()
            return self._offset
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            text = self.path.read_text().strip()
            try:
                self._offset = timedelta(seconds=float(text or 0))
            except ValueError:
                self._offset = timedelta()  # a half-written file: real time until it is complete
                return self._offset
            self._stamp = stamp
        return self._offset

    def __call__(self) -> datetime:
        return self.base() + self.offset()
