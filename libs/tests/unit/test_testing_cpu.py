"""The benchmarks' CPU meter: the client, the processes it started, the stack's programs that are running."""

import os
import subprocess
import sys
import time

from passerelle.libs.testing import cpu

# 0.3 s of CPU, then alive and idle until killed (the meter reads /proc: a process reaped is gone from it).
SPIN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3:\n    pass\ntime.sleep(30)"


def test_the_meter_watches_the_client_its_processes_and_the_running_programs_only(monkeypatch):
    busy = subprocess.Popen([sys.executable, "-c", SPIN])
    answers = {"postgres": str(busy.pid), "kafka": "0"}  # kafka is not running: supervisorctl says pid 0
    monkeypatch.setattr(cpu, "supervisorctl", lambda _, program: subprocess.CompletedProcess([], 0, answers[program]))
    try:
        meter = cpu.stack_meter({"service": os.getpid()}, ("postgres", "kafka"), client="bench client")
        before = meter.sample()
        time.sleep(1.0)
        spent = cpu.CpuMeter.spent(before, meter.sample())
    finally:
        busy.kill()
        busy.wait()
    assert list(meter.watched) == ["bench client", "service", "postgres"]
    assert not meter.watched["bench client"].with_children and meter.watched["service"].with_children
    assert spent["postgres"] > 0.1  # the busy process's CPU, counted under the program it stands for
    assert cpu.stack_meter({}, (), client=None).watched == {}
