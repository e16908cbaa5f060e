"""Read: manifests (Parquet, CSV, JSONL), pandas and Hugging Face ``datasets``
objects in Arrow batches of only the columns the triage reads; WARC files as a
stream (warcio); per-site files (a directory of robots.txt and tdmrep.json
files, or WARCs of robots.txt captures, Common Crawl's included).

A row that cannot be read is returned as an error record with its reason, never
dropped, and the file goes on: invalid UTF-8, a lone surrogate, a value of the
wrong type (a URL that is a number, a licence that is a list), a JSON line
nested too deeply or longer than :data:`MAX_LINE`. A file that cannot be read
past some point (a truncated WARC or CSV) is reported for its file, and the run
goes on with the next. Work is bounded whatever a file holds: lines, decoded
content (a ``Content-Encoding`` bomb) and site files are read up to a limit.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import FairuseError
from .robots import ROBOTS_LIMIT, TDMREP_LIMIT, SiteBook, SiteFileError, read_site_file

MANIFEST_SUFFIXES = (".parquet", ".pq", ".csv", ".jsonl", ".ndjson", ".json")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_PEEK = 65536
MAX_LINE = 16 << 20  # a JSONL line longer than this is an error row (never read whole)
DECODE_FLOOR = 8 << 20  # decoded content of one WARC record: at least this much is read...
DECODE_RATIO = 200  # ...or this many times its encoded length, whichever is more; beyond: a bomb
TEXT_COLUMNS = ("url", "id", "license", "x_robots_tag", "meta_robots", "tdm_reservation", "tdm_reservation_meta",
                "tdm_policy", "content_usage", "terms_text", "robots_txt", "content_type", "fetched_at")
NUMBER_COLUMNS = ("bytes", "robots_status")


@dataclass
class Batch:
    """One batch on its way through the blocks."""

    table: object  # pyarrow.Table of the columns read (None once derived)
    source: str
    first_row: int
    errors: list = field(default_factory=list)  # rows that could not be read or derived
    rows: object = None  # numpy int64 row numbers of the table's rows (None: first_row onwards)
    derived: object = None  # pyarrow.Table


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


def check_input(path: Path) -> None:
    """An input must be a regular file: a FIFO or device is refused, never waited on."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FairuseError(f"{path}: no such file") from None
    except OSError as exc:
        raise FairuseError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise FairuseError(f"{path}: is a folder; give the manifest or WARC files in it")
    if not stat.S_ISREG(st.st_mode):
        raise FairuseError(f"{path}: is not a regular file (a FIFO, device or socket); refused")


def _type_word(value) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _flatten(obj: dict, prefix: str = "", depth: int = 0) -> list:
    out = []
    for k, v in obj.items():
        name = f"{prefix}{k}"
        out.append(name)
        if isinstance(v, dict) and depth < 2:
            out += _flatten(v, name + ".", depth + 1)
    return out


def manifest_columns(path: Path) -> list[str]:
    """The column names of a manifest (nested keys as ``metadata.url``), read without reading its rows."""
    kind = kind_of(path)
    check_input(path)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            schema = pq.ParquetFile(path).schema_arrow
            return _arrow_names(schema)
        if kind == "csv":
            with open(path, "rb") as fh:
                head = fh.readline(MAX_LINE).decode("utf-8")
            return next(csv.reader([head]), [])
        cols: dict = {}
        with open(path, "rb") as fh:
            for _, line in zip(range(1000), _lines(fh)):
                if line is None:
                    continue
                try:
                    obj = json.loads(line)
                except (ValueError, RecursionError):
                    continue
                if isinstance(obj, dict):
                    cols.update(dict.fromkeys(_flatten(obj)))
        return list(cols)
    except OSError as exc:
        raise FairuseError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise FairuseError(f"{path}: its header line is not valid UTF-8") from None
    except Exception as exc:  # pyarrow's own errors: not a Parquet file, etc.
        raise FairuseError(f"{path}: cannot be read as {kind} ({_reason(exc)})") from None


def _arrow_names(schema) -> list:
    import pyarrow as pa

    out = []

    def walk(fields, prefix, depth):
        for f in fields:
            out.append(prefix + f.name)
            if pa.types.is_struct(f.type) and depth < 2:
                walk(list(f.type), prefix + f.name + ".", depth + 1)

    walk(list(schema), "", 0)
    return out


