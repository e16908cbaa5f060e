"""Generate a realistic triage manifest: N rows over D domains (Zipf-like
popularity), their robots.txt files in a directory, and a corpus answers file.

The robots.txt texts follow what sites publish: most allow everything, a large
share disallow named AI crawlers (GPTBot, CCBot, Google-Extended...), some
disallow private paths for all crawlers, a few disallow everything, some answer
404 or 5xx, a few are HTML error pages. Headers (X-Robots-Tag noai, TDMRep,
Content-Usage) and licences (Creative Commons, SPDX) appear on a minority of rows.

    python benchmarks/triage_manifest.py OUT_DIR --rows 1000000 --domains 50000 [--warc 2000]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROBOTS = [
    (0.45, "User-agent: *\nDisallow:\n\nSitemap: https://{host}/sitemap.xml\n"),
    (0.20, "User-agent: GPTBot\nDisallow: /\n\nUser-agent: CCBot\nDisallow: /\n\nUser-agent: Google-Extended\nDisallow: /\n\n"
           "User-agent: *\nAllow: /\n"),
    (0.15, "# robots for {host}\nUser-agent: *\nDisallow: /admin/\nDisallow: /search\nDisallow: /private/\nAllow: /private/press/\n"),
    (0.04, "User-agent: *\nDisallow: /\n"),
    (0.04, "User-agent: ClaudeBot\nUser-agent: anthropic-ai\nDisallow: /articles/\n\nUser-agent: *\nDisallow: /cgi-bin/\n"),
    (0.03, "User-agent: *\nContent-Usage: train-ai=n\nAllow: /\n"),
    (0.02, "<!DOCTYPE html><html><head><title>Not found</title></head><body>Page not found</body></html>\n"),
]
STATUS = [(0.90, 200), (0.07, 404), (0.03, 503)]
LICENCES = [None] * 85 + ["https://creativecommons.org/licenses/by/4.0/", "https://creativecommons.org/licenses/by-sa/4.0/",
                          "https://creativecommons.org/licenses/by-nc/4.0/", "https://creativecommons.org/licenses/by-nc-nd/4.0/",
                          "CC0-1.0", "MIT", "CC-BY-4.0", "https://creativecommons.org/publicdomain/mark/1.0/",
                          "All rights reserved", "CC-BY-NC-SA-4.0"] + [None] * 5
PATHS = ["/", "/articles/", "/news/2025/", "/blog/", "/private/", "/private/press/", "/search", "/docs/", "/images/"]
ANSWERS = """use_summary: A company trains a language model on a public web crawl.
jurisdictions: [us, eu, uk, jp]
purpose: ai_training
ai_stage: training
user_kind: company
commercial: direct
source_access: publicly_available
amount_used: entire
contract_forbids_tdm: false
"""
# The answers a team gives to the questions the first triage of the demo asks (the
# corpus facts that would settle its uncertain rows), added to ANSWERS.
ANSWERED = ANSWERS + """# answers to the questions the first triage suggested
new_purpose: different
audience_gets: information_or_tool
work_role: data
public_exposure: none
same_audience_and_format: false
licensing_market: emerging
derivative_market_harm: false
competes_with_owner: false
copying_service: false
"""


def _pick(rng, table, n):
    weights = np.array([w for w, _ in table], dtype=float)
    return rng.choice(len(table), size=n, p=weights / weights.sum())


def hosts(domains: int) -> np.ndarray:
    tlds = np.array(["com", "org", "net", "de", "fr", "co.uk", "io", "jp"])
    i = np.arange(domains)
    return np.char.add(np.char.add(np.char.add("site", i.astype(str)), "."), tlds[i % len(tlds)])


def write_robots(out: Path, domains: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    folder = out / "robots"
    folder.mkdir(parents=True, exist_ok=True)
    names = hosts(domains)
    kinds = _pick(rng, ROBOTS, domains)
    status = np.array([s for _, s in STATUS])[_pick(rng, STATUS, domains)]
    lines = ["host,status,fetched_at"]
    for host, kind, st in zip(names, kinds, status):
        if st == 200:
            (folder / f"{host}.txt").write_text(ROBOTS[kind][1].format(host=host))
        else:
            lines.append(f"{host},{st},2026-10-01")
    (folder / "status.csv").write_text("\n".join(lines) + "\n")


def manifest_table(rows: int, domains: int, seed: int = 11, start: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed + start)
    names = hosts(domains)
    # Zipf-like popularity: a few big sites, a long tail
    weights = 1.0 / np.arange(1, domains + 1) ** 0.9
    site = rng.choice(domains, size=rows, p=weights / weights.sum())
    path = np.array(PATHS)[rng.integers(0, len(PATHS), rows)]
    ids = np.arange(start, start + rows)
    url = np.char.add(np.char.add(np.char.add(np.char.add("https://", names[site]), path), "page-"), ids.astype(str))
    url = np.char.add(url, ".html")
    xrt = np.where(rng.random(rows) < 0.02, "noai, noimageai", None)
    tdm = np.where(rng.random(rows) < 0.01, "1", None)
    cu = np.where(rng.random(rows) < 0.005, "train-ai=n, search=y", None)
    lic = np.array(LICENCES, dtype=object)[rng.integers(0, len(LICENCES), rows)]
    size = rng.lognormal(9, 1.2, rows).astype(np.int64)
    day = rng.integers(1, 29, rows)
    fetched = np.char.add("2026-10-", np.char.zfill(day.astype(str), 2))
    return pa.table({"id": pa.array(ids.astype(str)), "url": pa.array(url), "license": pa.array(lic, type=pa.string()),
                     "x_robots_tag": pa.array(xrt, type=pa.string()), "tdm_reservation": pa.array(tdm, type=pa.string()),
                     "content_usage": pa.array(cu, type=pa.string()), "bytes": pa.array(size),
                     "fetched_at": pa.array(fetched)})


def write_manifest(out: Path, rows: int, domains: int, chunk: int = 1_000_000) -> Path:
    path = out / "sources.parquet"
    writer = None
    for start in range(0, rows, chunk):
        table = manifest_table(min(chunk, rows - start), domains, start=start)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table)
    writer.close()
    return path


def write_warcs(out: Path, pages: int, domains: int, files: int = 2, seed: int = 5) -> None:
    """A small crawl as WARC files (warcio): pages with real headers and meta tags,
    and each site's robots.txt capture, for `fairuse triage crawl/*.warc.gz`."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = np.random.default_rng(seed)
    names = hosts(domains)
    kinds = _pick(rng, ROBOTS, domains)
    folder = out / "crawl"
    folder.mkdir(parents=True, exist_ok=True)
    metas = [b"", b'<meta name="robots" content="noai">', b'<meta name="tdm-reservation" content="1">',
             b'<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">']
    per_file = -(-pages // files)
    for f in range(files):
        with open(folder / f"crawl-{f:02d}.warc.gz", "wb") as fh:
            w = WARCWriter(fh, gzip=True)
            done = set()
            for i in range(f * per_file, min(pages, (f + 1) * per_file)):
                site = int(rng.integers(0, domains))
                host = names[site]
                if host not in done:
                    done.add(host)
                    body = ROBOTS[kinds[site]][1].format(host=host).encode()
                    http = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.1")
                    w.write_record(w.create_warc_record(f"https://{host}/robots.txt", "response",
                                                        payload=io.BytesIO(body), http_headers=http))
                meta = metas[int(rng.integers(0, len(metas) * 4)) % len(metas)] if rng.random() < 0.3 else b""
                body = b"<!DOCTYPE html><html><head><title>p</title>" + meta + b"</head><body><p>text</p></body></html>"
                headers = [("Content-Type", "text/html; charset=utf-8")]
                if rng.random() < 0.02:
                    headers.append(("X-Robots-Tag", "noai"))
                path = PATHS[int(rng.integers(0, len(PATHS)))]
                http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
                w.write_record(w.create_warc_record(f"https://{host}{path}page-{i}.html", "response",
                                                    payload=io.BytesIO(body), http_headers=http))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--domains", type=int, default=50_000)
    ap.add_argument("--warc", type=int, default=0, help="also write a crawl of this many pages as WARC files in OUT/crawl/")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    write_robots(a.out, a.domains)
    write_manifest(a.out, a.rows, a.domains)
    (a.out / "corpus.yaml").write_text(ANSWERS)
    (a.out / "corpus-answered.yaml").write_text(ANSWERED)
    if a.warc:
        write_warcs(a.out, a.warc, a.domains)
        print(f"wrote {a.out}/crawl/*.warc.gz ({a.warc:,} pages)")
    print(f"wrote {a.out}/sources.parquet ({a.rows:,} rows), {a.out}/robots/ ({a.domains:,} domains), "
          f"{a.out}/corpus.yaml and {a.out}/corpus-answered.yaml")


if __name__ == "__main__":
    main()
