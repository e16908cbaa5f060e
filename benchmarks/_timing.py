"""Shared timing helpers for the benchmark scripts.

The machine is shared: every script prints the load average before and after,
and for a process it measures both the wall time and the CPU time (user +
system) the process used, which load changes far less than the wall time.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time


def _median_ms(fn, runs: int, clock) -> float:
    times = []
    for _ in range(runs):
        start = clock()
        fn()
        times.append((clock() - start) * 1000)
    return statistics.median(times)


def median_ms(fn, runs: int) -> float:
    """Median wall time of ``fn`` over ``runs`` calls, in milliseconds."""
    return _median_ms(fn, runs, time.perf_counter)


def median_cpu_ms(fn, runs: int) -> float:
    """Median CPU time (user + system) of this process spent in ``fn``, in milliseconds."""
    return _median_ms(fn, runs, time.process_time)


def process_ms(cmd: list, runs: int) -> tuple[float, float]:
    """(median wall ms, median CPU ms) of running ``cmd`` as a process, output captured."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        walls.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def load() -> str:
    """The load average, to print beside the numbers (on a shared machine it explains a lot)."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # pragma: no cover - not on this platform
        return "load average unknown"
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} cores"


def report(rows: list) -> None:
    """Print (label, wall ms, cpu ms or None, target ms) rows; the target is read against the wall time."""
    width = max(len(r[0]) for r in rows)
    for label, wall, cpu, target in rows:
        cpu_text = f"cpu {cpu:8.1f} ms" if cpu is not None else " " * 15
        if target is None:
            print(f"{label:{width}}  median {wall:8.1f} ms  {cpu_text}")
            continue
        print(f"{label:{width}}  median {wall:8.1f} ms  {cpu_text}   target {target:>5} ms   "
              f"{'ok' if wall <= target else 'OVER'}")