def count_rows(path: Path) -> int | None:
    if kind_of(path) == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    return None


@dataclass(frozen=True)
class Wanted:
    """Which columns to read: the output names, and where the URL is (``metadata.url``)."""

    columns: tuple  # output names, "url" first
    url_from: str = "url"

    def source_of(self, name: str) -> str:
        return self.url_from if name == "url" else name


def read_manifest(path: Path, batch_rows: int, first_row: int, wanted: Wanted):
    """Yield :class:`Batch` es of at most ``batch_rows`` rows."""
    kind = kind_of(path)
    if kind == "parquet":
        yield from _read_parquet(path, batch_rows, first_row, wanted)
    elif kind == "csv":
        yield from _read_csv(path, batch_rows, first_row, wanted)
    else:
        yield from _read_jsonl(path, batch_rows, first_row, wanted)


def _cut_short(src: str, row: int, exc: Exception, what: str = "file") -> dict:
    return {"row": None, "source": src, "reason": f"the {what} cannot be read past row {row:,}: {_reason(exc)}; "
                                                   "the rest of it is not triaged", "raw": {}}


def _read_parquet(path: Path, batch_rows: int, row: int, wanted: Wanted):
    import pyarrow.parquet as pq

    src = str(path)
    have = set(_arrow_names(pq.ParquetFile(path).schema_arrow))
    physical = [wanted.source_of(c) for c in wanted.columns if wanted.source_of(c) in have]
    try:
        for rb in pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=physical):
            table = project(rb, wanted)
            yield Batch(table, src, row)
            row += table.num_rows
    except Exception as exc:  # a corrupt page or footer: what was read stands, the rest is reported
        yield Batch(_empty(wanted), src, row, [_cut_short(src, row, exc)])


