"""Shared timing helper for the benchmark scripts."""

import statistics
import time


def median_ms(fn, runs: int) -> float:
    """Median wall time of ``fn`` over ``runs`` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
