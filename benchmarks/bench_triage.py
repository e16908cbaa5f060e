"""Corpus triage benchmark: a realistic manifest end to end, Parquet in and out.

    python benchmarks/bench_triage.py                 # 1,000,000 rows over 50,000 domains
    python benchmarks/bench_triage.py --rows 10000000 # streamed in batches: peak memory

Generates the manifest and the robots.txt files (benchmarks/triage_manifest.py)
into a scratch folder if they are not there, runs `fairuse triage` as a user
would (Parquet in and out, HTML report), and prints the CPU time of the triage
process and every process it started (user + system, the figure that does not
move with the machine's load), the wall time, rows/s, engine runs and the peak
memory. Targets: 1M rows over 50,000 domains in <= 3 s of CPU; 10M rows
streamed under 1 GB. `--repeat N` runs N times and prints each run's figures.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def tree_rss_kb(pid: int) -> int:
    """Proportional resident memory (Pss: pages shared by forked workers counted once)
    of ``pid`` and its descendants, from /proc (Linux; 0 elsewhere)."""
    total = 0
    try:
        children = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(d.name))
        todo = [pid]
        while todo:
            p = todo.pop()
            todo += children.get(p, [])
            try:
                for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
            except OSError:
                pass
    except OSError:
        return 0
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--domains", type=int, default=50_000)
    ap.add_argument("--batch-rows", type=int, default=None, help="passed to fairuse triage --batch-rows")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "fairuse-triage-bench")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    work = a.dir / f"{a.rows}x{a.domains}"
    if not (work / "sources.parquet").exists():
        subprocess.run([sys.executable, str(HERE / "triage_manifest.py"), str(work), "--rows", str(a.rows),
                        "--domains", str(a.domains)], check=True)
    out = work / "verdicts.parquet"
    cmd = [sys.executable, "-m", "fairuse", "triage", str(work / "sources.parquet"), "--answers", str(work / "corpus.yaml"),
           "--robots", str(work / "robots"), "--out", str(out), "--report", str(work / "triage.html"), "--force"]
    if a.batch_rows:
        cmd += ["--batch-rows", str(a.batch_rows)]
    for _ in range(a.repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        load = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        tree_peak = 0
        while proc.poll() is None:  # the triage process and its worker processes, summed
            tree_peak = max(tree_peak, tree_rss_kb(proc.pid))
            time.sleep(0.5)
        stdout, stderr = proc.communicate()
        wall = time.perf_counter() - start
        if proc.returncode:
            sys.exit(stderr)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        peak_mb = after.ru_maxrss / 1024
        runs = re.search(r"(\d+) engine runs", stdout)
        print(f"rows: {a.rows:,} over {a.domains:,} domains (load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)")
        print(f"CPU time, all processes: {cpu:.2f} s (user {after.ru_utime - before.ru_utime:.2f}, "
              f"system {after.ru_stime - before.ru_stime:.2f})")
        print(f"wall time end to end: {wall:.1f} s ({a.rows / wall:,.0f} rows/s)")
        print(f"engine runs: {runs.group(1) if runs else '?'}")
        print(f"peak memory: largest process {peak_mb:,.0f} MB; all triage processes together (Pss) {tree_peak / 1024:,.0f} MB")
        print(stdout.strip().splitlines()[0])


if __name__ == "__main__":
    main()