def project(data, wanted: Wanted):
    """A table or record batch -> a table of ``wanted.columns`` (the URL from a nested field)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = data.schema.names
    arrays, out_names = [], []
    for c in wanted.columns:
        source = wanted.source_of(c)
        if source in names:
            arrays.append(data.column(source))
        elif "." in source and source.split(".", 1)[0] in names:
            col = data.column(source.split(".", 1)[0])
            for part in source.split(".")[1:]:
                if not pa.types.is_struct(col.type) or col.type.get_field_index(part) < 0:
                    col = None
                    break
                col = pc.struct_field(col, part)
            if col is None:
                continue
            arrays.append(col)
        else:
            continue
        out_names.append(c)
    return pa.Table.from_arrays([a if isinstance(a, pa.ChunkedArray) else pa.chunked_array([a]) for a in arrays],
                                names=out_names)


def _empty(wanted: Wanted):
    import pyarrow as pa

    return pa.table({"url": pa.array([], pa.string())})


def _read_csv(path: Path, batch_rows: int, row: int, wanted: Wanted):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    src = str(path)
    names = manifest_columns(path)
    include = [n for n in names if n in {wanted.source_of(c) for c in wanted.columns}]
    if not _valid_utf8(path):  # pyarrow cannot hand a malformed row with invalid UTF-8 to its handler
        yield from _read_csv_python(path, batch_rows, row, wanted, names, include)
        return
    bad: list = []

    def invalid(r):
        bad.append({"row": None, "line": r.number, "source": src,
                    "reason": f"expected {r.expected_columns} fields, found {r.actual_columns}",
                    "raw": {"text": _printable(r.text)}})
        return "skip"

    try:
        reader = pcsv.open_csv(
            path,
            read_options=pcsv.ReadOptions(block_size=1 << 22, use_threads=False),
            parse_options=pcsv.ParseOptions(invalid_row_handler=invalid, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(column_types={n: pa.binary() for n in include}, include_columns=include,
                                                strings_can_be_null=True))
    except Exception as exc:
        yield Batch(_empty(wanted), src, row, [_cut_short(src, row, exc)])
        return
    pending, size = [], 0
    while True:
        try:
            rb = reader.read_next_batch()
        except StopIteration:
            break
        except Exception as exc:  # a row larger than the block, a quote never closed...
            bad.append(_cut_short(src, row + size, exc))
            break
        pending.append(rb)
        size += rb.num_rows
        if size >= batch_rows:
            table, errors, ids = _utf8(pa.Table.from_batches(pending), src, row)
            yield Batch(project(table, wanted), src, row, bad + errors, ids)
            bad = []
            row += size
            pending, size = [], 0
    if pending:
        table, errors, ids = _utf8(pa.Table.from_batches(pending), src, row)
        yield Batch(project(table, wanted), src, row, bad + errors, ids)
    else:
        yield Batch(_empty(wanted), src, row, bad)


def _valid_utf8(path: Path) -> bool:
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        try:
            while True:
                block = fh.read(1 << 22)
                if not block:
                    decoder.decode(b"", final=True)
                    return True
                decoder.decode(block)
        except UnicodeDecodeError:
            return False


def _read_csv_python(path: Path, batch_rows: int, row: int, wanted: Wanted, names: list, include: list):
    """A CSV with invalid UTF-8, read with Python's csv module: each bad row an error row, the rest kept."""
    import pyarrow as pa

    src = str(path)
    idx = [names.index(c) for c in include]
    cols: dict = {c: [] for c in include}
    ids: list = []
    bad: list = []
    start = row

    def flush():
        table = pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()}) if cols else _empty(wanted)
        return Batch(project(table, wanted), src, start, bad, np.asarray(ids, dtype=np.int64))

    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for rec in reader:
            line = reader.line_num
            if len(rec) != len(names):
                bad.append({"row": None, "line": line, "source": src,
                            "reason": f"expected {len(names)} fields, found {len(rec)}",
                            "raw": {"text": _printable(",".join(rec).encode("utf-8", "surrogateescape").decode("utf-8", "replace"))}})
                continue
            broken = next((names[i] for i, v in enumerate(rec) if _has_surrogate(v)), None)
            if broken is not None:
                bad.append({"row": row, "line": line, "source": src, "reason": f"{broken}: not valid UTF-8",
                            "raw": {broken: rec[names.index(broken)].encode("utf-8", "surrogateescape").decode("utf-8", "replace")}})
                row += 1
                continue
            for c, i in zip(include, idx):
                cols[c].append(rec[i] if rec[i] != "" else None)
            ids.append(row)
            row += 1
            if len(ids) >= batch_rows:
                yield flush()
                cols, ids, bad = {c: [] for c in include}, [], []
                start = row
    yield flush()


def _utf8(table, src: str, first_row: int):
    """Binary CSV columns -> text; a row with invalid UTF-8 becomes an error row.

    Returns (table of the good rows, errors, their row numbers or None when all are good).
    """
    import pyarrow as pa

    errors, arrays = [], []
    bad_rows: set = set()
    for name in table.column_names:
        col = table.column(name)
        try:
            arrays.append(col.cast(pa.string()))
            continue
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
        text = []
        for i, v in enumerate(col.to_pylist()):
            if v is None:
                text.append(None)
                continue
            try:
                text.append(v.decode("utf-8"))
            except UnicodeDecodeError as exc:
                text.append(None)
                if i not in bad_rows:
                    bad_rows.add(i)
                    errors.append({"row": first_row + i, "source": src,
                                   "reason": f"{name}: not valid UTF-8 (byte {v[exc.start]:#04x} at position {exc.start})",
                                   "raw": {name: _printable(v.decode("utf-8", "replace"))}})
        arrays.append(pa.chunked_array([pa.array(text, pa.string())]))
    table = pa.Table.from_arrays(arrays, names=table.column_names)
    if not bad_rows:
        return table, errors, None
    keep = np.array([i not in bad_rows for i in range(table.num_rows)])
    return table.filter(pa.array(keep)), errors, first_row + np.flatnonzero(keep).astype(np.int64)


