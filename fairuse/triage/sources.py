"""Read: manifests (Parquet, CSV, JSONL) in batches, WARC files as a stream
(warcio), and per-site files (a directory of robots.txt and tdmrep.json files,
or a WARC of robots captures).

A row that cannot be read is returned as an error record with its reason,
never dropped. A truncated WARC record is reported for its file and the run
goes on with the next file.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import FairuseError
from .robots import SiteBook

MANIFEST_SUFFIXES = (".parquet", ".pq", ".csv", ".jsonl", ".ndjson", ".json")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_PEEK = 65536


@dataclass
class Batch:
    """One batch on its way through the blocks."""

    frame: pd.DataFrame | None
    source: str
    first_row: int
    errors: list = field(default_factory=list)  # rows that could not be read or derived
    derived: pd.DataFrame | None = None


def kind_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    for suffix, kind in ((".parquet", "parquet"), (".pq", "parquet"), (".csv", "csv"),
                         (".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl")):
        if name.endswith(suffix):
            return kind
    raise FairuseError(f"{path}: not a manifest or WARC file; expected one of "
                       f"{', '.join(MANIFEST_SUFFIXES + WARC_SUFFIXES)}")


def manifest_columns(path: Path) -> list[str]:
    """The column names of a manifest, read without reading its rows."""
    kind = kind_of(path)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            return list(pq.ParquetFile(path).schema_arrow.names)
        if kind == "csv":
            with open(path, newline="", encoding="utf-8") as fh:
                return next(csv.reader(fh), [])
        with open(path, encoding="utf-8") as fh:
            cols: dict = {}
            for _, line in zip(range(1000), fh):
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if isinstance(obj, dict):
                    cols.update(dict.fromkeys(obj))
            return list(cols)
    except OSError as exc:
        raise FairuseError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except Exception as exc:  # pyarrow's own errors: not a Parquet file, etc.
        raise FairuseError(f"{path}: cannot be read as {kind} ({str(exc).splitlines()[0]})") from None


def count_rows(path: Path) -> int | None:
    if kind_of(path) == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    return None


def read_manifest(path: Path, batch_rows: int, first_row: int = 0):
    """Yield :class:`Batch` es of at most ``batch_rows`` rows."""
    kind = kind_of(path)
    src = str(path)
    row = first_row
    if kind == "parquet":
        import pyarrow.parquet as pq

        for rb in pq.ParquetFile(path).iter_batches(batch_size=batch_rows):
            frame = rb.to_pandas()
            yield Batch(frame, src, row)
            row += len(frame)
        return
    if kind == "csv":
        yield from _read_csv(path, batch_rows, row)
        return
    yield from _read_jsonl(path, batch_rows, row)


def _read_csv(path: Path, batch_rows: int, row: int):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    src = str(path)
    names = manifest_columns(path)
    bad: list = []

    def invalid(r):
        bad.append({"row": None, "line": r.number, "source": src,
                    "reason": f"expected {r.expected_columns} fields, found {r.actual_columns}", "raw": {"text": r.text}})
        return "skip"

    reader = pcsv.open_csv(
        path,
        read_options=pcsv.ReadOptions(block_size=1 << 24, use_threads=False),
        parse_options=pcsv.ParseOptions(invalid_row_handler=invalid, newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=True))
    pending = []
    size = 0
    for rb in reader:
        pending.append(rb)
        size += rb.num_rows
        if size >= batch_rows:
            frame = pa.Table.from_batches(pending).to_pandas()
            yield Batch(frame, src, row, bad)
            bad = []
            row += len(frame)
            pending, size = [], 0
    frame = pa.Table.from_batches(pending, schema=reader.schema).to_pandas() if pending else pd.DataFrame(columns=names)
    yield Batch(frame, src, row, bad)


def _read_jsonl(path: Path, batch_rows: int, row: int):
    src = str(path)
    records: list = []
    bad: list = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError(f"expected a JSON object, got a {type(obj).__name__}")
                records.append(obj)
            except ValueError as exc:
                bad.append({"row": None, "line": lineno, "source": src, "reason": f"not a JSON object: {exc}",
                            "raw": {"text": line.rstrip("\n")[:2000]}})
            if len(records) >= batch_rows:
                yield Batch(pd.DataFrame.from_records(records), src, row, bad)
                row += len(records)
                records, bad = [], []
    yield Batch(pd.DataFrame.from_records(records) if records else pd.DataFrame({"url": []}), src, row, bad)


# ---------------------------------------------------------------------- WARC

_META = re.compile(rb"<meta\s+[^>]*>", re.I)
_LINK = re.compile(rb"<(?:link|a)\s+[^>]*rel\s*=\s*[\"']?license[\"']?[^>]*>", re.I)
_ATTR = re.compile(rb"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def _attrs(tag: bytes) -> dict:
    return {m.group(1).lower().decode("ascii", "replace"): (m.group(2) or m.group(3) or m.group(4) or b"").decode("utf-8", "replace")
            for m in _ATTR.finditer(tag)}


def html_signals(body: bytes) -> dict:
    """robots and tdm-reservation meta tags and the licence link of an HTML page."""
    out: dict = {}
    for tag in _META.findall(body):
        a = _attrs(tag)
        name = a.get("name", "").lower()
        if name == "robots" or name in ("gptbot", "ccbot"):
            out["meta_robots"] = ", ".join(x for x in (out.get("meta_robots"), a.get("content")) if x)
        elif name == "tdm-reservation":
            out["tdm_reservation_meta"] = a.get("content")
        elif name == "tdm-policy":
            out["tdm_policy"] = a.get("content")
    link = _LINK.search(body)
    if link:
        out["license"] = _attrs(link.group(0)).get("href")
    return out


def _host_path(url: str) -> tuple[str, str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.path or "/"


def _site_record(record, sites: SiteBook, src: str) -> bool:
    """File a robots.txt or tdmrep.json capture into ``sites``; True if it was one."""
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    host, path = _host_path(url)
    if path not in ("/robots.txt", "/.well-known/tdmrep.json") or not host:
        return False
    status = int(record.http_headers.get_statuscode() or 0) if record.http_headers else 0
    body = record.content_stream().read()
    when = record.rec_headers.get_header("WARC-Date")
    if path == "/robots.txt":
        text = body.decode("utf-8", "replace")
        if "\ufffd" in text and 200 <= status < 300:
            sites.problems.append((src, f"robots.txt for {host} is not UTF-8; undecodable bytes replaced"))
        sites.add_robots(host, status, text, src, when)
    elif 200 <= status < 300:
        sites.add_tdmrep(host, body.decode("utf-8", "replace"), src)
    return True


def read_site_warc(path: Path, sites: SiteBook) -> None:
    """Pass 1 over a WARC: its robots.txt and tdmrep.json captures."""
    from warcio.archiveiterator import ArchiveIterator

    src = str(path)
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    _site_record(record, sites, src)
    except Exception as exc:  # a truncated or corrupt file: report it, keep what was read
        sites.problems.append((src, f"WARC cannot be read past offset {_offset(fh)} ({_reason(exc)}); site files after it are missing"))


def _offset(fh) -> int:
    try:
        return fh.tell()
    except (OSError, ValueError):
        return -1


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def read_warc(path: Path, batch_rows: int, first_row: int, problems: list):
    """Pass 2: one row per response record (not site files), in batches.

    A record that cannot be read whole (cut inside its headers or its content,
    or trailing bytes that are no record) becomes an error row with its reason,
    is reported for the file, and the run goes on.
    """
    from warcio.archiveiterator import ArchiveIterator

    src = str(path)
    rows: list = []
    bad: list = []
    row = first_row

    def truncated(offset, why, url=None):
        what = f"WARC record at offset {offset}" + (f" ({url})" if url else "")
        problems.append((src, f"{what} is truncated or corrupt ({why}); it is in the errors file"))
        bad.append({"row": None, "source": src, "reason": f"truncated WARC record at offset {offset}: {why}",
                    "raw": {"offset": offset, **({"url": url} if url else {})}})

    size = path.stat().st_size
    end = 0
    fh = open(path, "rb")
    try:
        it = ArchiveIterator(fh)
        while True:
            try:
                record = next(it)
            except StopIteration:
                break
            except Exception as exc:
                truncated(end, _reason(exc))
                end = size
                break
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            if record.rec_type is None or _headers_cut(record):
                record.content_stream().read()
                truncated(end, "the record's WARC headers are cut short", url or None)
                end = size
                continue
            if record.rec_type != "response":
                record.content_stream().read()
                if getattr(record.raw_stream, "limit", 0):
                    truncated(end, "the record ends before its Content-Length", url or None)
                    end = size
                    continue
                end = it.get_record_offset() + (it.get_record_length() or 0)  # (asking reads the record to its end)
                continue
            host, path_ = _host_path(url)
            try:
                row_data = _document(record, url)
            except Exception as exc:
                truncated(end, _reason(exc), url)
                end = size
                break
            end = it.get_record_offset() + (it.get_record_length() or 0)
            if path_ in ("/robots.txt", "/.well-known/tdmrep.json"):
                continue
            if record.rec_headers.get_header("WARC-Truncated"):
                problems.append((src, f"WARC record for {url} is marked truncated "
                                      f"({record.rec_headers.get_header('WARC-Truncated')}); its headers were used"))
            rows.append(row_data)
            if len(rows) >= batch_rows:
                yield Batch(pd.DataFrame.from_records(rows), src, row, bad)
                row += len(rows)
                rows, bad = [], []
        if size - end > 4:  # more than the blank lines that end a record: a record cut inside its headers
            truncated(end, f"{size - end} trailing bytes are not a complete record")
    finally:
        fh.close()
    yield Batch(pd.DataFrame.from_records(rows) if rows else pd.DataFrame({"url": []}), src, row, bad)


def _headers_cut(record) -> bool:
    """A record whose WARC headers end before its Content-Length: a file cut inside them."""
    try:
        int(record.rec_headers.get_header("Content-Length"))
    except (TypeError, ValueError):
        return True
    return False


def _document(record, url: str) -> dict:
    h = record.http_headers
    get = (lambda k: h.get_header(k)) if h else (lambda k: None)
    ctype = (get("Content-Type") or "").split(";")[0].strip().lower() or None
    body = record.content_stream().read()
    left = getattr(record.raw_stream, "limit", 0) or 0
    if left > 0:
        raise ValueError(f"content ends {left} bytes short of its Content-Length")
    out = {
        "url": url,
        "x_robots_tag": ", ".join(v for k, v in (h.headers if h else []) if k.lower() == "x-robots-tag") or None,
        "tdm_reservation": get("tdm-reservation"),
        "tdm_policy": get("tdm-policy"),
        "content_usage": get("Content-Usage"),
        "content_type": ctype,
        "bytes": len(body),
        "fetched_at": record.rec_headers.get_header("WARC-Date"),
    }
    link = get("Link")
    if link:
        m = re.search(r'<([^>]+)>\s*;\s*rel="?license"?', link)
        if m:
            out["license"] = m.group(1)
    if ctype in (None, "text/html", "application/xhtml+xml"):
        out.update({k: v for k, v in html_signals(body[:HTML_PEEK]).items() if v and not out.get(k)})
    return out


# ---------------------------------------------------------------------- site files

def load_sites(paths: list[Path], sites: SiteBook) -> None:
    """``--robots``: directories of ``<host>.txt`` (+ ``status.csv``, ``<host>.tdmrep.json``) or WARCs."""
    for path in paths:
        if not path.exists():
            raise FairuseError(f"{path}: no such robots.txt directory or WARC file")
        if path.is_dir():
            _load_dir(path, sites)
        elif kind_of(path) == "warc":
            read_site_warc(path, sites)
        else:
            raise FairuseError(f"{path}: --robots takes a directory of <host>.txt files or a WARC of robots.txt captures")


def _load_dir(folder: Path, sites: SiteBook) -> None:
    statuses: dict = {}
    status_file = folder / "status.csv"
    if status_file.exists():
        with open(status_file, newline="", encoding="utf-8") as fh:
            for lineno, rec in enumerate(csv.reader(fh), 1):
                if not rec or rec[0] == "host":
                    continue
                try:
                    statuses[rec[0].lower()] = (int(rec[1]), rec[2] if len(rec) > 2 else None)
                except (IndexError, ValueError):
                    raise FairuseError(f"{status_file}:{lineno}: expected host,status[,fetched_at], got {','.join(rec)!r}") from None
    from concurrent.futures import ThreadPoolExecutor

    import os

    names = sorted(os.listdir(folder))  # strings: sorting 50,000 Path objects costs seconds
    entries = [n for n in names if n.endswith(".txt")]
    base = str(folder)

    def read_all(chunk):
        out = []
        for name in chunk:
            with open(os.path.join(base, name), "rb") as fh:
                out.append(fh.read())
        return out

    step = max(1, len(entries) // 16)
    chunks = [entries[i:i + step] for i in range(0, len(entries), step)]
    with ThreadPoolExecutor(8) as pool:  # many small files: reads overlap
        for chunk, contents in zip(chunks, pool.map(read_all, chunks)):
            for name, data in zip(chunk, contents):
                host = name[:-4].lower()
                text = data.decode("utf-8", "replace")
                where = os.path.join(base, name)
                if "\ufffd" in text:
                    sites.problems.append((where, f"robots.txt for {host} is not UTF-8; undecodable bytes replaced"))
                status, when = statuses.pop(host, (200, None))
                sites.add_robots(host, status, text, where, when)
    for name in names:
        if name.endswith(".tdmrep.json"):
            entry = folder / name
            sites.add_tdmrep(name[: -len(".tdmrep.json")], entry.read_text("utf-8", "replace"), str(entry))
    for host, (status, when) in statuses.items():
        sites.add_robots(host, status, None, str(status_file), when)
