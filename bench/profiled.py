"""`python bench/profiled.py OUT -m MODULE ARGS...`: runs MODULE under cProfile and writes its statistics to OUT
when it ends, including when uvicorn ends by re-raising the SIGTERM it was stopped with (the benchmark's
`--profile`)."""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys

out, flag, module, *rest = sys.argv[1:]
assert flag == "-m", "usage: profiled.py OUT -m MODULE ARGS..."
profile = cProfile.Profile()
written = False
original_raise = signal.raise_signal


def dump() -> None:
    global written
    if not written:
        profile.disable()
        profile.dump_stats(out)
        written = True


def raise_signal(signum: int) -> None:
    dump()
    original_raise(signum)


signal.raise_signal = raise_signal
sys.argv = [module, *rest]
profile.enable()
try:
    runpy.run_module(module, run_name="__main__", alter_sys=True)
finally:
    dump()