def _lines(fh, limit: int = MAX_LINE):
    """Lines of a binary file, each at most ``limit`` bytes; None for a longer one (skipped unread)."""
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # skip the rest of the line a block at a time
                more = fh.readline(1 << 20)
                if not more or more.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def _read_jsonl(path: Path, batch_rows: int, row: int, wanted: Wanted):
    import pyarrow as pa

    src = str(path)
    paths = [(c, tuple(wanted.source_of(c).split("."))) for c in wanted.columns]
    cols: dict = {c: [] for c, _ in paths}
    ids: list = []
    bad: list = []
    start = row

    def flush():
        arrays = {}
        for c, values in cols.items():
            arrays[c] = pa.array(values, type=pa.int64() if c in NUMBER_COLUMNS else pa.string())
        return Batch(pa.table(arrays), src, start, bad, np.asarray(ids, dtype=np.int64))

    with open(path, "rb") as fh:
        for lineno, raw in enumerate(_lines(fh), 1):
            if raw is None:
                bad.append({"row": None, "line": lineno, "source": src,
                            "reason": f"line longer than {MAX_LINE:,} bytes; not read", "raw": {}})
                continue
            if not raw.strip():
                continue
            reason, values = _json_row(raw, paths)
            if reason is not None:
                bad.append({"row": None if values is None else row, "line": lineno, "source": src, "reason": reason,
                            "raw": {"text": _printable(raw.decode("utf-8", "replace").rstrip("\n"))}})
                if values is not None:
                    row += 1
                continue
            for (c, _), v in zip(paths, values):
                cols[c].append(v)
            ids.append(row)
            row += 1
            if len(ids) >= batch_rows:
                yield flush()
                cols = {c: [] for c, _ in paths}
                ids, bad = [], []
                start = row
    yield flush()


_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def _json_row(raw: bytes, paths):
    """(reason, values): reason None for a good row; values None when the line is no record at all."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not valid UTF-8 (byte {raw[exc.start]:#04x} at position {exc.start})", None
    try:
        obj = json.loads(text)
    except RecursionError:
        return "not a JSON object: nested too deeply", None
    except ValueError as exc:
        return f"not a JSON object: {exc}", None
    if not isinstance(obj, dict):
        return f"not a JSON object: expected a JSON object, got {_type_word(obj)}", None
    check_surrogates = _SURROGATE.search(raw) is not None
    values = []
    for col, keys in paths:
        v = obj
        for k in keys:
            v = v.get(k) if isinstance(v, dict) else None
        if v is None:
            values.append(None)
            continue
        if col in NUMBER_COLUMNS:
            n, why = whole_number(v)
            if why:
                return f"{col}: {why}", []
            values.append(n)
            continue
        if isinstance(v, (list, dict)) or (col == "url" and not isinstance(v, str)):
            return f"{col}: expected text, got {_type_word(v)}", []
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif not isinstance(v, str):
            v = str(v)
        elif check_surrogates and _has_surrogate(v):
            return f"{col}: holds a lone surrogate (\\ud800-\\udfff), which is no character", []
        values.append(v)
    return None, values


def _has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def whole_number(v):
    """(int, None) for a byte count or status given as a number or numeric text; (None, reason) otherwise."""
    if isinstance(v, bool):
        return None, "expected a whole number, got true or false"
    if isinstance(v, str):
        s = v.strip()
        if not s:
            return None, None
        try:
            v = int(s) if s.lstrip("+-").isdigit() and len(s) < 20 else float(s)
        except ValueError:
            return None, f"expected a whole number, got {_printable(v, 40)!r}"
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return None, f"expected a whole number, got {v!r}"
        if not v.is_integer():
            return None, f"expected a whole number, got {v!r}"
        v = int(v)
    if not isinstance(v, int):
        return None, f"expected a whole number, got {_type_word(v)}"
    if v < 0 or v >= 1 << 62:
        return None, f"expected a whole number from 0 to {(1 << 62) - 1:,}, got {v:,}" if abs(v) < 10 ** 30 \
            else "expected a whole number, got one too large"
    return v, None


def _printable(text: str, limit: int = 2000) -> str:
    text = text if len(text) <= limit else text[:limit] + "…"
    return text.encode("utf-8", "replace").decode("utf-8")


# ---------------------------------------------------------------------- WARC

_META = re.compile(rb"<meta\s[^>]{0,2000}>", re.I)
_LINK = re.compile(rb"<(?:link|a)\s[^>]{0,2000}?rel\s*=\s*[\"']?license[\"']?[^>]{0,2000}>", re.I)
_ATTR = re.compile(rb"""([a-zA-Z-]{1,40})\s*=\s*(?:"([^"]{0,2000})"|'([^']{0,2000})'|([^\s>]{1,2000}))""")


