"""Benchmarks for the assessment pipeline (run: python benchmarks/bench_assess.py).

Targets (issue: the assessment pipeline):
  one assessment in process       <= 20 ms (median)
  the one analysis in process (what every output renders: the assessment, the applications in words,
  the precedents compared, the known facts' reversals) is reported beside it
  `fairuse assess --answers` e2e  <= 1.0 s (median)
  `fairuse --help`                <= 0.5 s (median)
  casebook `similar`, whole casebook, in process <= 50 ms
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import load, median_cpu_ms, median_ms, process_ms, report  # noqa: E402


def main() -> None:
    from fairuse.analysis import analyse
    from fairuse.answers import load_answers
    from fairuse.assess import assess
    from fairuse.rules import load_rulebase

    print(load())
    base = load_rulebase(ROOT / "rules")
    rows = []
    for name in ("google-books", "llm-web-crawl"):
        answers = load_answers(base.vocabulary, ROOT / "examples" / f"{name}.yaml")
        assess(answers, rulebase=base)  # compile the engines once

        def one():
            assess(answers, rulebase=base)

        rows.append((f"assess in process ({name}, {len(answers.get('jurisdictions', ['us']))} jurisdictions)",
                     median_ms(one, 50), median_cpu_ms(one, 50), 20))

        def whole():
            analyse(answers, rulebase=base)

        whole()
        rows.append((f"analysis in process ({name})", median_ms(whole, 30), median_cpu_ms(whole, 30), None))
    from fairuse.casebook import load_casebook, rank

    cases = load_casebook(ROOT / "casebook", base)
    query = load_answers(base.vocabulary, ROOT / "examples" / "llm-web-crawl.yaml")
    rows.append((f"casebook similar over {len(cases)} precedents (in process)",
                 median_ms(lambda: rank(query, cases, base), 50), None, 50))
    exe = [sys.executable, "-m", "fairuse"]
    answers_file = str(ROOT / "examples" / "google-books.yaml")
    rows.append(("fairuse assess --answers (process, end to end)",
                 *process_ms(exe + ["assess", "--answers", answers_file, "--format", "json"], 7), 1000))
    rows.append(("fairuse --help (process)", *process_ms(exe + ["--help"], 7), 500))
    report(rows)
    print(load())


if __name__ == "__main__":
    main()
