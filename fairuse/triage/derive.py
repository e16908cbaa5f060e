"""Derive: a batch of manifest rows -> the signals found on each row -> the facts
they set. Vectorised over the batch; per distinct value (licence, header,
terms text) where a value needs parsing; per distinct robots.txt for robots.

Bad rows are never dropped: they come back with a reason in ``_error``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import FairuseError, closest
from . import signals as sg
from .robots import SiteBook, evaluate

# manifest columns the triage reads (besides fact ids of rules/facts.yaml)
COLUMNS = {
    "url": "the document's URL (required)",
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
ROW_SIGNALS = ("tdmrep_header", "tdmrep_meta", "noai", "noimageai", "header_content_usage", "terms_reservation")


@dataclass
class Context:
    """Everything ``derive`` needs; picklable, so it ships to Dask workers."""

    book: sg.SignalBook
    sites: SiteBook
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
        return tuple(sorted(facts | set(self.fact_columns)))


def check_columns(columns, vocab, name: str) -> tuple:
    """The fact columns of a manifest; one-line error for a missing or misspelt column."""
    columns = [str(c) for c in columns]
    known = set(COLUMNS) | {f.id for f in vocab if f.type in ("bool", "choice")}
    if "url" not in columns:
        lower = {c.lower(): c for c in columns}
        hint = f" (did you mean '{lower['url']}'?)" if "url" in lower else closest("url", columns)
        raise FairuseError(f"{name}: no 'url' column{hint or ' (columns: ' + ', '.join(columns[:8]) + ')'}")
    import difflib

    for col in columns:
        if col in known:
            continue
        match = difflib.get_close_matches(col, sorted(known), n=1, cutoff=0.75)
        if match:
            raise FairuseError(f"{name}: unknown column '{col}' (did you mean '{match[0]}'?)")
    return tuple(c for c in columns if c in vocab.facts and c not in COLUMNS)


def split_urls(urls):
    """Arrow string array of URLs -> (lower-case host, path with query); null host when not a URL.

    Splitting on "/" is several times faster than a regular expression; the
    regular expression is used only for batches with a URL that has no path.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = pc.split_pattern(urls, "/", max_splits=3)
    shortest = pc.min(pc.list_value_length(parts)).as_py()
    if len(urls) and shortest is not None and shortest >= 4:
        scheme, empty = pc.list_element(parts, 0), pc.list_element(parts, 1)
        host, rest = pc.list_element(parts, 2), pc.list_element(parts, 3)
        ok = pc.and_(pc.match_substring_regex(scheme, r"^[A-Za-z][A-Za-z0-9+.-]*:$"),
                     pc.and_(pc.equal(empty, ""), pc.not_equal(host, "")))
        if pc.any(pc.match_substring_regex(host, "[@:]")).as_py():
            host = pc.replace_substring_regex(host, r"^[^@]*@|:[0-9]*$", "")
        host = pc.if_else(ok, pc.ascii_lower(host), pa.scalar(None, pa.string()))
        path = pc.binary_join_element_wise(pa.scalar("/"), rest, "")
        if pc.any(pc.match_substring(path, "#")).as_py():
            path = pc.replace_substring_regex(path, "#.*$", "")
        return host, path
    found = pc.extract_regex(urls, URL_PATTERN)
    return pc.utf8_lower(pc.struct_field(found, "host")), pc.struct_field(found, "path")


def _text(frame: pd.DataFrame, col: str) -> pd.Series | None:
    if col not in frame.columns:
        return None
    s = frame[col]
    if s.dtype != object:
        s = s.astype(object).where(s.notna(), None)
    return s


def _token(series: pd.Series | None, token: str) -> np.ndarray:
    """Rows whose header or meta value holds the directive ``token`` (once per distinct value)."""
    if series is None:
        return None
    rx = re.compile(rf"(?:^|[\s,;:]){token}(?:$|[\s,;])", re.I)
    return _mapped(_per_distinct(series, lambda v: bool(rx.search(str(v))), False), len(series), False)


def _per_distinct(series: pd.Series | None, fn, default):
    """Apply ``fn`` once per distinct value of ``series``; returns (codes, results)."""
    if series is None:
        return None
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    results = [fn(v) for v in uniques]
    return codes, results


