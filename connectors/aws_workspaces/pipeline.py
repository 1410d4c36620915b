"""Overlap waiting for AWS with the rest of the run.

The DescribeWorkspaces chain is sequential (each page needs the previous
page's NextToken), so a run can be no faster than that chain. prefetched()
fetches the next pages in a thread while the caller maps and stores the
current one; a bounded queue keeps at most `depth` pages in memory.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Executor

from ..registry import CollectionStopped

_DONE = object()
__all__ = ["CollectionStopped", "prefetched"]


def prefetched(
    executor: Executor, pages: Iterator, *, depth: int = 4, stop: threading.Event | None = None
) -> Iterator:
    """Yield what `pages` yields, produced in `executor` ahead of the consumer.
    An exception in the producer is raised in the consumer; closing the
    consumer early, or setting `stop`, stops the producer."""
    box: queue.Queue = queue.Queue(maxsize=depth)
    stop = stop or threading.Event()  # the run's: set, every thread stops
    gone = threading.Event()  # this consumer's: closed or finished

    def put(item) -> bool:
        while not (stop.is_set() or gone.is_set()):
            try:
                box.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def pump() -> None:
        try:
            for page in pages:
                if not put(page):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)

    executor.submit(pump)
    try:
        while True:
            try:
                item = box.get(timeout=0.2)
            except queue.Empty:
                if stop.is_set():
                    raise CollectionStopped() from None
                continue
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        gone.set()
