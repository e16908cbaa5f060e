"""Derive: a batch of manifest rows (an Arrow table) -> the signals found on each row
-> the facts they set, and per row the state of each source of evidence
(reserving, not reserving, not checked, unreachable). Vectorised over the batch:
per site where a value is a site's (robots.txt, tdmrep.json), per distinct value
where a value needs parsing (licence, header, terms text), never per row in Python.

Bad rows are never dropped: they come back as error records with their reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np

from ..errors import FairuseError, closest
from . import robots as rb
from . import signals as sg
from .sources import NUMBER_COLUMNS, TEXT_COLUMNS, whole_number

# manifest columns the triage reads (besides fact ids of rules/facts.yaml)
COLUMNS = {
    "url": "the document's URL (required; --url-column names another, e.g. metadata.url)",
    "id": "your identifier for the row, copied to the output",
    "license": "a Creative Commons licence URL or an SPDX id",
    "x_robots_tag": "the X-Robots-Tag response header",
    "meta_robots": "the content of <meta name=robots>",
    "tdm_reservation": "the tdm-reservation response header (TDMRep)",
    "tdm_reservation_meta": "the content of <meta name=tdm-reservation> (TDMRep)",
    "tdm_policy": "the tdm-policy header or meta (TDMRep), kept as evidence",
    "content_usage": "the Content-Usage response header (IETF AI preferences draft)",
    "terms_text": "the site's terms of use, as text",
    "robots_txt": "the text of the site's robots.txt",
    "robots_status": "the HTTP status of the site's robots.txt fetch (0 = no answer)",
    "content_type": "the document's media type",
    "bytes": "the document's size in bytes",
    "fetched_at": "when the document was fetched",
}
URL_PATTERN = r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?:[^/?#@]*@)?(?P<host>\[[^\]]*\]|[^/?#:]+)(?::[0-9]*)?(?P<path>[^#]*)"
HOST_OK = r"^(?:[^\[\]/?#@:\s\\]+|\[[0-9A-Fa-f:.]+\])$"
ROBOTS_SIGNALS = ("robots_disallow_ai_agent", "robots_disallow_other_ai_agents", "robots_disallow_all_agents")
# the sources of evidence, each with the signals read from it
SOURCES = {
    "robots_txt": "robots.txt",
    "tdmrep_json": "TDMRep file (tdmrep.json)",
    "headers": "response headers (X-Robots-Tag, tdm-reservation, Content-Usage)",
    "html_meta": "HTML meta tags (robots, tdm-reservation)",
    "terms": "terms of use",
}
SOURCE_COLUMNS = {"headers": ("x_robots_tag", "tdm_reservation", "content_usage"),
                  "html_meta": ("meta_robots", "tdm_reservation_meta"), "terms": ("terms_text",)}
STATES = list(rb.STATES)
RESERVING, NOT_RESERVING, NOT_CHECKED, UNREACHABLE = 0, 1, 2, 3


@dataclass
class Context:
    """Everything ``derive`` needs; picklable, so it ships to workers."""

    book: sg.SignalBook
    sites: rb.SiteBook
    answers: dict
    vocab: object
    fact_columns: tuple  # manifest columns that are fact ids

    @property
    def usage_categories(self) -> list:
        return self.book.content_usage_categories.get(self.answers.get("purpose"), [])

    @property
    def row_facts(self) -> tuple:
        """Facts a row can carry: set by signals and licences, or given as columns."""
        facts = {f for s in self.book.signals.values() if s.enabled for f in s.sets}
        facts |= {f for lic in self.book.licences for f in lic.sets}
        facts |= {f for sets in self.book.licence_kinds.values() for f in sets}
        return tuple(sorted(facts | set(self.fact_columns)))

    @property
    def agents(self) -> frozenset:
        return frozenset(a.lower() for a in self.book.ai_user_agents)


def check_columns(columns, vocab, name: str, url_column: str | None = None) -> tuple:
    """The fact columns of a manifest; one-line error for a missing or misspelt column."""
    columns = [str(c) for c in columns]
    url = url_column or "url"
    known = set(COLUMNS) | {f.id for f in vocab if f.type in ("bool", "choice")}
    if url not in columns:
        if url_column:
            raise FairuseError(f"{name}: no column '{url_column}' for --url-column{closest(url_column, columns)}")
        lower = {c.lower(): c for c in columns}
        nested = [c for c in columns if c.endswith(".url")]
        if "url" in lower:
            hint = f" (did you mean '{lower['url']}'? or give --url-column {lower['url']})"
        elif nested:
            hint = f" (give --url-column {nested[0]})"
        elif not columns:
            hint = " (it has no columns: is it empty?)"
        else:
            hint = closest("url", columns) or " (columns: " + ", ".join(columns[:8]) + "; --url-column names the URL's)"
        raise FairuseError(f"{name}: no 'url' column{hint}")
    import difflib

    for col in columns:
        if col in known or "." in col or col == url:
            continue
        match = difflib.get_close_matches(col, sorted(known), n=1, cutoff=0.75)
        if match:
            raise FairuseError(f"{name}: unknown column '{col}' (did you mean '{match[0]}'?)")
    return tuple(c for c in columns if c in vocab.facts and c not in COLUMNS)


def default_url_column(columns) -> str | None:
    """``metadata.url`` (datatrove, Dolma) when a manifest has no ``url`` column and one nested URL."""
    if "url" in columns:
        return None
    nested = [c for c in columns if c.endswith(".url")]
    return nested[0] if len(nested) == 1 else None


# ---------------------------------------------------------------------- types

def _arrow_type_word(t) -> str:
    import pyarrow as pa

    if pa.types.is_boolean(t):
        return "true or false"
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "a number"
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return "a list"
    if pa.types.is_struct(t) or pa.types.is_map(t):
        return "an object"
    return str(t)


def normalise(table, fact_columns: tuple):
    """Columns of the types the triage reads; returns (table, bad mask, reasons by row index)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    bad = np.zeros(n, bool)
    reasons: dict = {}

    def fail(mask, reason):
        new = mask & ~bad
        for i in np.flatnonzero(new)[:100_000]:
            reasons[int(i)] = reason(i) if callable(reason) else reason
        bad[new] = True

    out = {}
    for name in table.column_names:
        col = table.column(name)
        col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col  # (a chunked to_numpy loads pandas)
        t = col.type
        if pa.types.is_dictionary(t):
            col = col.cast(t.value_type)
            t = col.type
        if pa.types.is_large_string(t) or pa.types.is_string_view(t):
            col = col.cast(pa.string())
            t = col.type
        if (pa.types.is_string(t) and (name in TEXT_COLUMNS or name in fact_columns)) or (
                pa.types.is_integer(t) and name in NUMBER_COLUMNS and col.null_count == 0):
            if pa.types.is_integer(t) and not (pc.min(col).as_py() or 0) >= 0:
                pass  # a negative count: checked below
            else:
                out[name] = col if not pa.types.is_integer(t) else col.cast(pa.int64())
                continue
        valid = col.is_valid().to_numpy(zero_copy_only=False) if n else np.zeros(0, bool)
        if name in NUMBER_COLUMNS:
            col = _numbers(name, col, valid, fail)
        elif name in TEXT_COLUMNS or name in fact_columns:
            if pa.types.is_null(t):
                col = pa.nulls(n, pa.string())
            elif pa.types.is_string(t) or pa.types.is_large_string(t):
                pass
            elif name in fact_columns and pa.types.is_boolean(t):
                pass
            elif pa.types.is_binary(t) or pa.types.is_large_binary(t):
                col = _binary_text(name, col, fail)
            elif name == "url" or not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
                                       or pa.types.is_temporal(t) or pa.types.is_decimal(t)):
                fail(valid, f"{name}: expected text, got {_arrow_type_word(t)}")
                col = pa.nulls(n, pa.string())
            else:
                col = col.cast(pa.string())
        out[name] = col
    table = pa.table(out) if out else table
    if "url" not in table.column_names:
        table = table.append_column("url", pa.nulls(n, pa.string()))
    return table, bad, reasons


