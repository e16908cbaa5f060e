"""pandas DataFrames and Hugging Face datasets as the pipeline's Arrow batches: the URL column found
(nested keys such as ``metadata.url`` too), rows Arrow cannot take turned into error rows."""

from __future__ import annotations

import numpy as np

from .derive import frame_to_arrow
from .sources import Batch, Wanted, project


def _nested(part, path: str):
    """A column of ``part`` holding mappings, read at a dotted path (``metadata.url``)."""
    top, *rest = path.split(".")

    def pick(v):
        for k in rest:
            v = v.get(k) if isinstance(v, dict) else None
        return v

    return part[top].map(pick)


def _frame_batches(df, wanted: Wanted, rows: int):
    url_from = wanted.url_from
    nested = "." in url_from and url_from not in df.columns and url_from.split(".")[0] in df.columns
    cols = [c for c in wanted.columns if c != "url" and c in df.columns]
    if url_from in df.columns or nested:
        cols = ["url"] + cols
    for start in range(0, max(len(df), 1), rows):
        part = df.iloc[start:start + rows]
        url = _nested(part, url_from) if nested else (part[url_from] if url_from in part.columns else None)
        part = part[[c for c in cols if c != "url"]]
        if url is not None:
            part = part.assign(url=url.to_numpy() if url_from != "url" else url)
        table, bad, reasons = frame_to_arrow(part, cols)
        yield _with_bad(Batch(table, "dataframe", start), part, bad, reasons)


def _with_bad(batch: Batch, part, bad: np.ndarray, reasons: dict) -> Batch:
    """Rows a DataFrame could not hand to Arrow become error rows; the others go on."""
    import pyarrow as pa

    if not bad.any():
        return batch
    for i in np.flatnonzero(bad).tolist():
        raw = {str(k): (None if v is None else repr(v)[:2000]) for k, v in part.iloc[i].items()}
        batch.errors.append({"row": batch.first_row + i, "source": batch.source,
                             "reason": reasons.get(i, "cannot be read"), "raw": raw})
    keep = ~bad
    batch.table = batch.table.filter(pa.array(keep))
    batch.rows = batch.first_row + np.flatnonzero(keep).astype(np.int64)
    return batch


def _dataset_batches(ds, wanted: Wanted, rows: int):
    """A Hugging Face dataset in Arrow batches of the wanted columns (``datasets`` is imported by the caller's object)."""
    import pyarrow as pa

    top = sorted({wanted.source_of(c).split(".", 1)[0] for c in wanted.columns})
    present = [c for c in top if c in (ds.column_names or [])]
    ds = ds.select_columns(present)
    start = 0
    try:
        stream = ds.with_format("arrow").iter(batch_size=rows)
    except (AttributeError, NotImplementedError, TypeError, ValueError):
        stream = ds.iter(batch_size=rows)
    for part in stream:
        if isinstance(part, dict):
            import pandas as pd

            frame = pd.DataFrame(part)
            table, bad, reasons = frame_to_arrow(frame, list(frame.columns))
            batch = _with_bad(Batch(project(table, wanted), "dataset", start), frame, bad, reasons)
        else:
            part = part if isinstance(part, pa.Table) else pa.Table.from_batches([part])
            batch = Batch(project(part, wanted), "dataset", start)
        start += batch.table.num_rows + len(batch.errors)
        yield batch
