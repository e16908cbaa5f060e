"""Set up and run a triage: the Python API (:func:`triage`) and the runner the
CLI calls (:func:`triage_files`). Single process, or partitions on a Dask
cluster; both decide on the caller's side, once per distinct combination.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import FairuseError
from .decide import Decider
from .derive import Context, check_columns
from .pipeline import Decide, Derive, Summary, Write, run
from .robots import SiteBook
from .signals import SignalBook, load_signals
from .sources import Batch, kind_of, load_sites, manifest_columns, read_manifest, read_warc

BATCH_ROWS = 100_000


@dataclass
class Result:
    """What a run did: counts per block, the summary, engine runs, problems per source."""

    counts: dict
    summary: Summary
    decider: Decider
    book: SignalBook
    problems: list
    rows_in: int
    rows_out: int
    errors: int
    seconds: float
    out: Path | None = None
    errors_path: Path | None = None

    @property
    def balanced(self) -> bool:
        return self.rows_in == self.rows_out + self.errors


def _rulebase(rules_dir):
    from ..rules import load_rulebase

    return load_rulebase(Path(rules_dir)) if rules_dir else load_rulebase()


def signal_book(rulebase, path: Path | None = None) -> SignalBook:
    return load_signals(Path(path) if path else Path(rulebase.root) / "signals.yaml", rulebase.vocabulary)


def _answers(answers, vocab) -> dict:
    from ..answers import load_answers, validate

    if answers is None:
        return {}
    if isinstance(answers, (str, Path)):
        return load_answers(vocab, answers)
    return validate(vocab, dict(answers), "answers")


def _context(rulebase, book, answers, sites, fact_columns) -> Context:
    return Context(book, sites, answers, rulebase.vocabulary, tuple(fact_columns))


def triage(df, answers=None, *, robots=None, rules=None, signals=None, as_of: dt.date | None = None,
           client=None) -> pd.DataFrame:
    """Triage a manifest: one row per document or source, a ``url`` column at least.

    ``df`` is a pandas DataFrame or a ``dask.dataframe`` (whose partitions run on
    the Dask cluster of ``client``, or the default one); ``answers`` is a mapping
    or an answers file for the facts the whole corpus shares; ``robots`` is a
    list of directories or WARC files of robots.txt (and tdmrep.json) captures.
    Returns a pandas DataFrame: per row the verdict and deciding rule per
    jurisdiction, the reservation signal and licence rule, the signals found and
    the facts they set. Rows that cannot be read are left out of it and listed in
    ``result.attrs["errors"]`` with their reasons; ``attrs["engine_runs"]`` says how
    many times the engine ran. Not legal advice.
    """
    base = _rulebase(rules)
    book = signal_book(base, signals)
    ans = _answers(answers, base.vocabulary)
    sites = SiteBook(book.ai_user_agents)
    if robots:
        load_sites([Path(p) for p in ([robots] if isinstance(robots, (str, Path)) else robots)], sites)
    fact_cols = check_columns(list(df.columns), base.vocabulary, "dataframe")
    ctx = _context(base, book, ans, sites, fact_cols)
    decider = Decider(ans, base, ctx.row_facts, as_of)
    summary = Summary(decider.jurisdictions)
    derive_b, decide_b = Derive(ctx), Decide(decider)
    frames: list = []
    errors: list = []

    class _Collect(Write):
        def process(self, batch):
            batch = Write.process(self, batch)
            if batch.derived is not None and len(batch.derived):
                frames.append(batch.derived)
            errors.extend(batch.errors)
            return batch

    write_b = _Collect(None, None, summary)
    if _is_dask(df):
        from .dask_run import dask_batches

        batches = dask_batches(df, ctx, client)
        derive_b = _Passthrough(derive_b)
        counts = run(batches, derive_b, decide_b, write_b)
    else:
        counts = run(_frame_batches(df), derive_b, decide_b, write_b)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["row", "url"])
    out.attrs["errors"] = errors
    out.attrs["engine_runs"] = decider.runs
    out.attrs["problems"] = list(sites.problems)
    out.attrs["counts"] = counts
    return out


def _frame_batches(df: pd.DataFrame, rows: int = BATCH_ROWS):
    for start in range(0, max(len(df), 1), rows):
        yield Batch(df.iloc[start:start + rows].reset_index(drop=True), "dataframe", start)


def _is_dask(df) -> bool:
    return type(df).__module__.startswith("dask")


class _Passthrough(Derive):
    """Batches derived on Dask workers: count them, as Derive would."""

    def __init__(self, inner: Derive):
        super().__init__(inner.ctx)

    def process(self, batch: Batch) -> Batch:
        n = 0 if batch.derived is None else len(batch.derived)
        self.stats["seen"] += n + len(batch.errors)
        self.stats["errored"] += len(batch.errors)
        self.stats["kept"] += n
        return batch


def default_errors_path(out: Path) -> Path:
    """Where rows that cannot be read go without --errors: beside --out."""
    return Path(out).with_name(Path(out).stem + ".errors.jsonl")


def input_files(inputs, answers_path=None, signals=None, robots=()) -> list:
    """Every file a run reads that was named to it: outputs never write over these."""
    return [*inputs, answers_path, signals, *[p for p in (robots or ()) if not Path(p).is_dir()]]


def triage_files(inputs: list[Path], *, answers_path: Path | None, out: Path | None, robots: list[Path] = (),
                 rules: Path | None = None, signals: Path | None = None, as_of: dt.date | None = None,
                 errors_path: Path | None = None, dask_address: str | None = None, batch_rows: int = BATCH_ROWS,
                 progress=None, workers: int | None = None, force: bool = False) -> Result:
    """The CLI's run: manifests or WARCs in, verdicts (and errors) out, streamed.

    ``out`` and the errors file replace existing files only with ``force``, and never a
    file the run reads (see :mod:`fairuse.atomic`); a run that fails leaves them as they were.
    """
    from .writers import Writer, format_of

    started = time.perf_counter()
    if workers is None:
        from .parallel import default_workers

        workers = default_workers()
    base = _rulebase(rules)
    book = signal_book(base, signals)
    ans = _answers(answers_path, base.vocabulary)
    if out is not None:
        format_of(out)
    kinds = {kind_of(p) for p in inputs}
    if "warc" in kinds and len(kinds) > 1:
        raise FairuseError(f"{inputs[0]}: give either manifests or WARC files, not both")
    sites = SiteBook(book.ai_user_agents)
    load_sites(list(robots), sites)
    warc = kinds == {"warc"}
    if warc:
        fact_cols: tuple = ()
        from .sources import read_site_warc

        for p in inputs:
            read_site_warc(p, sites)
    else:
        cols = None
        for p in inputs:
            these = manifest_columns(p)
            fact_cols = check_columns(these, base.vocabulary, str(p))
            if cols is not None and set(these) != set(cols):
                raise FairuseError(f"{p}: its columns differ from {inputs[0]}'s ({', '.join(sorted(set(these) ^ set(cols)))})")
            cols = these
    ctx = _context(base, book, ans, sites, fact_cols)
    decider = Decider(ans, base, ctx.row_facts, as_of)
    summary = Summary(decider.jurisdictions)
    bool_facts = {f for f in ctx.row_facts if base.vocabulary[f].type == "bool"}
    errors_path = errors_path if errors_path is not None or out is None else default_errors_path(out)
    problems: list = sites.problems

    def batches():
        row = 0
        for p in inputs:
            it = read_warc(p, batch_rows, row, problems) if warc else read_manifest(p, batch_rows, row)
            for b in it:
                row = b.first_row + (0 if b.frame is None else len(b.frame))
                yield b

    derive_b: Derive = Derive(ctx)
    client = None  # a Dask client this run connects is closed when it ends
    if dask_address:
        if warc:
            raise FairuseError("--dask reads manifests (Parquet, CSV, JSONL); WARC files are read in this process")
        from .dask_run import connect, dask_batches, read_dask

        client = connect(dask_address)
        source = dask_batches(read_dask(inputs), ctx, client, source=str(inputs[0]) if len(inputs) == 1 else "manifest")
        derive_b = _Passthrough(derive_b)
    elif workers > 1:
        from .parallel import pool_batches

        source = pool_batches(batches(), ctx, workers)
        derive_b = _Passthrough(derive_b)
    else:
        source = batches()
    read = input_files(inputs, answers_path, signals, robots)
    writer = None
    try:
        if errors_path is not None:  # written from the first error on: checked now, not then
            from ..atomic import check_target

            check_target(errors_path, force=force, inputs=read)
        writer = Writer(out, bool_facts, force=force, inputs=read) if out is not None else None
        write_b = Write(writer, errors_path, summary, on_rows=progress, force=force, inputs=read)
        counts = run(source, derive_b, Decide(decider), write_b)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        if client is not None:
            client.close()
    rows_in = counts["derive"].get("seen", 0)
    errors = counts["write"].get("errored", 0)
    return Result(counts, summary, decider, book, problems, rows_in, counts["write"].get("kept", 0), errors,
                  time.perf_counter() - started, out, errors_path if write_b.errors_written else None)
