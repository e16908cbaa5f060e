"""Benchmarks for the memo (run: python benchmarks/bench_memo.py).

Targets (issue: the reasoned memo):
  HTML memo in process                 <= 300 ms (median)
  `fairuse memo --out memo.pdf` e2e     <= 3 s (median)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_ms  # noqa: E402


def main() -> None:
    from fairuse import memo
    from fairuse.answers import load_answers
    from fairuse.assess import assess
    from fairuse.casebook import attach_precedents
    from fairuse.rules import load_rulebase

    base = load_rulebase(ROOT / "rules")
    answers = load_answers(base.vocabulary, ROOT / "examples" / "google-books.yaml")

    def html_memo():
        result = assess(answers, rulebase=base)
        attach_precedents(result)
        memo.render(result, "html")

    html_memo()
    rows = [("HTML memo in process (google-books, assessment included)", median_ms(html_memo, 15), 300)]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "memo.pdf"
        cmd = [sys.executable, "-m", "fairuse", "memo", "--example", "google-books", "--out", str(out), "--force"]
        rows.append(("fairuse memo --out memo.pdf (process, end to end)",
                     median_ms(lambda: subprocess.run(cmd, capture_output=True, check=True), 5), 3000))
    width = max(len(r[0]) for r in rows)
    for label, ms, target in rows:
        print(f"{label:{width}}  median {ms:8.1f} ms   target {target:>5} ms   {'ok' if ms <= target else 'OVER'}")


if __name__ == "__main__":
    main()
