"""Write: per-row verdicts as Parquet, CSV or JSONL, batch by batch, with one
schema for the whole file (a column empty in the first batch keeps its type).
Written to a temporary file and moved into place when complete, through
:class:`fairuse.atomic.Staged` (which refuses links, special files, inputs, and
an existing file without ``force``, before the run).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import FairuseError

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def format_of(path: Path) -> str:
    for suffix, fmt in FORMATS.items():
        if path.name.lower().endswith(suffix):
            return fmt
    raise FairuseError(f"{path}: the output must end in .parquet, .csv or .jsonl")


def schema_for(table, bool_facts: set):
    """One schema for the whole file, from the first batch: counts as int64, boolean facts
    as booleans, dictionary columns kept as dictionaries (Parquet stores them so), the rest text."""
    import pyarrow as pa

    fields = []
    for f in table.schema:
        if f.name in ("row", "bytes"):
            t = pa.int64()
        elif f.name in bool_facts:
            t = pa.bool_()
        elif pa.types.is_dictionary(f.type):
            t = pa.dictionary(pa.int32(), pa.string())
        else:
            t = pa.string()
        fields.append(pa.field(f.name, t))
    return pa.schema(fields)


class Writer:
    def __init__(self, path: Path, bool_facts: set, *, force: bool = False, inputs=()):
        from ..atomic import Staged

        self.path = Path(path)
        self.fmt = format_of(self.path)
        self.staged = Staged(self.path, force=force, inputs=inputs)
        self.sink = self.staged.file  # the temporary file, a binary file object
        self.bool_facts = bool_facts
        self.schema = None
        self._w = None
        self.rows = 0
        self._thread = None
        self._queue = None
        self._failed = None

    def _table(self, frame):
        import pyarrow as pa

        if not isinstance(frame, pa.Table):
            frame = pa.Table.from_pandas(frame, preserve_index=False)
        if self.schema is None:
            self.schema = schema_for(frame, self.bool_facts)
        arrays = []
        for f in self.schema:
            if f.name in frame.column_names:
                col = frame.column(f.name)
                if col.type != f.type:
                    col = col.cast(f.type)
            else:
                col = pa.nulls(frame.num_rows, f.type)
            arrays.append(col)
        table = pa.Table.from_arrays(arrays, schema=self.schema)
        if self.fmt != "parquet":  # CSV and JSON Lines hold text, not dictionaries
            table = table.cast(pa.schema([pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                                          for f in self.schema]))
        return table

    def write(self, frame) -> None:
        """Convert in this thread; compress and write in a background thread (Arrow
        releases the GIL there), one batch behind."""
        table = self._table(frame)
        if self._thread is None:
            import queue
            import threading

            self._queue = queue.Queue(maxsize=2)
            self._thread = threading.Thread(target=self._drain, daemon=True)
            self._thread.start()
        if self._failed is not None:
            raise self._failed
        self._queue.put(table)
        self.rows += len(frame)

    def _drain(self) -> None:
        while True:
            table = self._queue.get()
            if table is None:
                return
            try:
                if self._failed is None:
                    self._write(table)
            except BaseException as exc:  # reported by the next write() or close()
                self._failed = exc

    def _finish(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._failed is not None:
            raise self._failed

    def _write(self, table) -> None:
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            if self._w is None:
                self._w = pq.ParquetWriter(self.sink, self.schema, compression="snappy")
            self._w.write_table(table)
        elif self.fmt == "csv":
            import pyarrow.csv as pcsv

            if self._w is None:
                self._w = pcsv.CSVWriter(self.sink, table.schema)
            self._w.write_table(table)
        else:
            self.sink.write(table.to_pandas().to_json(orient="records", lines=True, force_ascii=False).encode("utf-8"))

    def close(self) -> None:
        if self.schema is None:  # nothing was written: still leave a valid, empty file
            import pyarrow as pa

            self.write(pa.table({"row": pa.array([], pa.int64()), "url": pa.array([], pa.string())}))
        try:
            self._finish()
            if self._w is not None:
                self._w.close()
        except BaseException:
            self.staged.discard()
            raise
        self.staged.commit()

    def abort(self) -> None:
        try:
            try:
                self._finish()
            except BaseException:
                pass
            if self._w is not None:
                self._w.close()
        finally:
            self.staged.discard()
