"""Soak: rules edited and reloaded many times in one process; memory must stay flat.

Run: python benchmarks/soak_reload.py [N]

A copy of the bundled rules is edited N times (one rule's explanation changes, as
a lawyer editing a file would), and after each edit the rules are loaded again and
an example is assessed, its what-if variants included, and compared with the
casebook. Each edit is a new ruleset; the loaded rulesets are a bounded cache
(``fairuse.rules.MAX_RULESETS``) and what the other caches hold for a ruleset (its
compiled engines, its dates, its casebook) goes with it. It prints the resident
memory after each tenth of the run; the growth over the second half must stay under
15 MB (before the fix, 200 reloads took the process from 147 to 453 MB).
"""

from __future__ import annotations

import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from soak_assess import rss_mb  # noqa: E402


def main(n: int = 200) -> int:
    from fairuse.answers import load_answers
    from fairuse.assess import assess
    from fairuse.rules import load_rulebase

    marks = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules"
        shutil.copytree(ROOT / "rules", rules)
        target = rules / "us" / "amount.yaml"
        original = target.read_text(encoding="utf-8")
        needle = "explanation: >\n"
        assert needle in original
        for i in range(n):
            target.write_text(original.replace(needle, f"explanation: >\n      Edit {i}.\n", 1), encoding="utf-8")
            base = load_rulebase(rules)
            answers = load_answers(base.vocabulary, ROOT / "examples" / "llm-web-crawl.yaml")
            assess(answers, rulebase=base)
            del base
            if (i + 1) % max(1, n // 10) == 0:
                gc.collect()
                marks.append(rss_mb())
                print(f"{i + 1:>5} reloads  RSS {marks[-1]:7.1f} MB  {time.perf_counter() - started:6.1f} s", flush=True)
    growth = marks[-1] - marks[len(marks) // 2 - 1]
    print(f"growth over the second half: {growth:+.1f} MB; target < 15 MB")
    return 0 if growth < 15 else 1


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
