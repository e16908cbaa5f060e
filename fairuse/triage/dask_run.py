"""Scale out on Dask: each partition's rows are derived on a worker (signals and
facts); the engine then runs on the caller's side once per distinct
combination, exactly as in a single process, so the results are the same.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import FairuseError
from .sources import Batch, kind_of


def _need():
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise FairuseError("Dask is not installed; run: pip install 'fairuse[triage]'") from None


def connect(address: str):
    _need()
    from distributed import Client

    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise FairuseError(f"--dask {address}: cannot reach the Dask scheduler ({exc})") from None


def read_dask(paths: list[Path]):
    _need()
    import dask.dataframe as dd

    kinds = {kind_of(p) for p in paths}
    names = [str(p) for p in paths]
    if kinds == {"parquet"}:
        return dd.read_parquet(names)
    if kinds == {"csv"}:
        return dd.read_csv(names, dtype=str, keep_default_na=False, na_values=[""])
    if kinds == {"jsonl"}:
        return dd.read_json(names, lines=True, dtype=False)
    raise FairuseError(f"{paths[0]}: --dask needs all inputs of one kind (Parquet, CSV or JSONL)")


def _derive_part(frame, ctx, first_row: int, source: str):
    from .derive import derive, error_records

    before = len(ctx.sites.problems)
    derived = derive(frame.reset_index(drop=True), ctx, first_row, source)
    bad = derived["_error"].notna().to_numpy()
    errors = error_records(frame.reset_index(drop=True), derived) if bad.any() else []
    derived = derived[~bad].reset_index(drop=True).drop(columns="_error")
    return derived, errors, ctx.sites.problems[before:]


def dask_batches(ddf, ctx, client=None, source: str = "dataframe"):
    """Yield derived :class:`Batch` es, one per partition, in partition order."""
    _need()
    from dask import delayed
    from distributed import default_client

    client = client or default_client()
    lengths = ddf.map_partitions(len).compute()
    parts = ddf.to_delayed()
    ctx_future = client.scatter(ctx, broadcast=True)
    first = 0
    futures = []
    for part, n in zip(parts, lengths):
        futures.append((first, client.compute(delayed(_derive_part)(part, ctx_future, first, source))))
        first += int(n)
    for first, fut in futures:
        derived, errors, problems = fut.result()
        for p in problems:
            if p not in ctx.sites.problems:
                ctx.sites.problems.append(p)
        batch = Batch(None, source, first, list(errors))
        batch.derived = derived
        yield batch