def _fact_value(vocab, fact: str, value, where: str):
    from ..answers import check_value

    if isinstance(value, str) and vocab[fact].type == "bool":
        low = value.strip().lower()
        value = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False, "": None}.get(low, value)
    if isinstance(value, (np.bool_,)):
        value = bool(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return check_value(vocab, fact, value, where)



def _set_where_stronger(facts: dict, rank: dict, book, n: int, fact: str, value, mask):
    """Set ``fact`` to ``value`` on the rows of ``mask`` where no stronger signal set it already.

    ``rank`` holds, per fact, the strength (lower is stronger, ``book.rank``) of the value
    each row has; returns the rows changed.
    """
    col = facts.setdefault(fact, np.full(n, None, dtype=object))
    rk = rank.setdefault(fact, np.full(n, 1 << 30, dtype=np.int64))
    r = book.rank(fact, value)
    hit = mask & (r < rk)
    col[hit] = value
    rk[hit] = r
    return hit

def derive(frame: pd.DataFrame, ctx: Context, first_row: int = 0, source: str = "") -> pd.DataFrame:
    """Signals and facts for every row of ``frame`` (a manifest batch)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(frame)
    book = ctx.book
    out = pd.DataFrame({"row": np.arange(first_row, first_row + n, dtype=np.int64)})
    out["source"] = pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [source or "manifest"])
    if "id" in frame.columns:
        out["id"] = frame["id"].reset_index(drop=True)
    url_col = frame["url"]
    out["url"] = url_col.to_numpy() if url_col.dtype == object else url_col.reset_index(drop=True)
    errors = np.full(n, None, dtype=object)

    url_arr = pa.array(url_col, type=pa.string(), from_pandas=True) if url_col.dtype != object or n else pa.array([], pa.string())
    host_arr, path_arr = split_urls(url_arr)
    hosts = host_arr.to_numpy(zero_copy_only=False)
    paths = path_arr.to_numpy(zero_copy_only=False)
    paths = np.where(pd.isna(paths) | (paths == ""), "/", paths).astype(object)
    bad_url = pd.isna(hosts)
    if bad_url.any():
        urls = url_col.to_numpy()
        for i in np.flatnonzero(bad_url):
            errors[i] = f"url: expected an absolute URL with a host, got {urls[i]!r}"
    out["host"] = host_arr.to_pandas()
    if "bytes" in frame.columns:
        out["bytes"] = pd.to_numeric(frame["bytes"], errors="coerce").fillna(0).astype(np.int64).to_numpy()
    if "fetched_at" in frame.columns:
        fa = frame["fetched_at"]
        out["fetched_at"] = (fa.astype(str) if fa.dtype != object else fa).where(fa.notna(), None).to_numpy()

    # robots.txt texts carried in the manifest: once per distinct (host, status, text)
    if "robots_txt" in frame.columns or "robots_status" in frame.columns:
        rt = _text(frame, "robots_txt")
        rs = pd.to_numeric(frame["robots_status"], errors="coerce") if "robots_status" in frame.columns else None
        site = pd.DataFrame({"host": hosts, "text": rt if rt is not None else None,
                             "status": rs if rs is not None else np.nan})
        site = site[site["host"].notna() & ~site["host"].isin(list(ctx.sites.robots_status))]
        for host, text, status in site.drop_duplicates("host").itertuples(index=False):
            if text is None and pd.isna(status):
                continue
            ctx.sites.add_robots(host, None if pd.isna(status) else int(status), text, source or "manifest")

    found: dict = evaluate(ctx.sites, hosts, paths, ctx.usage_categories)
    found["tdmrep_header"] = _eq(_text(frame, "tdm_reservation"), "1", n)
    found["tdmrep_meta"] = _eq(_text(frame, "tdm_reservation_meta"), "1", n)
    xr, mr = _text(frame, "x_robots_tag"), _text(frame, "meta_robots")
    found["noai"] = _any(_token(xr, "noai"), _token(mr, "noai"), n)
    image = np.zeros(n, bool)
    ct = _text(frame, "content_type")
    if ct is not None:
        image = _mapped(_per_distinct(ct, lambda v: str(v).lower().startswith("image/"), False), n, False)
    noimage = _any(_token(xr, "noimageai"), _token(mr, "noimageai"), n)
    found["noimageai"] = noimage & image
    cu = _per_distinct(_text(frame, "content_usage"),
                       lambda v: sg.usage_reserved(sg.content_usage(v), ctx.usage_categories), False)
    found["header_content_usage"] = _mapped(cu, n, False)
    terms = _per_distinct(_text(frame, "terms_text"), lambda v: sg.terms_reserve(book, v), False)
    found["terms_reservation"] = _mapped(terms, n, False)
    reserving = [k for k, s in book.signals.items() if s.enabled and s.sets and k in found
                 and s.sets.get("rights_reserved") not in (None, "none")]
    any_reservation = np.zeros(n, bool)
    for k in reserving:
        any_reservation |= found[k]
    found["no_reservation_found"] = found["robots_checked"] & ~any_reservation

    # facts: start from nothing (answers apply later), each signal in YAML order, best rank wins
    facts: dict = {}
    rank: dict = {}
    deciding = np.full(n, None, dtype=object)
    for sid, sig in book.signals.items():
        if not sig.enabled or sid not in found:
            continue
        mask = found[sid]
        for fact, value in sig.sets.items():
            hit = _set_where_stronger(facts, rank, book, n, fact, value, mask)
            if fact == "rights_reserved":
                deciding[hit] = sid
    out["reservation_signal"] = pd.Categorical(deciding)

    # licences: once per distinct licence text
    lic = _per_distinct(_text(frame, "license"),
                        lambda v: sg.licence_rule(book, sg.licence_elements(v, book.permissive_spdx), ctx.answers), None)
    licence_ids = np.full(n, None, dtype=object)
    if lic is not None:
        codes, rules = lic
        for u, rule in enumerate(rules):
            if rule is None:
                continue
            rows = codes == u
            licence_ids[rows] = rule.id
            for fact, value in rule.sets.items():
                _set_where_stronger(facts, rank, book, n, fact, value, rows)
    out["licence_rule"] = pd.Categorical(licence_ids)

    # fact columns of the manifest override signals (checked once per distinct value)
    for fact in ctx.fact_columns:
        col = facts.setdefault(fact, np.full(n, None, dtype=object))
        codes, uniques = pd.factorize(frame[fact].astype(object), use_na_sentinel=True)
        for u, raw in enumerate(uniques):
            rows = codes == u
            try:
                value = _fact_value(ctx.vocab, fact, raw, "column")
            except FairuseError as exc:
                bad = rows & pd.isna(errors)
                errors[bad] = str(exc)
                continue
            if value is not None:
                col[rows] = value
    for fact in ctx.row_facts:
        out[fact] = pd.Categorical(facts.get(fact, np.full(n, None, dtype=object)))

    # which signals were found: one string per distinct combination
    kinds = [k for k in book.signals if book.signals[k].enabled and k in found]
    bits = np.zeros(n, dtype=np.int64)
    for b, k in enumerate(kinds):
        bits |= found[k].astype(np.int64) << b
    codes, uniques = pd.factorize(bits)
    names = np.array([";".join(k for b, k in enumerate(kinds) if (int(u) >> b) & 1) for u in uniques], dtype=object)
    out["signals"] = pd.Categorical.from_codes(codes, pd.Index(names, dtype=object).unique()) if len(set(names)) == len(names) else names[codes]
    out["_error"] = errors
    return out


def _eq(series, value: str, n: int) -> np.ndarray:
    if series is None:
        return np.zeros(n, bool)
    return _mapped(_per_distinct(series, lambda v: str(v).strip() == value, False), n, False)


def _any(a, b, n: int) -> np.ndarray:
    out = np.zeros(n, bool)
    for x in (a, b):
        if x is not None:
            out |= x
    return out


def _mapped(pair, n: int, default) -> np.ndarray:
    if pair is None:
        return np.zeros(n, bool)
    codes, results = pair
    table = np.array(list(results) + [default], dtype=bool)
    return table[np.where(codes < 0, len(results), codes)]


def error_records(frame: pd.DataFrame, derived: pd.DataFrame) -> list[dict]:
    """The rows of ``derived`` that carry an ``_error``, with their raw values."""
    bad = derived["_error"].notna().to_numpy()
    out = []
    for i in np.flatnonzero(bad):
        raw = {str(k): (None if pd.isna(v) else v) for k, v in frame.iloc[i].items()} if frame is not None else {}
        out.append({"row": int(derived["row"].iat[i]), "source": derived["source"].iat[i],
                    "reason": derived["_error"].iat[i], "raw": json.loads(json.dumps(raw, default=str))})
    return out
