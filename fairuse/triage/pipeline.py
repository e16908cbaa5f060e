"""The triage pipeline, as blocks over record batches (read -> derive -> decide
-> write). Each block counts what it saw, kept and errored, so that

    rows in = rows out + rows in errors

holds and the summary can say so.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .decide import UNCHECKED_RULE, Decider
from .derive import SOURCES, Context, derive
from .sources import Batch


class Block:
    """A step over batches, counting rows seen, kept and errored."""

    name = "block"

    def __init__(self):
        self.stats = Counter()

    def __call__(self, batches):
        for batch in batches:
            yield self.process(batch)

    def process(self, batch: Batch) -> Batch:  # pragma: no cover - overridden
        return batch


def derive_batch(batch: Batch, ctx: Context) -> Batch:
    """Derive one batch in place (here, or on a worker)."""
    table = batch.table
    n = 0 if table is None else table.num_rows
    if n:
        rows = batch.rows if batch.rows is not None else np.arange(batch.first_row, batch.first_row + n, dtype=np.int64)
        derived, codes, unchecked, errors = derive(table, ctx, rows, batch.source)
        batch.errors = batch.errors + errors
        batch.derived = (derived, codes, unchecked) if derived.num_rows else None
    else:
        batch.derived = None
    batch.table = None  # the raw rows are not needed past here
    return batch


class Derive(Block):
    name = "derive"

    def __init__(self, ctx: Context, done_elsewhere: bool = False):
        super().__init__()
        self.ctx = ctx
        self.done_elsewhere = done_elsewhere  # batches derived on workers: only counted here

    def process(self, batch: Batch) -> Batch:
        if not self.done_elsewhere:
            n_in = 0 if batch.table is None else batch.table.num_rows
            read_errors = len(batch.errors)
            batch = derive_batch(batch, self.ctx)
            self.stats["seen"] += n_in + read_errors
        else:
            self.stats["seen"] += (0 if batch.derived is None else batch.derived[0].num_rows) + len(batch.errors)
        self.stats["errored"] += len(batch.errors)
        self.stats["kept"] += 0 if batch.derived is None else batch.derived[0].num_rows
        return batch


class Decide(Block):
    name = "decide"

    def __init__(self, decider: Decider):
        super().__init__()
        self.decider = decider

    def process(self, batch: Batch) -> Batch:
        if batch.derived is None:
            return batch
        derived, codes, unchecked = batch.derived
        self.stats["seen"] += derived.num_rows
        batch.derived = self.decider.apply(derived, codes, unchecked)
        self.stats["kept"] += derived.num_rows
        return batch


def _codes(col):
    """A dictionary column -> (int codes with -1 for null, its values)."""
    import pyarrow as pa

    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if not pa.types.is_dictionary(col.type):
        import pyarrow.compute as pc

        col = pc.dictionary_encode(col)
    return col.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64), col.dictionary.to_pylist()


def _add(counter: Counter, codes: np.ndarray, values: list, weights=None) -> None:
    ok = codes >= 0
    if not ok.any():
        return
    counts = np.bincount(codes[ok], weights=None if weights is None else weights[ok], minlength=len(values))
    for i in np.flatnonzero(counts).tolist():
        counter[values[i]] += int(counts[i])


HOST_METRICS = ("rows", "bytes", "reserving") + tuple(f"not checked {src}" for src in SOURCES)


class HostTally:
    """Counts per host over the whole run: each batch's per-host counts kept as a small
    Arrow table, summed by host every few batches (memory stays flat) and when read."""

    MERGE = 8

    def __init__(self):
        self.parts: list = []
        self._done = None

    def add_batch(self, hosts, counts: dict) -> None:
        import pyarrow as pa

        self.parts.append(pa.table({"host": hosts.cast(pa.string()),
                                    **{k: pa.array(np.asarray(counts[k], np.int64)) for k in HOST_METRICS}}))
        self._done = None
        if len(self.parts) > self.MERGE:
            self._merge()

    def _merge(self) -> None:
        import pyarrow as pa

        t = pa.concat_tables(self.parts).group_by("host").aggregate([(m, "sum") for m in HOST_METRICS])
        self.parts = [t.rename_columns([c[:-4] if c.endswith("_sum") else c for c in t.column_names])]

    def total(self):
        if self._done is None:
            if not self.parts:
                self._done = ([], {})
            else:
                self._merge()
                t = self.parts[0]
                self._done = (t.column("host").to_pylist(),
                              {m: t.column(m).combine_chunks().to_numpy(zero_copy_only=False) for m in HOST_METRICS})
        return self._done

    def counter(self, name: str) -> Counter:
        hosts, arrays = self.total()
        arr = arrays.get(name)
        if arr is None:
            return Counter()
        return Counter({hosts[i]: int(arr[i]) for i in np.flatnonzero(arr).tolist()})

    def top(self, name: str, k: int) -> list:
        """The ``k`` hosts with the most (ties: by name), without building a whole Counter."""
        hosts, arrays = self.total()
        arr = arrays.get(name)
        if arr is None or not len(arr):
            return []
        nz = np.flatnonzero(arr)
        if len(nz) > 4 * k:
            cut = np.partition(arr[nz], len(nz) - k)[len(nz) - k]
            nz = nz[arr[nz] >= cut]
        return sorted(((hosts[i], int(arr[i])) for i in nz.tolist()), key=lambda kv: (-kv[1], kv[0]))[:k]

    def count(self, name: str) -> int:
        hosts, arrays = self.total()
        arr = arrays.get(name)
        return 0 if arr is None else int(np.count_nonzero(arr))


class Evidence:
    """The evidence log, (host, signal) -> rows, bytes, first and last fetched, rows honoured;
    kept as per-batch Arrow aggregates and merged once, when first read."""

    def __init__(self):
        self.parts: list = []
        self._done = None

    def add_batch(self, table) -> None:
        self.parts.append(table)
        self._done = None
        if len(self.parts) > 8:
            import pyarrow as pa

            t = pa.concat_tables(self.parts).group_by(["host", "signal"]).aggregate(
                [("rows", "sum"), ("bytes", "sum"), ("first", "min"), ("last", "max"), ("honoured", "sum")])
            self.parts = [t.rename_columns([c.rsplit("_", 1)[0] if c.endswith(("_sum", "_min", "_max")) else c
                                            for c in t.column_names])]

    def items(self) -> dict:
        import pyarrow as pa

        if self._done is None:
            self._done = {}
            if self.parts:
                t = pa.concat_tables(self.parts).group_by(["host", "signal"]).aggregate(
                    [("rows", "sum"), ("bytes", "sum"), ("first", "min"), ("last", "max"), ("honoured", "sum")])
                self.parts = [t.rename_columns([c.rsplit("_", 1)[0] if c.endswith(("_sum", "_min", "_max")) else c
                                                for c in t.column_names])]
                cols = [t.column(c).to_pylist() for c in ("host", "signal", "rows_sum", "bytes_sum", "first_min",
                                                          "last_max", "honoured_sum")]
                for host, signal, rows, nbytes, first, last, honoured in zip(*cols):
                    self._done[(host, signal)] = {"rows": rows, "bytes": nbytes or 0, "first": first, "last": last,
                                                  "honoured": honoured}
        return self._done


@dataclass
class Summary:
    """What the report and the one-line summary show, accumulated batch by batch."""

    jurisdictions: list
    verdict_rows: Counter = field(default_factory=Counter)  # (jurisdiction, verdict) -> rows
    verdict_bytes: Counter = field(default_factory=Counter)
    unchecked_rows: Counter = field(default_factory=Counter)  # jurisdiction -> rows made uncertain by an unchecked source
    signal_rows: Counter = field(default_factory=Counter)
    licence_rows: Counter = field(default_factory=Counter)
    hosts: HostTally = field(default_factory=HostTally)  # rows, bytes, reserving, not checked per source
    state_rows: Counter = field(default_factory=Counter)  # (source, state) -> rows
    content_types: Counter = field(default_factory=Counter)
    log: Evidence = field(default_factory=Evidence)
    first_fetched: str | None = None
    last_fetched: str | None = None
    rows_out: int = 0
    bytes_out: int = 0
    has_bytes: bool = False

    @property
    def evidence(self) -> dict:
        return self.log.items()

    @property
    def reserving_hosts(self) -> Counter:
        return self.hosts.counter("reserving")

    @property
    def host_rows(self) -> Counter:
        return self.hosts.counter("rows")

    @property
    def host_bytes(self) -> Counter:
        return self.hosts.counter("bytes")

    def not_checked_hosts(self, source: str) -> Counter:
        return self.hosts.counter(f"not checked {source}")

    def add(self, d) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        n = d.num_rows
        self.rows_out += n
        if "bytes" in d.column_names:
            self.has_bytes = True
            nbytes = d.column("bytes").combine_chunks().fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        else:
            nbytes = np.zeros(n, np.int64)
        self.bytes_out += int(nbytes.sum())
        host = d.column("host").combine_chunks()
        host_codes, _ = host.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64), None
        valid = host_codes >= 0
        hc = host_codes[valid]
        m = len(host.dictionary)
        per_host = {"rows": np.bincount(hc, minlength=m), "bytes": np.bincount(hc, weights=nbytes[valid], minlength=m).astype(np.int64)}
        for j in self.jurisdictions:
            codes, values = _codes(d.column(f"verdict_{j}"))
            counts = np.bincount(codes, minlength=len(values))
            sums = np.bincount(codes, weights=nbytes, minlength=len(values))
            for i, v in enumerate(values):
                if counts[i]:
                    self.verdict_rows[(j, v)] += int(counts[i])
                    self.verdict_bytes[(j, v)] += int(sums[i])
            rcodes, rvalues = _codes(d.column(f"rule_{j}"))
            if UNCHECKED_RULE in rvalues:
                self.unchecked_rows[j] += int((rcodes == rvalues.index(UNCHECKED_RULE)).sum())
        codes, values = _codes(d.column("signals"))
        counts = np.bincount(codes[codes >= 0], minlength=len(values))
        for i, names in enumerate(values):
            for name in (names.split(";") if names and counts[i] else []):
                self.signal_rows[name] += int(counts[i])
        codes, values = _codes(d.column("licence_rule"))
        _add(self.licence_rows, codes, values)
        if "content_type" in d.column_names:
            codes, values = _codes(d.column("content_type"))
            _add(self.content_types, codes, values)
        for src in SOURCES:
            codes, values = _codes(d.column(f"evidence_{src}"))
            counts = np.bincount(codes[codes >= 0], minlength=len(values))
            for i, v in enumerate(values):
                if counts[i]:
                    self.state_rows[(src, v)] += int(counts[i])
            mask = (codes == values.index("not checked"))[valid] if "not checked" in values else np.zeros(len(hc), bool)
            per_host[f"not checked {src}"] = np.bincount(hc[mask], minlength=m)
        if "fetched_at" in d.column_names:
            fa = d.column("fetched_at")
            if fa.null_count < n:
                lo, hi = pc.min_max(fa.cast(pa.string())).values()
                lo, hi = lo.as_py(), hi.as_py()
                self.first_fetched = lo if self.first_fetched is None else min(self.first_fetched, lo)
                self.last_fetched = hi if self.last_fetched is None else max(self.last_fetched, hi)
        rs_codes, rs_values = _codes(d.column("reservation_signal"))
        reserving = np.array([v != "no_reservation_found" for v in rs_values] + [False])[np.where(rs_codes < 0, len(rs_values), rs_codes)]
        per_host["reserving"] = np.bincount(hc[reserving[valid]], minlength=m)
        self.hosts.add_batch(host.dictionary, per_host)
        if not reserving.any():
            return
        idx = pa.array(np.flatnonzero(reserving))
        if "verdict_eu" in d.column_names:
            vcodes, vvalues = _codes(d.column("verdict_eu"))
            honoured = np.asarray([v != "applies" for v in vvalues] + [True])[vcodes[reserving]]
        else:
            honoured = np.ones(int(reserving.sum()), bool)
        when = d.column("fetched_at").take(idx).cast(pa.string()) if "fetched_at" in d.column_names \
            else pa.nulls(len(idx), pa.string())
        ev = pa.table({"host": pa.array(host_codes[reserving].astype(np.int32)),
                       "signal": pa.array(rs_codes[reserving].astype(np.int32)),
                       "bytes": pa.array(nbytes[reserving]), "when": when,
                       "honoured": pa.array(honoured.astype(np.int64))})
        agg = ev.group_by(["host", "signal"]).aggregate([("bytes", "count"), ("bytes", "sum"), ("when", "min"),
                                                          ("when", "max"), ("honoured", "sum")])
        self.log.add_batch(pa.table({
            "host": host.dictionary.take(agg.column("host")), "signal": pa.array(rs_values).take(agg.column("signal")),
            "rows": agg.column("bytes_count"), "bytes": agg.column("bytes_sum"), "first": agg.column("when_min"),
            "last": agg.column("when_max"), "honoured": agg.column("honoured_sum")}))


class Write(Block):
    """Writes kept rows to the output and errors to the errors file; feeds the summary
    and any other collectors (exclusion lists)."""

    name = "write"

    def __init__(self, writer, errors_path: Path | None, summary: Summary, on_rows=None, *, force: bool = False,
                 inputs=(), collectors=()):
        super().__init__()
        self.writer = writer
        self.errors_path = errors_path
        self.summary = summary
        self.on_rows = on_rows
        self.force, self.inputs = force, inputs  # for the errors file (see fairuse.atomic)
        self._errors = None  # the errors file, staged beside its place from the first error on
        self.collectors = list(collectors)
        self.errors_written = 0

    def process(self, batch: Batch) -> Batch:
        d = batch.derived
        n = 0 if d is None else d.num_rows
        self.stats["seen"] += n + len(batch.errors)
        if n:
            if self.writer is not None:
                self.writer.write(d)
            self.summary.add(d)
            for c in self.collectors:
                c.add(d)
            self.stats["kept"] += n
        if batch.errors:
            self.stats["errored"] += len(batch.errors)
            if self.errors_path is not None:
                if self._errors is None:
                    from ..atomic import Staged

                    self._errors = Staged(self.errors_path, force=self.force, inputs=self.inputs)
                self._errors.write("".join(json.dumps(rec, default=str, ensure_ascii=False) + "\n"
                                           for rec in batch.errors).encode("utf-8"))
                self.errors_written += len(batch.errors)
        if self.on_rows:
            self.on_rows(n + len(batch.errors))
        return batch

    def close(self) -> None:
        """Put the finished files in place."""
        try:
            if self._errors is not None:
                self._errors.commit()
        except BaseException:
            self.abort()
            raise
        if self.writer is not None:
            self.writer.close()

    def abort(self) -> None:
        """A run that failed: leave every output as it was before the run."""
        if self._errors is not None:
            self._errors.discard()
        if self.writer is not None:
            self.writer.abort()


def run(batches, derive_block: Derive, decide_block: Decide, write_block: Write):
    """Drive the batches through the blocks; returns the blocks' counts. A run that fails writes nothing."""
    try:
        for _ in write_block(decide_block(derive_block(batches))):
            pass
    except BaseException:
        write_block.abort()
        raise
    write_block.close()
    return {b.name: dict(b.stats) for b in (derive_block, decide_block, write_block)}
