"""Derive batches on several local processes (``workers`` > 1); decide and write stay
in the calling process, in order. A single process is the default: the work is
columnar, and worker processes cost more CPU (copies, imports) than they save on
two cores."""

from __future__ import annotations

from collections import deque

_CTX = None


def _init(ctx) -> None:
    global _CTX
    _CTX = ctx


def _work(batch):
    from .pipeline import derive_batch

    before = len(_CTX.sites.problems)
    batch = derive_batch(batch, _CTX)
    return batch, _CTX.sites.problems[before:]


def pool_batches(batches, ctx, workers: int, ahead: int = 2):
    """Yield derived batches in input order, ``workers`` processes deriving them."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    pending: deque = deque()
    with ProcessPoolExecutor(workers, mp_context=mp.get_context(method), initializer=_init, initargs=(ctx,)) as pool:
        def drain(limit):
            while len(pending) > limit:
                batch, problems = pending.popleft().result()
                for p in problems:
                    if p not in ctx.sites.problems:
                        ctx.sites.problems.append(p)
                yield batch

        for batch in batches:
            pending.append(pool.submit(_work, batch))
            yield from drain(workers + ahead - 1)
        yield from drain(0)