def _numbers(name, col, valid, fail):
    import pyarrow as pa
    import pyarrow.compute as pc

    t = col.type
    n = len(col)
    if pa.types.is_integer(t):
        arr = col.to_numpy(zero_copy_only=False) if col.null_count == 0 else col.fill_null(0).to_numpy(zero_copy_only=False)
        neg = valid & (arr < 0)
        if neg.any():
            fail(neg, lambda i: f"{name}: expected a whole number from 0, got {int(arr[i])}")
        return pa.array(np.where(valid & ~neg, arr, 0).astype(np.int64), mask=~(valid & ~neg))
    if pa.types.is_floating(t):
        arr = col.fill_null(0.0).to_numpy(zero_copy_only=False).astype(np.float64)
        ok = valid & np.isfinite(arr) & (arr >= 0) & (arr < 2.0 ** 62) & (np.floor(arr) == arr)
        if (valid & ~ok).any():
            fail(valid & ~ok, lambda i: f"{name}: expected a whole number, got {arr[i]!r}")
        return pa.array(np.where(ok, arr, 0).astype(np.int64), mask=~ok)
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t):
        if pa.types.is_binary(t):
            col = _binary_text(name, col, fail)
        enc = pc.dictionary_encode(col).combine_chunks() if isinstance(col, pa.ChunkedArray) else pc.dictionary_encode(col)
        values = [whole_number(v) for v in enc.dictionary.to_pylist()]
        codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        table = np.array([v if v is not None else 0 for v, _ in values] + [0], dtype=np.int64)
        okv = np.array([why is None and v is not None for v, why in values] + [False])
        whyv = [why for _, why in values]
        wrong = (codes >= 0) & np.array([why is not None for why in whyv] + [False])[codes]
        if wrong.any():
            fail(wrong, lambda i: f"{name}: {whyv[codes[i]]}")
        good = okv[codes]
        return pa.array(table[codes], mask=~good)
    if pa.types.is_null(t):
        return pa.nulls(n, pa.int64())
    fail(valid, f"{name}: expected a whole number, got {_arrow_type_word(t)}")
    return pa.nulls(n, pa.int64())


