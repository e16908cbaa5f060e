"""Set up and run a triage: the Python API (:func:`triage`) and the runner the
CLI calls (:func:`triage_files`). Single process, worker processes, or
partitions on a Dask cluster; all decide on the caller's side, once per
distinct combination, so they give the same rows.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FairuseError
from .decide import Decider
from .derive import COLUMNS, Context, check_columns, default_url_column
from .frames import _dataset_batches, _frame_batches
from .pipeline import Decide, Derive, Summary, Write, run
from .robots import SiteBook
from .signals import SignalBook, load_signals
from .sources import Wanted, check_input, kind_of, load_sites, manifest_columns, read_manifest, read_warc

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
    sites: SiteBook | None = None
    written: list = field(default_factory=list)  # other files written (exclusion lists, logs, the AI Act draft)

    @property
    def balanced(self) -> bool:
        return self.rows_in == self.rows_out + self.errors

    def settling(self) -> list:
        """[(fact, rows, jurisdictions)]: the corpus facts whose answers could settle the most uncertain rows."""
        return self.decider.settling()


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


def reservation_values(book: SignalBook) -> dict:
    """What the sources a favourable verdict needs could have set, had they reserved: {fact: [values]}."""
    from .derive import ROBOTS_SIGNALS

    by_source = {"robots_txt": ROBOTS_SIGNALS + ("robots_unreachable", "robots_content_usage"),
                 "tdmrep_json": ("tdmrep_file",), "headers": ("tdmrep_header", "noai", "noimageai", "header_content_usage"),
                 "html_meta": ("tdmrep_meta", "noai", "noimageai"), "terms": ("terms_reservation",)}
    out: dict = {}
    for src in book.reservation_evidence:
        for sid in by_source.get(src, ()):
            sig = book.signals.get(sid)
            if sig is None or not sig.enabled:
                continue
            for fact, value in sig.sets.items():
                if value not in out.setdefault(fact, []):
                    out[fact].append(value)
    return out


def _wanted(columns, fact_cols, url_column) -> Wanted:
    present = set(columns)
    url_from = url_column or "url"
    keep = ["url"] + [c for c in COLUMNS if c != "url" and c in present] + [c for c in fact_cols if c in present]
    return Wanted(tuple(dict.fromkeys(keep)), url_from)


def _setup(rules, signals, answers, as_of, robots):
    base = _rulebase(rules)
    book = signal_book(base, signals)
    ans = _answers(answers, base.vocabulary)
    sites = SiteBook(book.ai_user_agents)
    if robots:
        load_sites([Path(p) for p in ([robots] if isinstance(robots, (str, Path)) else robots)], sites)
    return base, book, ans, sites


def triage(data, answers=None, *, robots=None, rules=None, signals=None, as_of: dt.date | None = None,
           client=None, url_column: str | None = None, batch_rows: int = BATCH_ROWS):
    """Triage a manifest: one row per document or source, with a URL.

    ``data``: a pandas DataFrame, a ``dask.dataframe`` (its partitions run on the
    Dask cluster of ``client``, or the running default client, or else here), or a
    Hugging Face ``datasets.Dataset`` / ``IterableDataset``. ``url_column`` names
    the URL's column when it is not ``url`` (``metadata.url`` for a nested field,
    as datatrove and Dolma write it; found by itself when it is the only one).
    ``answers`` is a mapping or an answers file for the facts the whole corpus
    shares; ``robots`` a list of directories or WARC files of robots.txt (and
    tdmrep.json) captures.

    Returns a pandas DataFrame: per row the verdict and deciding rule per
    jurisdiction, the reservation signal and licence rule, the signals found, the
    facts they set, and each source of evidence's state. Rows that cannot be read
    are not in it: ``result.attrs["errors"]`` lists them (row, source, reason, raw
    values). ``attrs`` also holds ``problems`` (site files and records reported),
    ``settling`` (the corpus facts whose answers would settle the most uncertain
    rows), ``engine_runs`` and ``counts``. Not legal advice.
    """
    import pandas as pd
    import pyarrow as pa

    base, book, ans, sites = _setup(rules, signals, answers, as_of, robots)
    kind = _kind(data)
    columns = _data_columns(data, kind)
    url_column = url_column or default_url_column(columns)
    fact_cols = check_columns(columns, base.vocabulary, "dataframe" if kind != "datasets" else "dataset", url_column)
    wanted = _wanted(columns, fact_cols, url_column)
    ctx = Context(book, sites, ans, base.vocabulary, tuple(fact_cols))
    decider = Decider(ans, base, ctx.row_facts, as_of, reservation_values(book))
    summary = Summary(decider.jurisdictions)
    tables: list = []
    errors: list = []

    class _Collect(Write):
        def process(self, batch):
            batch = Write.process(self, batch)
            if batch.derived is not None and batch.derived.num_rows:
                tables.append(batch.derived)
            errors.extend(batch.errors)
            return batch

    write_b = _Collect(None, None, summary)
    if kind == "dask":
        from .dask_run import dask_batches

        counts = run(dask_batches(data, ctx, wanted, client), Derive(ctx, done_elsewhere=True), Decide(decider), write_b)
    else:
        batches = _dataset_batches(data, wanted, batch_rows) if kind == "datasets" else _frame_batches(data, wanted, batch_rows)
        counts = run(batches, Derive(ctx), Decide(decider), write_b)
    if tables:
        out = pa.concat_tables(tables, promote_options="permissive").to_pandas()
    else:
        out = pd.DataFrame({"row": pd.Series([], dtype="int64"), "url": pd.Series([], dtype=object)})
    out.attrs["errors"] = errors
    out.attrs["engine_runs"] = decider.runs
    out.attrs["problems"] = list(sites.problems)
    out.attrs["counts"] = counts
    out.attrs["settling"] = decider.settling()
    return out


def _kind(data) -> str:
    module = type(data).__module__
    if module.startswith("dask"):
        return "dask"
    if module.startswith("datasets"):
        return "datasets"
    if module.startswith("pandas"):
        return "pandas"
    raise FairuseError(f"fairuse.triage takes a pandas DataFrame, a dask.dataframe or a Hugging Face dataset, "
                       f"not {type(data).__name__}")


def _data_columns(data, kind: str) -> list:
    if kind == "datasets":
        features = getattr(data, "features", None)
        if features is None:
            raise FairuseError("dataset: its features (columns) are not known; cast it or pass its first batch")
        out = []

        def walk(feats, prefix, depth):
            for name, f in feats.items():
                out.append(prefix + name)
                if isinstance(f, dict) and depth < 2:
                    walk(f, prefix + name + ".", depth + 1)

        walk(dict(features), "", 0)
        return out
    columns = [str(c) for c in data.columns]
    if kind == "pandas" and len(data):  # nested fields (a metadata column of mappings): as metadata.url
        for c in data.columns:
            first = data[c].iloc[0]
            if isinstance(first, dict):
                columns += [f"{c}.{k}" for k in first]
    return columns


def default_errors_path(out: Path) -> Path:
    """Where rows that cannot be read go without --errors: beside --out."""
    return Path(out).with_name(Path(out).stem + ".errors.jsonl")


def input_files(inputs, answers_path=None, signals=None, robots=()) -> list:
    """Every file a run reads that was named to it: outputs never write over these."""
    return [*inputs, answers_path, signals, *[p for p in (robots or ()) if not Path(p).is_dir()]]


def triage_files(inputs: list[Path], *, answers_path=None, out: Path | None, robots: list[Path] = (),
                 rules: Path | None = None, signals: Path | None = None, as_of: dt.date | None = None,
                 errors_path: Path | None = None, dask_address: str | None = None, batch_rows: int = BATCH_ROWS,
                 progress=None, workers: int | None = None, url_column: str | None = None, collectors=(),
                 force: bool = False) -> Result:
    """The CLI's run: manifests or WARCs in, verdicts (and errors) out, streamed.

    ``out`` and the errors file replace existing files only with ``force``, and never a
    file the run reads (see :mod:`fairuse.atomic`); a run that fails leaves them as they were.
    """
    from .writers import Writer, format_of

    started = time.perf_counter()
    if workers is None:
        workers = 1
    base = _rulebase(rules)
    book = signal_book(base, signals)
    ans = _answers(answers_path, base.vocabulary)
    if out is not None:
        format_of(out)
    for p in inputs:
        check_input(p)
    kinds = {kind_of(p) for p in inputs}
    if "warc" in kinds and len(kinds) > 1:
        raise FairuseError(f"{inputs[0]}: give either manifests or WARC files, not both")
    sites = SiteBook(book.ai_user_agents)
    load_sites(list(robots), sites)
    warc = kinds == {"warc"}
    wanted = None
    if warc:
        fact_cols: tuple = ()
        from .sources import read_site_warc

        for p in inputs:
            read_site_warc(p, sites)
    else:
        cols = None
        for p in inputs:
            these = manifest_columns(p)
            url_col = url_column or default_url_column(these)
            fact_cols = check_columns(these, base.vocabulary, str(p), url_col)
            if cols is not None and set(these) != set(cols):
                raise FairuseError(f"{p}: its columns differ from {inputs[0]}'s ({', '.join(sorted(set(these) ^ set(cols)))})")
            cols = these
        wanted = _wanted(cols, fact_cols, url_col)
    ctx = Context(book, sites, ans, base.vocabulary, tuple(fact_cols))
    decider = Decider(ans, base, ctx.row_facts, as_of, reservation_values(book))
    summary = Summary(decider.jurisdictions)
    bool_facts = {f for f in ctx.row_facts if base.vocabulary[f].type == "bool"}
    errors_path = errors_path if errors_path is not None or out is None else default_errors_path(out)
    problems: list = sites.problems
    agents = ctx.agents

    def batches():
        row = 0
        for p in inputs:
            it = read_warc(p, batch_rows, row, problems, agents) if warc else read_manifest(p, batch_rows, row, wanted)
            for b in it:
                ids = b.rows if b.rows is not None and len(b.rows) else None
                seen = [row] + ([int(ids.max()) + 1] if ids is not None else [])
                seen += [e["row"] + 1 for e in b.errors if e.get("row") is not None]
                n = 0 if b.table is None else b.table.num_rows
                row = max(seen + [b.first_row + (n if ids is None else 0)])
                yield b

    derive_b = Derive(ctx)
    client = None  # a Dask client this run connects is closed when it ends
    if dask_address:
        if warc:
            raise FairuseError("--dask reads manifests (Parquet, CSV, JSONL); WARC files are read in this process")
        from .dask_run import connect, dask_batches, read_dask

        client = connect(dask_address)
        source = dask_batches(read_dask(inputs, wanted), ctx, wanted, client,
                              source=str(inputs[0]) if len(inputs) == 1 else "manifest")
        derive_b = Derive(ctx, done_elsewhere=True)
    elif workers > 1:
        from .parallel import pool_batches

        source = pool_batches(batches(), ctx, workers)
        derive_b = Derive(ctx, done_elsewhere=True)
    else:
        source = batches()
    read = input_files(inputs, answers_path, signals, robots)
    writer = None
    try:
        if errors_path is not None:  # written from the first error on: checked now, not then
            from ..atomic import check_target

            check_target(errors_path, force=force, inputs=read)
        writer = Writer(out, bool_facts, force=force, inputs=read) if out is not None else None
        write_b = Write(writer, errors_path, summary, on_rows=progress, force=force, inputs=read,
                        collectors=collectors)
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
                  time.perf_counter() - started, out, errors_path if write_b.errors_written else None, sites)
