"""Parse on a Dask cluster: ``eligo parse --engine dask`` and ``eligo index``.

Why Dask rather than Ray: it installs from the package index as pure Python,
with no daemon; ``distributed.LocalCluster`` gives the same API on one machine
as a scheduler address does on many; and its futures are all that an ordered
stream of chunks needs.

The client reads the records (as ``eligo parse`` does) and submits them in
record ranges of ``chunksize`` (from ``eligo parse``: 128 records, four Parser
batches). Each worker process builds its parser once, for the life of the
process, and returns what a local worker returns: Documents, their JSON
text, or one-line failures. Results come back in input order, and at most
``in_flight`` ranges are submitted ahead of the one being written, so memory
stays bounded however large the input.

On a multi-machine cluster every worker needs eligo installed (the same
version as the client: ``pip install eligo``); start ``dask scheduler`` on one
machine, ``dask worker tcp://SCHEDULER:8786 --nthreads 1`` on each, and run
``eligo parse --engine dask --scheduler tcp://SCHEDULER:8786 ...``. One
thread per worker process: the pipeline holds the GIL, so threads would only
take turns.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import Any

from ..errors import EligoError
from ..trial import ReadFailure, Trial

Item = Trial | ReadFailure

_PARSERS: dict[tuple[tuple[str, Any], ...], Any] = {}
_LOCK = threading.Lock()


def parse_partition(
    items: list[Item], parser_kwargs: dict[str, Any], as_json: bool, compact: bool
) -> list[Any]:
    """Parse one record range in a worker (its parser is built once).

    Runs on the worker: the results go back to the client pickled, as the
    local pool's do.
    """
    from ..parse.parser import Parser
    from ..parse.results import json_result

    key = tuple(sorted(parser_kwargs.items()))
    with _LOCK:
        parser = _PARSERS.get(key)
        if parser is None:
            parser = _PARSERS[key] = Parser(**parser_kwargs)
            # The pipeline's objects live as long as the worker: keep them out
            # of the garbage collector's full passes, as the local pool does.
            gc.freeze()
        results = parser.parse_batch(items)
    return [json_result(r, compact) for r in results] if as_json else results


def parse_on_dask(
    items: Iterable[Item],
    *,
    parser_kwargs: dict[str, Any],
    workers: int = 2,
    scheduler: str | None = None,
    chunksize: int = 32,
    as_json: bool = False,
    compact: bool = False,
    in_flight: int | None = None,
) -> Iterator[Any]:
    """Parse a stream of reader results on Dask, in order.

    Args:
        items: Reader results (read failures pass through, in place).
        parser_kwargs: :class:`eligo.parse.Parser` arguments.
        workers: Worker processes of the local cluster (when no ``scheduler``).
        scheduler: A scheduler address (``tcp://host:8786``); ``None`` starts a
            local cluster for the run and closes it after.
        chunksize: Records per submitted range.
        as_json: Documents as :class:`eligo.parse.DocumentJSON`.
        compact: Their JSON without default fields.
        in_flight: Ranges submitted ahead (default: 4 per worker).

    Yields:
        What :func:`eligo.parse.parse_trials` yields, in input order.

    Raises:
        EligoError: Dask is not installed, or the scheduler cannot be reached.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:  # pragma: no cover - a dependency
        raise EligoError(
            "the dask engine needs 'distributed' (pip install 'dask[distributed]')"
        ) from err
    with ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=max(1, workers),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            )
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(scheduler, timeout="30s"))
            except OSError as err:
                raise EligoError(
                    f"dask scheduler {scheduler}: cannot connect ({err})"
                ) from err
        ahead = in_flight or 4 * max(1, len(client.scheduler_info()["workers"]))
        pending: deque[Any] = deque()
        chunk: list[Item] = []

        def submit(part: list[Item]) -> None:
            pending.append(
                client.submit(
                    parse_partition,
                    part,
                    parser_kwargs,
                    as_json,
                    compact,
                    pure=False,
                )
            )

        for item in items:
            chunk.append(item)
            if len(chunk) >= chunksize:
                submit(chunk)
                chunk = []
                while len(pending) >= ahead:
                    yield from pending.popleft().result()
        if chunk:
            submit(chunk)
        while pending:
            yield from pending.popleft().result()