def _binary_text(name, col, fail):
    import pyarrow as pa

    try:
        return col.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    values = col.to_pylist()
    out, wrong = [], np.zeros(len(values), bool)
    for i, v in enumerate(values):
        try:
            out.append(None if v is None else v.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(None)
            wrong[i] = True
    fail(wrong, f"{name}: not valid UTF-8")
    return pa.array(out, pa.string())


def frame_to_arrow(df, columns: list):
    """A pandas DataFrame -> (Arrow table, bad mask, reasons): a value Arrow cannot hold
    (a lone surrogate, mixed types) makes its row an error, never the run."""
    import pyarrow as pa

    n = len(df)
    bad = np.zeros(n, bool)
    reasons: dict = {}
    arrays = {}
    for name in columns:
        series = df[name]
        try:
            arrays[name] = pa.array(series, from_pandas=True)
            if pa.types.is_string(arrays[name].type) or pa.types.is_large_string(arrays[name].type):
                arrays[name].validate(full=True)
            continue
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, UnicodeEncodeError, OverflowError, TypeError, ValueError):
            pass
        values = []
        for i, v in enumerate(series.tolist()):
            if v is None or (isinstance(v, float) and v != v):
                values.append(None)
                continue
            if name in NUMBER_COLUMNS:
                num, why = whole_number(v)
                if why:
                    bad[i] = True
                    reasons.setdefault(i, f"{name}: {why}")
                values.append(num)
                continue
            if isinstance(v, (list, dict, tuple, set)) or (name == "url" and not isinstance(v, str)):
                from .sources import _type_word

                bad[i] = True
                reasons.setdefault(i, f"{name}: expected text, got {_type_word(v)}")
                values.append(None)
                continue
            s = v if isinstance(v, str) else ("true" if v is True else "false" if v is False else str(v))
            try:
                s.encode("utf-8")
            except UnicodeEncodeError:
                bad[i] = True
                reasons.setdefault(i, f"{name}: holds a lone surrogate (\\ud800-\\udfff), which is no character")
                s = None
            values.append(s)
        arrays[name] = pa.array(values, pa.int64() if name in NUMBER_COLUMNS else pa.string())
    return pa.table(arrays) if arrays else pa.table({"url": pa.nulls(n, pa.string())}), bad, reasons


# ---------------------------------------------------------------------- URLs

class Paths:
    """The paths (with query) of a batch's URLs, built only for the rows that need them."""

    def __init__(self, urls, start: np.ndarray | None = None, end: np.ndarray | None = None, full=None):
        self.urls, self.start, self.end, self.full = urls, start, end, full

    def take(self, idx):
        import pyarrow as pa

        import pyarrow.compute as pc

        idx = np.asarray(idx, dtype=np.int64)
        if self.full is not None:
            return self.full.take(pa.array(idx))
        out = _gather(self.urls, self.start[idx], self.end[idx])
        if pc.any(pc.match_substring(out, "#")).as_py():
            out = pc.replace_substring_regex(out, "#.*$", "")
        return pc.if_else(pc.equal(out, ""), pa.scalar("/"), out)


def _gather(urls, start: np.ndarray, end: np.ndarray):
    """A string array of ``urls``' bytes from ``start`` to ``end`` (byte positions in its data buffer)."""
    import pyarrow as pa

    data = np.frombuffer(urls.buffers()[2], np.uint8) if urls.buffers()[2] is not None else np.zeros(0, np.uint8)
    lengths = np.maximum(end - start, 0)
    offsets = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    total = int(offsets[-1])
    if total:
        pos = np.repeat(start - offsets[:-1], lengths) + np.arange(total)
        body = data[pos]
    else:
        body = np.zeros(0, np.uint8)
    if total >= 2 ** 31:
        return pa.LargeStringArray.from_buffers(len(lengths), pa.py_buffer(offsets), pa.py_buffer(body)).cast(pa.string())
    return pa.StringArray.from_buffers(len(lengths), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(body))


