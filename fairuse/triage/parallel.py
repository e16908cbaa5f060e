"""Derive batches on several local processes (the CLI's default on a machine with
more than one core); decide and write stay in the calling process, in order."""

from __future__ import annotations

import os
from collections import deque

_CTX = None


def _init(ctx) -> None:
    global _CTX
    _CTX = ctx


def _work(frame, first_row: int, source: str):
    from .dask_run import _derive_part

    return _derive_part(frame, _CTX, first_row, source)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def pool_batches(batches, ctx, workers: int, ahead: int = 2):
    """Yield derived batches in input order, ``workers`` processes deriving them."""
    import multiprocessing as mp
    from concurrent.futures import Future, ProcessPoolExecutor

    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    pending: deque = deque()
    with ProcessPoolExecutor(workers, mp_context=mp.get_context(method), initializer=_init, initargs=(ctx,)) as pool:
        def drain(limit):
            while len(pending) > limit:
                batch, fut = pending.popleft()
                derived, errors, problems = fut.result()
                for p in problems:
                    if p not in ctx.sites.problems:
                        ctx.sites.problems.append(p)
                batch.errors = batch.errors + errors
                batch.derived = derived
                batch.frame = None
                yield batch

        for batch in batches:
            if batch.frame is not None and len(batch.frame):
                pending.append((batch, pool.submit(_work, batch.frame, batch.first_row, batch.source)))
            else:  # an empty batch may still carry rows that could not be read
                done: Future = Future()
                done.set_result((None, [], []))
                pending.append((batch, done))
            yield from drain(workers + ahead - 1)
        yield from drain(0)
