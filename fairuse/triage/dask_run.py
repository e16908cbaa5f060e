"""Scale out on Dask: each partition's rows are derived on a worker (signals and
facts); the engine then runs on the caller's side once per distinct
combination, exactly as in a single process, so the results are the same.

``fairuse.triage(ddf)`` uses the ``client`` given, else the running default
client, else derives the partitions here, one at a time (no cluster needed).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import FairuseError
from .sources import kind_of

INSTALL = "Dask is not installed; from the fairuse checkout run: python3 -m pip install '.[triage]'"


def _need():
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise FairuseError(INSTALL) from None


def connect(address: str):
    _need()
    from distributed import Client

    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise FairuseError(f"--dask {address}: cannot reach the Dask scheduler ({exc})") from None


def read_dask(paths: list[Path], wanted=None):
    _need()
    import dask.dataframe as dd

    kinds = {kind_of(p) for p in paths}
    names = [str(p) for p in paths]
    if kinds == {"parquet"}:
        cols = None
        if wanted is not None and "." not in wanted.url_from:
            cols = [wanted.source_of(c) for c in wanted.columns]
        return dd.read_parquet(names, columns=cols)
    if kinds == {"csv"}:
        return dd.read_csv(names, dtype=str, keep_default_na=False, na_values=[""])
    if kinds == {"jsonl"}:
        return dd.read_json(names, lines=True, dtype=False)
    raise FairuseError(f"{paths[0]}: --dask needs all inputs of one kind (Parquet, CSV or JSONL)")


def _derive_part(frame, ctx, wanted, first_row: int, source: str):
    from .pipeline import derive_batch
    from .frames import _frame_batches

    before = len(ctx.sites.problems)
    frame = frame.reset_index(drop=True)
    out = []
    for batch in _frame_batches(frame, wanted, max(len(frame), 1)):
        batch.first_row = first_row
        if batch.rows is not None:
            batch.rows = batch.rows + first_row
        for e in batch.errors:
            e["row"] = e["row"] + first_row if e.get("row") is not None else None
            e["source"] = source
        batch.source = source
        out.append(derive_batch(batch, ctx))
    return out, ctx.sites.problems[before:]


def dask_batches(ddf, ctx, wanted, client=None, source: str = "dataframe"):
    """Yield derived :class:`Batch` es, one per partition, in partition order."""
    _need()
    from dask import delayed

    if client is None:
        try:
            from distributed import default_client

            client = default_client()
        except ValueError:  # no running client: derive each partition here, in turn
            client = None
    lengths = ddf.map_partitions(len).compute(**({} if client else {"scheduler": "sync"}))
    first = 0
    if client is None:
        for part, n in zip(ddf.to_delayed(), lengths):
            batches, _ = _derive_part(part.compute(scheduler="sync"), ctx, wanted, first, source)
            yield from batches
            first += int(n)
        return
    ctx_future = client.scatter(ctx, broadcast=True)
    futures = []
    for part, n in zip(ddf.to_delayed(), lengths):
        futures.append(client.compute(delayed(_derive_part)(part, ctx_future, wanted, first, source)))
        first += int(n)
    for fut in futures:
        batches, problems = fut.result()
        for p in problems:
            if p not in ctx.sites.problems:
                ctx.sites.problems.append(p)
        yield from batches