def split_urls(urls):
    """Arrow string array of URLs -> (lower-case host, :class:`Paths`); null host when not a URL.

    Found on the bytes with numpy (the slashes of each URL: scheme://host/path);
    a URL with user information, a port, or a query or fragment right after the host
    goes through the regular expression instead.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(urls, pa.ChunkedArray):
        urls = urls.combine_chunks()
    if not pa.types.is_string(urls.type):
        urls = urls.cast(pa.string())
    n = len(urls)
    if n == 0:
        return pa.array([], pa.string()), Paths(urls, full=pa.array([], pa.string()))
    offsets = np.frombuffer(urls.buffers()[1], np.int32)[urls.offset:urls.offset + n + 1].astype(np.int64)
    data = np.frombuffer(urls.buffers()[2], np.uint8) if urls.buffers()[2] is not None else np.zeros(0, np.uint8)
    begin, stop = offsets[:-1], offsets[1:]
    slash = np.flatnonzero(data == 47)
    k = np.searchsorted(slash, begin)
    pad = np.concatenate([slash, np.full(3, len(data) + 1, np.int64)])
    s1, s2, s3 = pad[k], pad[k + 1], pad[k + 2]
    valid = urls.is_valid().to_numpy(zero_copy_only=False) if urls.null_count else np.ones(n, bool)
    ok = valid & (s2 == s1 + 1) & (s1 > begin + 1) & (s2 < stop)
    colon = np.zeros(n, bool)
    colon[ok] = data[np.minimum(s1[ok] - 1, len(data) - 1)] == 58
    ok &= colon
    host_start = s2 + 1
    host_end = np.where(s3 < stop, s3, stop)
    ok &= host_end > host_start
    hosts = _gather(urls, np.where(ok, host_start, 0), np.where(ok, host_end, 0))
    hb = np.frombuffer(hosts.buffers()[2], np.uint8) if hosts.buffers()[2] is not None else np.zeros(0, np.uint8)
    lengths = np.where(ok, host_end - host_start, 0)
    # hosts that need the full parse: user information, a port, a query or fragment, brackets, odd bytes
    odd_byte = ~(((hb >= 97) & (hb <= 122)) | ((hb >= 48) & (hb <= 57)) | (hb == 46) | (hb == 45)
                 | ((hb >= 65) & (hb <= 90)))
    odd = np.zeros(n, bool)
    if odd_byte.any():
        owner = np.repeat(np.arange(n), lengths)
        odd[np.unique(owner[odd_byte])] = True
    scheme_ok = ok.copy()
    if ok.any():  # the scheme: letters, digits, + . - and a letter first
        first = data[np.minimum(begin, len(data) - 1)]
        scheme_ok &= ((first | 32) >= 97) & ((first | 32) <= 122)
    lower = hb.copy()
    upper = (lower >= 65) & (lower <= 90)
    lower[upper] += 32
    host_arr = pa.StringArray.from_buffers(n, hosts.buffers()[1], pa.py_buffer(lower),
                                           pa.py_buffer(np.packbits(scheme_ok & ~odd, bitorder="little")))
    paths = Paths(urls, np.where(ok, host_end, stop), stop)
    redo = np.flatnonzero(valid & (odd | ~ok))
    if not len(redo):
        return host_arr, paths
    sub = urls.take(pa.array(redo))
    found = pc.extract_regex(sub, URL_PATTERN)
    h = pc.utf8_lower(pc.struct_field(found, "host"))
    good = pc.match_substring_regex(h, HOST_OK)
    h = pc.if_else(pc.fill_null(good, False), h, pa.scalar(None, pa.string()))
    p = pc.struct_field(found, "path")
    p = pc.if_else(pc.or_(pc.is_null(p), pc.equal(p, "")), pa.scalar("/"), p)
    mask = np.zeros(n, bool)
    mask[redo] = True
    hosts_py = host_arr.to_pylist() if len(redo) > n // 4 else None
    if hosts_py is not None:
        for i, v in zip(redo.tolist(), h.to_pylist()):
            hosts_py[i] = v
        host_arr = pa.array(hosts_py, pa.string())
    else:
        idx = np.full(n, -1, np.int64)
        idx[redo] = np.arange(len(redo))
        host_arr = pc.if_else(pa.array(mask), pc.take(h, pa.array(np.maximum(idx, 0))), host_arr)
    full_paths = pc.if_else(pa.array(mask), pc.take(p, pa.array(np.maximum(np.cumsum(mask) - 1, 0))),
                            paths.take(np.arange(n)))
    return host_arr, Paths(urls, full=full_paths)


# ---------------------------------------------------------------------- per distinct value

def _distinct(table, col: str):
    """(codes with -1 for null, the distinct values as Python) of a text column, or None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if col not in table.column_names:
        return None
    c = table.column(col)
    c = c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c
    enc = c if pa.types.is_dictionary(c.type) else pc.dictionary_encode(c)
    return enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()


