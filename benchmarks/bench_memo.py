"""Benchmarks for the memo (run: python benchmarks/bench_memo.py).

Targets (issue 14, the reasoned memo):
  HTML memo in process, assessment included   <= 100 ms (median)
  `fairuse memo --out memo.pdf`, end to end   <= 1.5 s (median, a new process each time)

Each in-process run assesses afresh (the per-assessment variant cache starts
empty); what a process keeps between memos is what a long-running process
keeps: compiled engines and templates, the casebook, facts_prose.yaml.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import load, median_cpu_ms, median_ms, process_ms, report  # noqa: E402


def main() -> None:
    from fairuse import memo
    from fairuse.answers import load_answers
    from fairuse.analysis import analyse
    from fairuse.rules import load_rulebase

    print(load())
    base = load_rulebase(ROOT / "rules")
    rows = []
    for name in ("google-books", "llm-web-crawl"):
        answers = load_answers(base.vocabulary, ROOT / "examples" / f"{name}.yaml")

        def html_memo():
            memo.render(analyse(answers, rulebase=base), "html")

        html_memo()
        rows.append((f"HTML memo in process ({name}, assessment included)",
                     median_ms(html_memo, 15), median_cpu_ms(html_memo, 15), 100))
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("google-books", "llm-web-crawl"):
            out = Path(tmp) / f"{name}.pdf"
            cmd = [sys.executable, "-m", "fairuse", "memo", "--example", name, "--out", str(out), "--force"]
            wall, cpu = process_ms(cmd, 5)
            rows.append((f"fairuse memo --example {name} --out memo.pdf (process, end to end)", wall, cpu, 1500))
    report(rows)
    print(load())


if __name__ == "__main__":
    main()