def _attrs(tag: bytes) -> dict:
    return {m.group(1).lower().decode("ascii", "replace"): (m.group(2) or m.group(3) or m.group(4) or b"").decode("utf-8", "replace")
            for m in _ATTR.finditer(tag)}


def html_signals(body: bytes, agents: frozenset = frozenset()) -> dict:
    """robots and tdm-reservation meta tags and the licence link of an HTML page.

    ``<meta name="robots">`` counts for all crawlers; ``<meta name="GPTBot">`` only
    when the crawler it names is an AI crawler (lower-case ``agents``).
    """
    out: dict = {}
    for tag in _META.findall(body):
        a = _attrs(tag)
        name = a.get("name", "").lower()
        if name == "robots" or name in agents:
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

    try:
        parts = urlsplit(url)
        return (parts.hostname or "").lower(), parts.path or "/"
    except ValueError:  # http://[::1/x and the like: no host
        return "", "/"


def _target(record) -> str:
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    return url[1:-1] if url.startswith("<") and url.endswith(">") else url


def _read_bounded(stream, limit: int) -> tuple[bytes, bool]:
    data = stream.read(limit + 1)
    return data[:limit], len(data) > limit


def _site_record(record, sites: SiteBook, src: str) -> bool:
    """File a robots.txt or tdmrep.json capture into ``sites``; True if it was one."""
    url = _target(record)
    host, path = _host_path(url)
    if path not in ("/robots.txt", "/.well-known/tdmrep.json") or not host:
        return False
    try:
        status = int(record.http_headers.get_statuscode() or 0) if record.http_headers else 0
    except (TypeError, ValueError):
        status = 0
    when = record.rec_headers.get_header("WARC-Date")
    limit = ROBOTS_LIMIT if path == "/robots.txt" else TDMREP_LIMIT
    try:
        body, longer = _read_bounded(record.content_stream(), limit)
    except Exception as exc:  # a broken Content-Encoding: the capture cannot be read
        (sites.refuse_robots if path == "/robots.txt" else sites.refuse_tdmrep)(host, src, f"cannot be decoded ({_reason(exc)})")
        return True
    digest = hashlib.sha256(body).hexdigest()
    if path == "/robots.txt":
        text = body.decode("utf-8", "replace")
        if "\ufffd" in text and 200 <= status < 300:
            sites.problems.append((src, f"robots.txt for {host} is not UTF-8; undecodable bytes replaced"))
        sites.add_robots(host, status, text, url, when, digest, truncated=longer)
    elif longer and 200 <= status < 300:
        sites.refuse_tdmrep(host, src, f"is larger than {TDMREP_LIMIT:,} bytes")
    else:
        sites.add_tdmrep(host, status, body.decode("utf-8", "replace"), url, when, digest)
    return True


def read_site_warc(path: Path, sites: SiteBook) -> None:
    """A WARC's robots.txt and tdmrep.json captures (a crawl's, or Common Crawl's robots.txt WARCs)."""
    from warcio.archiveiterator import ArchiveIterator

    src = str(path)
    check_input(path)
    redirected: set = set()
    with open(path, "rb") as fh:
        try:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response" and _site_record(record, sites, src) and record.http_headers:
                    if (record.http_headers.get_statuscode() or "").startswith("3"):
                        redirected.add(_host_path(_target(record))[0])
        except Exception as exc:  # a truncated or corrupt file: report it, keep what was read
            sites.problems.append((src, f"WARC cannot be read past offset {_offset(fh)} ({_reason(exc)}); "
                                        "site files after it are missing"))
    still = sum(1 for h in redirected if 300 <= sites.robots_code.get(h, 0) < 400)
    if still:
        sites.problems.append((src, f"{still:,} robots.txt captures are redirects whose target is not captured; "
                                    "those sites count as not checked"))


def _offset(fh) -> int:
    try:
        return fh.tell()
    except (OSError, ValueError):
        return -1


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return _printable(text, 200)