def _mapped(pair, n: int, fn, dtype=bool, default=False) -> np.ndarray:
    if pair is None:
        return np.full(n, default, dtype=dtype)
    codes, uniques = pair
    table = np.array([fn(v) for v in uniques] + [default], dtype=dtype)
    return table[np.where(codes < 0, len(uniques), codes)]


def _token_fn(token: str, agents):
    rx = re.compile(rf"(?:^|[\s,;:]){token}(?:$|[\s,;])", re.I)

    def has(v) -> bool:
        return v is not None and bool(rx.search(str(v))) and token in sg.robots_directives(v, agents)
    return has


# ---------------------------------------------------------------------- derive

def _site_arrays(sites: rb.SiteBook, uniques):
    import pyarrow.compute as pc

    index, hosts, status, kind, keys, key_list, tdm = sites.table()
    at = pc.index_in(uniques, value_set=index).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    known = at >= 0
    at0 = np.where(known, at, 0)
    if len(hosts):
        return (np.where(known, status[at0], rb.NOT_CHECKED), np.where(known, kind[at0], -1),
                np.where(known, keys[at0], -1), np.where(known, tdm[at0], rb.NOT_CHECKED), key_list, hosts, at)
    z = np.zeros(len(uniques), np.int64)
    return z, z - 1, z - 1, z, key_list, hosts, at


def _carried_robots(table, ctx: Context, host_codes, host_uniques, source: str) -> None:
    """robots.txt texts carried in the manifest: once per distinct host not already known."""
    import pyarrow as pa

    if "robots_txt" not in table.column_names and "robots_status" not in table.column_names:
        return
    _, first = np.unique(host_codes, return_index=True)
    first = first[host_codes[first] >= 0]
    texts = table.column("robots_txt").take(pa.array(first)).to_pylist() if "robots_txt" in table.column_names else [None] * len(first)
    status = table.column("robots_status").take(pa.array(first)).to_pylist() if "robots_status" in table.column_names else [None] * len(first)
    for i, text, st in zip(first.tolist(), texts, status):
        host = host_uniques[host_codes[i]]
        if host in ctx.sites.robots or (text is None and st is None):
            continue
        import hashlib

        digest = hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else None
        body = text[:rb.ROBOTS_LIMIT] if text is not None else None
        ctx.sites.add_robots(host, st, body, f"{source or 'manifest'} (robots_txt column)", None, digest,
                             truncated=text is not None and len(text) > rb.ROBOTS_LIMIT)


