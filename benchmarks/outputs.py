"""Snapshot every bundled example's outputs, to prove a speed change changed no result.

Run before a change with ``--save DIR`` and after it with ``--compare DIR``:

    python benchmarks/outputs.py --save /tmp/before
    ... change the code ...
    python benchmarks/outputs.py --compare /tmp/before

For each example it records, through the CLI's real entry point in one
process: ``assess --format json --trace``, ``assess --format md --trace``, the
plain-text assessment, and the memo as Markdown and HTML. The memo's
"generated" date is today's, so compare on the same day. Exit 1 on any
difference, naming the example and the output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

OUTPUTS = {
    "json": ["assess", "--format", "json", "--trace"],
    "md": ["assess", "--format", "md", "--trace"],
    "txt": ["assess"],
    "memo.md": ["memo", "--format", "md"],
    "memo.html": ["memo", "--format", "html", "--out", "{out}"],
}


def snapshot(folder: Path) -> dict[str, bytes]:
    from inprocess import run_main

    got = {}
    for example in sorted(p.stem for p in (ROOT / "examples").glob("*.yaml")):
        for kind, args in OUTPUTS.items():
            out = folder / f".{example}.{kind}.tmp"
            argv = [a.replace("{out}", str(out)) for a in args] + ["--example", example]
            if "--out" in argv:
                argv.append("--force")
            result = run_main(*argv)
            if result.code != 0:
                raise SystemExit(f"{example} {kind}: exit {result.code}: {result.stderr.strip()}")
            if out.exists():
                got[f"{example}.{kind}"] = out.read_bytes()
                out.unlink()
            else:
                got[f"{example}.{kind}"] = result.stdout.encode("utf-8")
    return got


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=Path)
    args = parser.parse_args()
    folder = args.save or args.compare
    folder.mkdir(parents=True, exist_ok=True)
    got = snapshot(folder)
    if args.save:
        for name, data in got.items():
            (folder / name).write_bytes(data)
        print(f"saved {len(got)} outputs to {folder}")
        return 0
    differ = [name for name, data in got.items()
              if not (folder / name).exists() or (folder / name).read_bytes() != data]
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(got) - len(differ)} of {len(got)} outputs identical")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
