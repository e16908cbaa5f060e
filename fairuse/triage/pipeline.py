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
import pandas as pd

from .decide import Decider
from .derive import Context, derive
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


class Derive(Block):
    name = "derive"

    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx = ctx

    def process(self, batch: Batch) -> Batch:
        frame = batch.frame
        read_errors = len(batch.errors)
        self.stats["seen"] += len(frame) + read_errors
        self.stats["errored"] += read_errors
        if len(frame):
            derived = derive(frame, self.ctx, batch.first_row, batch.source)
            from .derive import error_records

            bad = derived["_error"].notna().to_numpy()
            if bad.any():
                batch.errors = batch.errors + error_records(frame, derived)
                derived = derived[~bad].reset_index(drop=True)
                self.stats["errored"] += int(bad.sum())
            batch.derived = derived.drop(columns="_error")
        else:
            batch.derived = None
        self.stats["kept"] += 0 if batch.derived is None else len(batch.derived)
        batch.frame = None  # the raw rows are not needed past here
        return batch


class Decide(Block):
    name = "decide"

    def __init__(self, decider: Decider):
        super().__init__()
        self.decider = decider

    def process(self, batch: Batch) -> Batch:
        n = 0 if batch.derived is None else len(batch.derived)
        self.stats["seen"] += n
        if n:
            batch.derived = self.decider.apply(batch.derived)
        self.stats["kept"] += n
        return batch


@dataclass
class Summary:
    """What the report and the one-line summary show, accumulated batch by batch."""

    jurisdictions: list
    verdict_rows: Counter = field(default_factory=Counter)  # (jurisdiction, verdict) -> rows
    verdict_bytes: Counter = field(default_factory=Counter)
    signal_rows: Counter = field(default_factory=Counter)
    licence_rows: Counter = field(default_factory=Counter)
    reserving_hosts: Counter = field(default_factory=Counter)
    evidence: dict = field(default_factory=dict)  # (host, signal) -> {rows, bytes, first, last, honoured}
    rows_out: int = 0
    bytes_out: int = 0

    def add(self, d: pd.DataFrame) -> None:
        n = len(d)
        self.rows_out += n
        nbytes = d["bytes"].to_numpy() if "bytes" in d.columns else np.zeros(n, np.int64)
        self.bytes_out += int(nbytes.sum())
        for j in self.jurisdictions:
            col = f"verdict_{j}"
            g = pd.DataFrame({"v": d[col], "b": nbytes}).groupby("v", sort=False, observed=True)["b"].agg(["size", "sum"])
            for v, size, total in zip(g.index.tolist(), g["size"].tolist(), g["sum"].tolist()):
                self.verdict_rows[(j, v)] += int(size)
                self.verdict_bytes[(j, v)] += int(total)
        for names, cnt in d["signals"].value_counts().items():
            for name in (names.split(";") if names else []):
                self.signal_rows[name] += int(cnt)
        for lic, cnt in d["licence_rule"].value_counts().items():
            self.licence_rows[lic] += int(cnt)
        rs = d["reservation_signal"]
        res = d[(rs.notna() & (rs != "no_reservation_found")).to_numpy()]
        if len(res):
            self.reserving_hosts.update(res["host"].value_counts().to_dict())
            when = res["fetched_at"] if "fetched_at" in res.columns else pd.Series([None] * len(res), index=res.index)
            host_codes, host_names = pd.factorize(res["host"])
            ev = pd.DataFrame({"host": host_codes, "signal": res["reservation_signal"].astype(object).to_numpy(),
                               "bytes": res["bytes"].to_numpy() if "bytes" in res.columns else 0,
                               "when": when.astype(object).where(when.notna(), None).to_numpy(),
                               "honoured": (res["verdict_eu"] != "applies").to_numpy() if "verdict_eu" in res.columns else True})
            agg = ev.groupby(["host", "signal"], sort=False).agg(rows=("bytes", "size"), bytes=("bytes", "sum"),
                                                                first=("when", "min"), last=("when", "max"),
                                                                honoured=("honoured", "sum"))
            agg = agg.reset_index()
            agg["host"] = np.asarray(host_names, dtype=object)[agg["host"].to_numpy()]
            cols = [agg[c].tolist() for c in ("host", "signal", "rows", "bytes", "honoured", "first", "last")]
            for host, signal, rows, nbytes, honoured, first, last in zip(*cols):
                e = self.evidence.get((host, signal))
                if e is None:
                    e = self.evidence[(host, signal)] = {"rows": 0, "bytes": 0, "first": None, "last": None, "honoured": 0}
                e["rows"] += int(rows)
                e["bytes"] += int(nbytes)
                e["honoured"] += int(honoured)
                if isinstance(first, str):
                    e["first"] = first if e["first"] is None else min(e["first"], first)
                if isinstance(last, str):
                    e["last"] = last if e["last"] is None else max(e["last"], last)


class Write(Block):
    """Writes kept rows to the output and errors to the errors file; feeds the summary."""

    name = "write"

    def __init__(self, writer, errors_path: Path | None, summary: Summary, on_rows=None, *, force: bool = False,
                 inputs=()):
        super().__init__()
        self.writer = writer
        self.errors_path = errors_path
        self.summary = summary
        self.on_rows = on_rows
        self.force, self.inputs = force, inputs  # for the errors file (see fairuse.atomic)
        self._errors = None  # the errors file, staged beside its place from the first error on
        self.errors_written = 0

    def process(self, batch: Batch) -> Batch:
        n = 0 if batch.derived is None else len(batch.derived)
        self.stats["seen"] += n + len(batch.errors)
        if n:
            if self.writer is not None:
                self.writer.write(batch.derived)
            self.summary.add(batch.derived)
            self.stats["kept"] += n
        if batch.errors:
            self.stats["errored"] += len(batch.errors)
            if self.errors_path is not None:
                if self._errors is None:
                    from ..atomic import Staged

                    self._errors = Staged(self.errors_path, force=self.force, inputs=self.inputs)
                self._errors.write("".join(json.dumps(rec, default=str) + "\n" for rec in batch.errors).encode("utf-8"))
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