def derive(table, ctx: Context, rows: np.ndarray, source: str = ""):
    """Signals, facts and evidence for every row of ``table`` (a manifest batch, Arrow).

    ``rows``: the row numbers. Returns (derived Arrow table, fact codes {fact: int16 array,
    -1 unknown}, ``unchecked`` (bool array: a source in reservation_evidence not checked),
    error records).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    book = ctx.book
    table, bad, reasons = normalise(table, ctx.fact_columns)
    n = table.num_rows
    host_arr, path_arr = split_urls(table.column("url"))
    url_missing = pc.is_null(host_arr).to_numpy(zero_copy_only=False)
    if url_missing.any():
        urls = table.column("url")
        for i in np.flatnonzero(url_missing & ~bad)[:100_000]:
            reasons[int(i)] = f"url: expected an absolute URL with a host, got {urls[int(i)].as_py()!r}"
        bad |= url_missing

    enc = pc.dictionary_encode(host_arr)
    host_codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    host_uniques = enc.dictionary.to_pylist()
    _carried_robots(table, ctx, host_codes, host_uniques, source)
    u_status, u_kind, u_key, u_tdm, key_list, _hosts, _at = _site_arrays(ctx.sites, enc.dictionary)
    valid = host_codes >= 0
    take = np.where(valid, host_codes, 0)

    def per_row(u, default):
        return np.where(valid, u[take] if len(u) else default, default)

    r_status = per_row(u_status, rb.NOT_CHECKED)
    r_kind = per_row(u_kind, -1)
    r_key = per_row(u_key, -1)
    r_tdm = per_row(u_tdm, rb.NOT_CHECKED)

    found: dict = {}
    found["robots_unreachable"] = r_status == rb.UNREACHABLE
    found["robots_unavailable"] = r_status == rb.UNAVAILABLE
    fetched = r_status == rb.FETCHED
    found["robots_unparseable"] = fetched & (r_kind == rb.UNPARSEABLE)
    found["robots_disallow_ai_agent"] = fetched & (r_kind == rb.DISALLOW_AI)
    found["robots_disallow_all_agents"] = fetched & (r_kind == rb.DISALLOW_ALL)
    found["robots_disallow_other_ai_agents"] = fetched & (r_kind == rb.DISALLOW_OTHER_AI)
    found["robots_content_usage"] = np.zeros(n, bool)
    cats = ctx.usage_categories
    for k in np.unique(r_key[fetched & (r_key >= 0)]).tolist():
        parsed = ctx.sites.parsed(key_list[k])
        if parsed.kind != rb.MIXED and not parsed.usage:
            continue
        idx = np.flatnonzero(fetched & (r_key == k))
        paths = path_arr.take(idx)
        if parsed.kind == rb.MIXED:
            for sid, hit in rb.robots_signals(parsed, paths).items():
                found[sid][idx] = hit
        if parsed.usage and cats:
            best = np.full(len(idx), -1)
            reserved = np.zeros(len(idx), bool)
            for prefix, prefs in parsed.usage:  # the longest matching path prefix decides
                hit = pc.starts_with(paths, prefix).fill_null(False).to_numpy(zero_copy_only=False) & (len(prefix) > best)
                best = np.where(hit, len(prefix), best)
                reserved = np.where(hit, sg.usage_reserved(prefs, cats), reserved)
            found["robots_content_usage"][idx] = reserved
    found["tdmrep_file"] = np.zeros(n, bool)
    tdm_fetched = r_tdm == rb.FETCHED
    if tdm_fetched.any():
        for u in np.unique(host_codes[tdm_fetched]).tolist():
            idx = np.flatnonzero(host_codes == u)
            cap = ctx.sites.tdmrep[host_uniques[u]]
            found["tdmrep_file"][idx] = rb.tdmrep_reserved(cap.rules, path_arr.take(idx))

    agents = ctx.agents
    xr, mr = _distinct(table, "x_robots_tag"), _distinct(table, "meta_robots")
    noai, noimage = _token_fn("noai", agents), _token_fn("noimageai", agents)
    noai_h, noai_m = _mapped(xr, n, noai), _mapped(mr, n, noai)
    image = _mapped(_distinct(table, "content_type"), n, lambda v: str(v).lower().startswith("image/"))
    noimg_h, noimg_m = _mapped(xr, n, noimage) & image, _mapped(mr, n, noimage) & image
    found["tdmrep_header"] = _mapped(_distinct(table, "tdm_reservation"), n, lambda v: str(v).strip() == "1")
    found["tdmrep_meta"] = _mapped(_distinct(table, "tdm_reservation_meta"), n, lambda v: str(v).strip() == "1")
    found["noai"] = noai_h | noai_m
    found["noimageai"] = noimg_h | noimg_m
    found["header_content_usage"] = _mapped(_distinct(table, "content_usage"), n,
                                            lambda v: sg.usage_reserved(sg.content_usage(v), cats))
    found["terms_reservation"] = _mapped(_distinct(table, "terms_text"), n, lambda v: sg.terms_reserve(book, v))

    # the sources of evidence: per row, reserving / not reserving / not checked / unreachable
    robots_reserving = found["robots_content_usage"] | found["robots_unreachable"]
    for sid in ROBOTS_SIGNALS:
        robots_reserving = robots_reserving | found[sid]
    states = {}
    st = np.full(n, NOT_CHECKED, np.int8)
    st[(r_status == rb.FETCHED) | (r_status == rb.UNAVAILABLE)] = NOT_RESERVING
    st[robots_reserving & (st == NOT_RESERVING)] = RESERVING
    st[r_status == rb.UNREACHABLE] = UNREACHABLE
    states["robots_txt"] = st
    st = np.full(n, NOT_CHECKED, np.int8)
    st[(r_tdm == rb.FETCHED) | (r_tdm == rb.UNAVAILABLE)] = NOT_RESERVING
    st[found["tdmrep_file"]] = RESERVING
    st[r_tdm == rb.UNREACHABLE] = UNREACHABLE
    states["tdmrep_json"] = st
    row_reserving = {"headers": found["tdmrep_header"] | noai_h | noimg_h | found["header_content_usage"],
                     "html_meta": found["tdmrep_meta"] | noai_m | noimg_m, "terms": found["terms_reservation"]}
    for src, cols in SOURCE_COLUMNS.items():
        if any(c in table.column_names for c in cols):
            states[src] = np.where(row_reserving[src], RESERVING, NOT_RESERVING).astype(np.int8)
        else:
            states[src] = np.full(n, NOT_CHECKED, np.int8)
    needed = [s for s in book.reservation_evidence if s in states]
    unchecked = np.zeros(n, bool)
    for s in needed:
        unchecked |= states[s] == NOT_CHECKED
    reserving = [k for k, s in book.signals.items() if s.enabled and s.sets and k in found
                 and s.sets.get("rights_reserved") not in (None, "none")]
    any_reservation = np.zeros(n, bool)
    for k in reserving:
        any_reservation |= found[k]
    found["no_reservation_found"] = ~unchecked & ~any_reservation if needed else np.zeros(n, bool)

    # facts: start from nothing (answers apply later), each signal in YAML order, best rank wins
    facts = {f: _FactColumn(ctx.vocab[f], n) for f in ctx.row_facts}
    deciding = np.full(n, -1, np.int16)
    sig_ids = [k for k, s in book.signals.items() if s.enabled and k in found]
    for si, sid in enumerate(sig_ids):
        for fact, value in book.signals[sid].sets.items():
            hit = facts[fact].set_where_stronger(value, book.rank(fact, value), found[sid])
            if fact == "rights_reserved":
                deciding[hit] = si

    # licences: once per distinct licence text
    lic_rule = np.full(n, -1, np.int16)
    lic = _distinct(table, "license")
    if lic is not None:
        codes, uniques = lic
        elements = [sg.licence_elements(v, book.permissive_spdx, book.copyleft_spdx) for v in uniques]
        rules = [sg.licence_rule(book, els, ctx.answers) for els in elements]
        lic_index = {l.id: i for i, l in enumerate(book.licences)}
        per_u = np.array([lic_index[r.id] if r is not None else -1 for r in rules] + [-1], np.int16)
        lic_rule = per_u[np.where(codes < 0, len(uniques), codes)]
        for li in np.unique(lic_rule[lic_rule >= 0]).tolist():
            rule = book.licences[li]
            rows_mask = lic_rule == li
            for fact, value in rule.sets.items():
                facts[fact].set_where_stronger(value, book.rank(fact, value), rows_mask)
        # the licence itself (e.g. work_license: cc_by_nc_sa), whatever the use: rules/facts.yaml reads it
        kinds = [sg.licence_kind(book, els) for els in elements]
        row_codes = np.where(codes < 0, len(uniques), codes)
        for fact in {f for k in kinds for f in k}:
            values = sorted({k[fact] for k in kinds if fact in k}, key=str)
            per_kind = np.array([values.index(k[fact]) if fact in k else -1 for k in kinds] + [-1], np.int16)
            row_value = per_kind[row_codes]
            for vi, value in enumerate(values):
                facts[fact].set_where_stronger(value, book.rank(fact, value), row_value == vi)

    # fact columns of the manifest override signals (checked once per distinct value)
    for fact in ctx.fact_columns:
        col = table.column(fact)
        col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        enc_f = pc.dictionary_encode(col)
        codes = enc_f.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        for u, raw in enumerate(enc_f.dictionary.to_pylist()):
            rows_mask = codes == u
            try:
                value = _fact_value(ctx.vocab, fact, raw, "column")
            except FairuseError as exc:
                for i in np.flatnonzero(rows_mask & ~bad)[:100_000]:
                    reasons[int(i)] = str(exc)
                bad |= rows_mask
                continue
            if value is not None:
                facts[fact].set(value, rows_mask)

    # the output, Arrow-native: dictionary columns built from codes
    cols = {"row": pa.array(rows, pa.int64()),
            "source": pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int8)), pa.array([source or "manifest"]))}
    if "id" in table.column_names:
        cols["id"] = table.column("id")
    cols["url"] = table.column("url")
    cols["host"] = pa.DictionaryArray.from_arrays(pa.array(host_codes.astype(np.int32), mask=host_codes < 0),
                                                  enc.dictionary)
    if "bytes" in table.column_names:
        cols["bytes"] = table.column("bytes")
    if "fetched_at" in table.column_names:
        cols["fetched_at"] = table.column("fetched_at")
    cols["reservation_signal"] = _dict(deciding, sig_ids)
    cols["licence_rule"] = _dict(lic_rule, [l.id for l in book.licences])
    codes_out = {}
    for f, fc in facts.items():
        cols[f] = fc.arrow()
        codes_out[f] = fc.codes
    bits = np.zeros(n, np.int64)
    for b, k in enumerate(sig_ids):
        bits |= found[k].astype(np.int64) << b
    ub, inv = _unique_codes(bits)
    names = [";".join(k for b, k in enumerate(sig_ids) if (int(u) >> b) & 1) or None for u in ub.tolist()]
    cols["signals"] = _labels(inv, names)
    for src, state in states.items():
        cols[f"evidence_{src}"] = _dict(state, STATES)
    cols["robots_txt_source"] = _evidence_column(ctx.sites, _at, host_codes, "robots")
    cols["tdmrep_json_source"] = _evidence_column(ctx.sites, _at, host_codes, "tdmrep")
    nc_bits = np.zeros(n, np.int64)
    for b, src in enumerate(SOURCES):
        nc_bits |= (states[src] == NOT_CHECKED).astype(np.int64) << b
    ub, inv = _unique_codes(nc_bits)
    labels = [", ".join(SOURCES[s] for b, s in enumerate(SOURCES) if (int(u) >> b) & 1) or None for u in ub.tolist()]
    cols["not_checked"] = _labels(inv, labels)
    derived = pa.table(cols)

    errors = []
    if bad.any():
        keep = ~bad
        raw_rows = table.filter(pa.array(bad)).to_pylist()
        for i, raw in zip(np.flatnonzero(bad).tolist(), raw_rows):
            errors.append({"row": int(rows[i]), "source": source or "manifest", "reason": reasons.get(i, "cannot be read"),
                           "raw": json.loads(json.dumps(raw, default=str, ensure_ascii=False))})
        derived = derived.filter(pa.array(keep))
        codes_out = {f: c[keep] for f, c in codes_out.items()}
        unchecked = unchecked[keep]
    return derived, codes_out, unchecked, errors


def _evidence_column(sites: rb.SiteBook, at: np.ndarray, host_codes: np.ndarray, which: str):
    """Per row, where its site's robots.txt (or tdmrep.json) was read (address or file, capture date, SHA-256)."""
    import pyarrow as pa

    evidence = sites.evidence_array(which)  # one per known site; null where the file was not read
    site = np.where(host_codes >= 0, at[np.maximum(host_codes, 0)] if len(at) else -1, -1)
    known = site >= 0
    if known.any():
        known[known] = evidence.is_valid().to_numpy(zero_copy_only=False)[site[known]]
    present = np.zeros(len(evidence), bool)
    present[site[known]] = True  # (a mark per site: cheaper than sorting the rows)
    used = np.flatnonzero(present)
    remap = np.full(len(evidence) + 1, -1, np.int64)
    remap[used] = np.arange(len(used))
    codes = np.where(known, remap[np.where(known, site, len(evidence))], -1)
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), mask=codes < 0), evidence.take(pa.array(used)))


