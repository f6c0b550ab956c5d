"""bench/cpu.py tells whose CPU a load run used: this process's own work is the load client's."""

import time

from bench import cpu


def test_this_process_cpu_is_counted_as_the_load_client() -> None:
    before = cpu.read()
    until = time.process_time() + 0.2
    while time.process_time() < until:
        pass
    figures = cpu.spent(before, cpu.read())
    assert figures["load client"] >= 0.15
    assert "idle" in figures
    note = cpu.per_request(figures, 10)
    assert note.startswith("CPU ms a request:") and "load client" in note