def read_warc(path: Path, batch_rows: int, first_row: int, problems: list, agents: frozenset = frozenset()):
    """One row per response record (not site files), in batches.

    A record that cannot be read whole (cut inside its headers or its content,
    trailing bytes that are no record, content that decodes past its bound)
    becomes an error row with its reason, is reported for the file, and the run
    goes on with the next record or file.
    """
    import pyarrow as pa
    from warcio.archiveiterator import ArchiveIterator

    src = str(path)
    check_input(path)
    rows: list = []
    bad: list = []
    row = first_row
    start = row

    def truncated(offset, why, url=None):
        what = f"WARC record at offset {offset}" + (f" ({url})" if url else "")
        problems.append((src, f"{what} is truncated or corrupt ({why}); it is in the errors file"))
        bad.append({"row": None, "source": src, "reason": f"truncated WARC record at offset {offset}: {why}",
                    "raw": {"offset": offset, **({"url": url} if url else {})}})

    def flush():
        cols = {c: [r.get(c) for r in rows] for c in WARC_COLUMNS}
        table = pa.table({c: pa.array(v, pa.int64() if c == "bytes" else pa.string()) for c, v in cols.items()})
        return Batch(table, src, start, bad)

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
            url = _target(record)
            if record.rec_type is None or _headers_cut(record):
                _drain(record)
                truncated(end, "the record's WARC headers are cut short", url or None)
                end = size
                continue
            if record.rec_type != "response":
                _drain(record)
                if getattr(record.raw_stream, "limit", 0):
                    truncated(end, "the record ends before its Content-Length", url or None)
                    end = size
                    continue
                end = it.get_record_offset() + (it.get_record_length() or 0)  # (asking reads the record to its end)
                continue
            host, path_ = _host_path(url)
            if path_ in ("/robots.txt", "/.well-known/tdmrep.json") and host:
                _drain(record)
                end = it.get_record_offset() + (it.get_record_length() or 0)
                continue
            try:
                row_data, bomb = _document(record, url, agents)
            except Exception as exc:
                truncated(end, _reason(exc), url)
                end = size
                break
            end = it.get_record_offset() + (it.get_record_length() or 0)
            if bomb:
                problems.append((src, f"WARC record for {url} {bomb}; it is in the errors file"))
                bad.append({"row": row, "source": src, "reason": f"content {bomb}", "raw": {"url": url}})
                row += 1
                continue
            if record.rec_headers.get_header("WARC-Truncated"):
                problems.append((src, f"WARC record for {url} is marked truncated "
                                      f"({record.rec_headers.get_header('WARC-Truncated')}); its headers were used"))
            rows.append(row_data)
            row += 1
            if len(rows) >= batch_rows:
                yield _with_rows(flush(), start, row, bad)
                rows, bad = [], []
                start = row
        if size - end > 4:  # more than the blank lines that end a record: a record cut inside its headers
            truncated(end, f"{size - end} trailing bytes are not a complete record")
    finally:
        fh.close()
    yield _with_rows(flush(), start, row, bad)


def _with_rows(batch: Batch, start: int, end: int, bad: list) -> Batch:
    """Row numbers of a WARC batch: every response record has one, in order, error rows included."""
    taken = {e["row"] for e in bad if e.get("row") is not None}
    batch.rows = np.array([r for r in range(start, end) if r not in taken], dtype=np.int64)
    return batch


WARC_COLUMNS = ("url", "x_robots_tag", "tdm_reservation", "tdm_policy", "content_usage", "content_type", "bytes",
                "fetched_at", "license", "meta_robots", "tdm_reservation_meta")


def _drain(record) -> None:
    """Skip a record's content without decoding it (the raw bytes, read to their end)."""
    while record.raw_stream.read(1 << 20):
        pass


def _headers_cut(record) -> bool:
    """A record whose WARC headers end before its Content-Length: a file cut inside them."""
    try:
        int(record.rec_headers.get_header("Content-Length"))
    except (TypeError, ValueError):
        return True
    return False