def _unique_codes(bits: np.ndarray):
    """(distinct values, index of each row's value) of small non-negative integers, without sorting the rows."""
    if len(bits) and int(bits.max()) < 1 << 20:
        seen = np.zeros(int(bits.max()) + 1, np.int64)
        seen[bits] = 1
        ub = np.flatnonzero(seen)
        seen[ub] = np.arange(len(ub))
        return ub, seen[bits]
    return np.unique(bits, return_inverse=True)


def _labels(codes: np.ndarray, values: list):
    """A dictionary column whose None values are nulls (Parquet stores no null inside a dictionary)."""
    import pyarrow as pa

    codes = np.asarray(codes, np.int64)
    present = [i for i, v in enumerate(values) if v is not None]
    remap = np.full(len(values) + 1, -1, np.int64)
    remap[present] = np.arange(len(present))
    new = remap[np.where(codes < 0, len(values), codes)]
    return pa.DictionaryArray.from_arrays(pa.array(new.astype(np.int32), mask=new < 0),
                                          pa.array([values[i] for i in present], pa.string()))


def _dict(codes: np.ndarray, values: list):
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), mask=codes < 0), pa.array(values, pa.string()))


class _FactColumn:
    """One fact per row, as codes into its domain (-1 unknown) with the rank of the signal that set it."""

    def __init__(self, fact, n: int):
        self.fact = fact
        self.values = list(fact.domain)
        self.index = {v: i for i, v in enumerate(self.values)}
        self.codes = np.full(n, -1, np.int16)
        self.rank = np.full(n, 1 << 30, np.int64)

    def set_where_stronger(self, value, rank: int, mask) -> np.ndarray:
        hit = mask & (rank < self.rank)
        self.codes[hit] = self.index[value]
        self.rank[hit] = rank
        return hit

    def set(self, value, mask) -> None:
        self.codes[mask] = self.index[value]

    def arrow(self):
        import pyarrow as pa

        if self.fact.type == "bool":
            vals = np.array([bool(v) for v in self.values] + [False])
            return pa.array(vals[self.codes], mask=self.codes < 0, type=pa.bool_())
        return _dict(self.codes, [str(v) for v in self.values])


def _fact_value(vocab, fact: str, value, where: str):
    from ..answers import check_value

    if isinstance(value, str) and vocab[fact].type == "bool":
        low = value.strip().lower()
        value = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False, "": None}.get(low, value)
    if isinstance(value, np.bool_):
        value = bool(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return check_value(vocab, fact, value, where)
