"""The README's corpus triage commands run as written, and say what the README says they say."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def test_readme_triage_commands(tmp_path):
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Corpus triage"):readme.index("## The casebook")]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    lines = [ln for ln in block.strip().splitlines() if not ln.startswith("python3 -m pip install")]
    assert any(ln.startswith("fairuse triage sources.parquet") for ln in lines)
    assert any(ln.startswith("fairuse triage crawl/*.warc.gz") for ln in lines)
    script = " && ".join(ln.replace("python benchmarks/", f"{sys.executable} {ROOT}/benchmarks/")
                         .replace("fairuse triage", f"{sys.executable} -m fairuse triage") for ln in lines)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FAIRUSE_RULES", None)
    done = subprocess.run(script, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("rows in = ") == sum(ln.startswith("fairuse triage") for ln in lines)
    assert "Not legal advice" in done.stdout
    # the first run's words, as the README shows them
    shown = re.search(r"```text\n(.*?)```", section, re.S).group(1).strip().splitlines()
    for line in shown:
        assert line in done.stdout.splitlines(), line
    demo = tmp_path / "demo"
    for name in ("triage.html", "verdicts.parquet", "crawl-verdicts.parquet", "exclusions-eu.csv", "optout-log.csv",
                 "ai-act-summary.md"):
        assert (demo / name).exists(), name
    # after the suggested questions are answered, fewer than 10% of rows are uncertain, in every jurisdiction
    df = pd.read_parquet(demo / "verdicts.parquet")
    for col in (c for c in df.columns if c.startswith("verdict_")):
        assert (df[col] == "uncertain").mean() < 0.10, col
    claim = re.search(r"no row is left `uncertain`\n\((.*?)\)", section, re.S).group(1).replace("\n", " ")
    second = [ln for ln in done.stdout.splitlines() if "rows in = " in ln][1]
    for part in claim.split("; "):
        assert part.split(": ")[1].split(", ")[0] in second and part.split(": ")[0] in second, part
