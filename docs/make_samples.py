"""Regenerate the sample memos in docs/samples/ (run: python docs/make_samples.py).

Writes, for three bundled examples, the memo as PDF and HTML, a PNG of the
first page of each PDF (needs poppler's pdftoppm), and SOURCES.sha256: a digest
of the templates and the memo code. tests/test_samples.py fails when the
templates change and this script was not run again.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "docs" / "samples"
EXAMPLES = ("google-books", "song-parody", "llm-web-crawl")
SOURCES = [ROOT / "templates", ROOT / "fairuse" / "memo", ROOT / "fairuse" / "prose.py"]


def sources_digest() -> str:
    """A digest of everything that shapes a memo's layout and prose."""
    digest = hashlib.sha256()
    for source in SOURCES:
        files = sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and not _web_page(source, p)) if source.is_dir() else [source]
        for path in files:
            digest.update(str(path.relative_to(source.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _web_page(source: Path, path: Path) -> bool:
    """The web interview's pages (templates/web/) shape no memo."""
    return source.name == "templates" and path.relative_to(source).parts[0] == "web"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from fairuse import memo
    from fairuse.answers import load_answers
    from fairuse.analysis import analyse
    from fairuse.rules import load_rulebase

    base = load_rulebase(ROOT / "rules")
    SAMPLES.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLES:
        result = analyse(load_answers(base.vocabulary, ROOT / "examples" / f"{name}.yaml"), rulebase=base)
        for fmt in ("html", "pdf"):
            (SAMPLES / f"{name}.{fmt}").write_bytes(memo.render(result, fmt))
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                            str(SAMPLES / f"{name}.pdf"), str(SAMPLES / f"{name}-page1")], check=True)
        else:
            print("pdftoppm not found (apt-get install poppler-utils): first-page pictures not updated")
    (SAMPLES / "SOURCES.sha256").write_text(sources_digest() + "\n")
    print(f"wrote the samples for {', '.join(EXAMPLES)} to {SAMPLES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