def _document(record, url: str, agents: frozenset) -> tuple[dict, str | None]:
    """The row of one response record, and why its content could not be read (a bomb), if so.

    The content is decoded a block at a time and counted, never held whole: at most
    ``max(DECODE_FLOOR, DECODE_RATIO x its encoded length)`` bytes are decoded.
    """
    h = record.http_headers
    get = (lambda k: h.get_header(k)) if h else (lambda k: None)
    ctype = (get("Content-Type") or "").split(";")[0].strip().lower() or None
    encoded = int(record.rec_headers.get_header("Content-Length") or 0)
    limit = max(DECODE_FLOOR, DECODE_RATIO * encoded)
    stream = record.content_stream()
    head = stream.read(HTML_PEEK)
    total = len(head)
    bomb = None
    while True:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            bomb = (f"decodes to more than {limit:,} bytes from {encoded:,} ({get('Content-Encoding') or 'no'} "
                    f"Content-Encoding; a decompression bomb?); not read further")
            _drain(record)
            break
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
        "bytes": total,
        "fetched_at": record.rec_headers.get_header("WARC-Date"),
    }
    link = get("Link")
    if link:
        m = re.search(r'<([^>]{1,2000})>\s*;\s*rel="?license"?', link)
        if m:
            out["license"] = m.group(1)
    if ctype in (None, "text/html", "application/xhtml+xml"):
        out.update({k: v for k, v in html_signals(head, agents).items() if v and not out.get(k)})
    return {k: (_printable(v, 100_000) if isinstance(v, str) else v) for k, v in out.items()}, bomb


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
        try:
            data, longer = read_site_file(str(status_file), 64 << 20)
        except SiteFileError as exc:
            raise FairuseError(f"{status_file}: {exc}") from None
        if longer:
            raise FairuseError(f"{status_file}: larger than 64 MiB")
        text = data.decode("utf-8", "replace")
        for lineno, rec in enumerate(csv.reader(io.StringIO(text)), 1):
            if not rec or rec[0] == "host":
                continue
            try:
                statuses[rec[0].lower()] = (int(rec[1]), rec[2] if len(rec) > 2 else None)
            except (IndexError, ValueError):
                raise FairuseError(f"{status_file}:{lineno}: expected host,status[,fetched_at], got "
                                   f"{_printable(','.join(rec), 200)!r}") from None
    base = str(folder)
    with os.scandir(folder) as it:
        entries = sorted((e.name, e.is_file()) for e in it if e.name.endswith((".txt", ".tdmrep.json")))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    sha256 = hashlib.sha256
    for name, regular in entries:
        where = os.path.join(base, name)
        tdm = name.endswith(".tdmrep.json")
        host = name[: -len(".tdmrep.json")] if tdm else name[:-4].lower()
        limit = TDMREP_LIMIT if tdm else ROBOTS_LIMIT
        data = None
        if regular:  # a regular file (or a link to one): read at once, without blocking
            try:
                fd = os.open(where, flags)
                try:
                    data = os.read(fd, 16384)  # (asking for the whole limit at once allocates it: 3x slower)
                    if len(data) == 16384:
                        parts = [data]
                        while sum(map(len, parts)) <= limit:
                            more = os.read(fd, 1 << 20)
                            if not more:
                                break
                            parts.append(more)
                        data = b"".join(parts)
                finally:
                    os.close(fd)
            except OSError as exc:
                why = f"cannot be read ({exc.strerror or exc})"
        else:
            why = "is not a regular file (a FIFO, device, socket or folder); refused"
        if data is None:
            if tdm:
                sites.refuse_tdmrep(host, where, why)
            else:
                statuses.pop(host, None)
                sites.refuse_robots(host, where, why)
            continue
        longer = len(data) > limit
        data = data[:limit]
        if tdm:
            if longer:
                sites.refuse_tdmrep(host, where, f"is larger than {TDMREP_LIMIT:,} bytes")
            else:
                sites.add_tdmrep(host, 200, data.decode("utf-8", "replace"), where, None, sha256(data).hexdigest())
            continue
        text = data.decode("utf-8", "replace")
        if "\ufffd" in text:
            sites.problems.append((where, f"robots.txt for {host} is not UTF-8; undecodable bytes replaced"))
        status, when = statuses.pop(host, (200, None))
        sites.add_robots(host, status, text, where, when, sha256(data).hexdigest(), truncated=longer)
    for host, (status, when) in statuses.items():
        sites.add_robots(host, status, None, str(status_file), when)
