"""CPU time spent by processes during a measured run, read from /proc: where a benchmark's cycles went.

On a small machine every part of the stack shares the same cores, so throughput under load is bounded
by the CPU one operation costs across all of them; these figures show that cost, part by part.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from passerelle.libs.testing.stack import supervisorctl

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Watched:
    pid: int
    # The process's descendants too (PostgreSQL's backends, a server's workers); the time of children
    # that exited is counted once their parent has reaped them.
    with_children: bool = True


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and of its reaped children)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return ppid, (utime + stime + cutime + cstime) / _TICKS


class CpuMeter:
    def __init__(self, watched: dict[str, Watched]) -> None:
        self.watched = watched

    def sample(self) -> dict[str, float]:
        table = {int(p): s for p in os.listdir("/proc") if p.isdigit() and (s := _stat(int(p))) is not None}
        children: dict[int, list[int]] = defaultdict(list)
        for pid, (ppid, _) in table.items():
            children[ppid].append(pid)
        seconds: dict[str, float] = {}
        for name, watched in self.watched.items():
            total, todo = 0.0, [watched.pid]
            while todo:
                pid = todo.pop()
                if pid in table:
                    total += table[pid][1]
                    if watched.with_children:
                        todo.extend(children[pid])
            seconds[name] = total
        return seconds

    @staticmethod
    def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {name: after[name] - before[name] for name in before}


def stack_meter(processes: Mapping[str, int], programs: Sequence[str] = (), client: str | None = "client") -> CpuMeter:
    """A benchmark's meter: its own process as `client` (without its children, which it starts and counts apart),
    the processes it started (`name: pid`, with their children), then the running stack's `programs` (PostgreSQL
    with its backends, Kafka, ...: their pids from the stack's supervisor; one that is not running is left out)."""
    watched = {client: Watched(os.getpid(), with_children=False)} if client else {}
    watched.update({name: Watched(pid) for name, pid in processes.items()})
    for program in programs:
        pid = supervisorctl("pid", program).stdout.strip()
        if pid.isdigit() and int(pid) > 0:
            watched[program] = Watched(int(pid))
    return CpuMeter(watched)
