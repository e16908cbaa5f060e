"""The README's corpus triage commands run as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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
    assert done.stdout.count("rows in = ") == 2 and "Not legal advice" in done.stdout
    assert (tmp_path / "demo" / "triage.html").exists() and (tmp_path / "demo" / "verdicts.parquet").exists()
