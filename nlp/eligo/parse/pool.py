"""Many trials in many processes, streamed back in input order."""

from __future__ import annotations

import gc
import multiprocessing as mp
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, Literal, overload

from ..errors import EligoError
from ..pipeline import DEFAULT_MAX_CHARS
from .parser import Parser, _windows
from .results import Item, JSONResult, Result, json_result


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the objects alive now (the loaded pipeline) out of the garbage
    collector's full passes until the block ends: they live as long as the
    parse, and rescanning them costs about 8 % of the parse time."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


_worker: Parser | None = None


def _init_worker(kwargs: dict[str, Any]) -> None:
    global _worker
    _worker = Parser(**kwargs)
    # The pipeline's objects live as long as the worker: keep them out of the
    # garbage collector's full passes (about 8% of the parse time).
    gc.freeze()


def _work(items: list[Item]) -> list[Result]:
    assert _worker is not None
    return _worker.parse_batch(items)


def _work_json(items: list[Item], compact: bool = False) -> list[JSONResult]:
    return [json_result(r, compact) for r in _work(items)]


@overload
def parse_trials(
    items: Iterable[Item],
    *,
    jobs: int = ...,
    default_section: str = ...,
    max_chars: int = ...,
    concepts: bool = ...,
    codes: bool = ...,
    chunksize: int = ...,
    as_json: Literal[False] = ...,
    compact: bool = ...,
    engine: str = ...,
    scheduler: str | None = ...,
) -> Iterator[Result]: ...


@overload
def parse_trials(
    items: Iterable[Item],
    *,
    jobs: int = ...,
    default_section: str = ...,
    max_chars: int = ...,
    concepts: bool = ...,
    codes: bool = ...,
    chunksize: int = ...,
    as_json: Literal[True],
    compact: bool = ...,
    engine: str = ...,
    scheduler: str | None = ...,
) -> Iterator[JSONResult]: ...


@overload
def parse_trials(
    items: Iterable[Item],
    *,
    jobs: int = ...,
    default_section: str = ...,
    max_chars: int = ...,
    concepts: bool = ...,
    codes: bool = ...,
    chunksize: int = ...,
    as_json: bool,
    compact: bool = ...,
    engine: str = ...,
    scheduler: str | None = ...,
) -> Iterator[Result | JSONResult]: ...


def parse_trials(
    items: Iterable[Item],
    *,
    jobs: int = 1,
    default_section: str = "unknown",
    max_chars: int = DEFAULT_MAX_CHARS,
    concepts: bool = True,
    codes: bool = False,
    chunksize: int = 32,
    as_json: bool = False,
    compact: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
) -> Iterator[Result | JSONResult]:
    """Parse a stream of reader results, in order, in ``jobs`` processes.

    Read failures pass through unchanged so the caller reports them in place.
    With ``as_json``, each Document comes as a :class:`DocumentJSON`,
    serialised where it was parsed (in the worker when ``jobs`` > 1), for a
    caller that only writes JSON.
    Trials go to the pipeline ``chunksize`` at a time (one batch of the concept
    model). Memory stays bounded: at most ``jobs * chunksize * 8`` trials are
    read ahead of the writer (read in a thread of the pool when ``jobs`` > 1).

    ``codes`` puts ICD-10-CM codes on Condition entities where certain
    (:class:`Parser`).

    ``compact`` JSON leaves out fields that hold their default
    (:meth:`DocumentJSON.of`). ``engine="dask"`` runs the chunks on a Dask
    cluster instead (:func:`eligo.scale.dask_engine.parse_on_dask`): the one at
    ``scheduler``, or a local one of ``jobs`` worker processes.

    Raises:
        EligoError: An unknown ``engine``, or Dask is not installed.
    """
    kwargs: dict[str, Any] = {
        "default_section": default_section,
        "max_chars": max_chars,
        "concepts": concepts,
        "batch_size": chunksize,
    }
    if codes:  # only when asked, so default kwargs (and Dask's keys) are as before
        kwargs["codes"] = True
        if jobs > 1 or engine == "dask":
            from ..normalise.icd10 import default_index

            default_index()  # built once here, not by every worker at once
    if engine == "dask":
        from ..scale.dask_engine import parse_on_dask

        yield from parse_on_dask(
            items,
            parser_kwargs=kwargs,
            workers=jobs,
            scheduler=scheduler,
            # Each range is a task with its own scheduling and transfer: ranges
            # of 4 batches parsed the CT.gov sample 8 % faster than single
            # batches (16.8 s against 18.3 s; 8 batches took 17.5 s).
            chunksize=4 * chunksize,
            as_json=as_json,
            compact=compact,
        )
        return
    if engine != "local":
        raise EligoError(f"unknown engine {engine!r} (local or dask)")
    if jobs <= 1:
        parser = Parser(**kwargs)
        with frozen_heap():  # as in the workers
            for result in parser.parse_many(items):
                yield json_result(result, compact) if as_json else result
        return
    ctx = (
        mp.get_context("fork")
        if "fork" in mp.get_all_start_methods()
        else mp.get_context()
    )
    # Pool.imap reads its whole input ahead of the workers: a chunk is fed only
    # when one of ``jobs * 8`` slots is free, and a slot frees up when a chunk's
    # results reach the caller, so memory stays flat however large the input
    # (and, unlike fixed windows, no worker waits for the slowest of a window).
    slots = threading.Semaphore(jobs * 8)
    stop = threading.Event()

    def feed() -> Iterator[list[Item]]:
        for chunk in _windows(items, chunksize):
            while not slots.acquire(timeout=0.1):
                if stop.is_set():
                    return
            yield chunk

    # Frozen before the fork, the parent's objects stay out of the workers'
    # garbage collections, which would otherwise touch (and so copy) every page
    # of a large parent heap: twice the wall time after a big parse in the
    # same process.
    with (
        frozen_heap(),
        ctx.Pool(jobs, initializer=_init_worker, initargs=(kwargs,)) as pool,
    ):
        try:
            work: Callable[[list[Item]], list[Result | JSONResult]] = (
                partial(_work_json, compact=compact)  # type: ignore[assignment]
                if as_json
                else _work
            )
            for results in pool.imap(work, feed()):
                slots.release()
                yield from results
        finally:
            stop.set()  # lets the feeding thread end if the caller stopped
