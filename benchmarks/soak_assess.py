"""Soak: 10,000 assessments with varying dates in one process, memory must stay flat.

Run: python benchmarks/soak_assess.py [N]

Every assessment uses a different date (the engines are cached by the set of
rules in force, and the date look-up is a bounded LRU), cycling through the
bundled examples. It prints the resident memory (ru_maxrss and the current RSS
from /proc) after each tenth of the run. The date caches are bounded LRUs
(256 dates), so memory rises while they fill and then stays flat: the growth
over the second half of the run must stay under 5 MB (before the fix, each
assessment with a new date kept about 1.2 KB for ever).
"""

from __future__ import annotations

import datetime as dt
import gc
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n: int = 10_000) -> int:
    from fairuse.answers import load_answers
    from fairuse.assess import assess
    from fairuse.rules import load_rulebase

    base = load_rulebase(ROOT / "rules")
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    answers = [load_answers(base.vocabulary, p) for p in examples]
    start_day = dt.date(1990, 1, 1)
    marks = []
    started = time.perf_counter()
    for i in range(n):
        on = start_day + dt.timedelta(days=i * 3)  # 10,000 distinct dates, 1990 to 2072
        assess(answers[i % len(answers)], rulebase=base, as_of=on, sensitivity=(i % 10 == 0))
        if (i + 1) % (n // 10) == 0:
            gc.collect()
            marks.append(rss_mb())
            print(f"{i + 1:>6} assessments  RSS {marks[-1]:7.1f} MB  {time.perf_counter() - started:6.1f} s", flush=True)
    growth = marks[-1] - marks[4]
    print(f"growth over the second half: {growth:+.1f} MB over {n - n // 2} assessments "
          f"({growth * 1024 * 1024 / max(1, n - n // 2):.0f} bytes each); target < 5 MB")
    return 0 if growth < 5 else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
