"""Run many documents' work on worker processes, one document per worker at a time.

Each worker is long-lived: it keeps its renderer (Jinja2 environment,
WeasyPrint fonts and parsed CSS) across documents. The main process hands
out tasks and collects results, so it always knows which document a worker
holds: a document that runs past the time limit has its worker killed, a
worker that dies takes only its own document down, and either way a fresh
worker takes its place. Workers are also replaced after a number of
documents, which keeps memory flat however long the batch.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from pipeline.run.document import FileResult, Task, run_task
from pipeline.run.settings import Settings

# A worker is replaced after this many documents (bounds any slow growth in caches).
TASKS_PER_WORKER = 300


def limit_memory(megabytes: int) -> None:
    if megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def die_with_parent(parent: int) -> None:
    """Make the kernel kill this worker when the main process dies, even by ``kill -9``
    (Linux; elsewhere the worker still stops when its pipe reports end of file)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: end of file on the pipe is the signal
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


PR_SET_PDEATHSIG = 1


def _worker_main(connection: Connection, parents_end: Connection, parent: int, settings: Settings) -> None:
    die_with_parent(parent)
    # The main process's end of this worker's pipe came along with the fork: closed
    # here, so the pipe reports end of file as soon as the main process is gone.
    parents_end.close()
    # Ctrl-C is the main process's business: it stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_memory(settings.memory_limit_mb)
    gc.freeze()  # what the worker inherited from the main process: never garbage here
    first = True
    while True:
        try:
            task = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        result = run_task(task, settings)
        try:
            connection.send(result)
        except (BrokenPipeError, EOFError):
            return
        _collect_garbage(first)
        first = False


def _collect_garbage(first: bool) -> None:
    """A leaflet's layout leaves reference cycles that Python's collector reaches only
    now and then, so the heap (and the peak memory) grows meanwhile: collect them after
    each document. What the worker keeps (renderer, fonts, the first caches) is frozen
    after the first, so later collections skip it: about 5 ms a document, not 40."""
    gc.collect()
    if first:
        gc.freeze()


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: Connection
    task: Task | None = None
    started: float = 0.0
    done: int = 0


class WorkerPool:
    """``jobs`` worker processes doing :class:`Task`s; results come back in completion order."""

    def __init__(self, settings: Settings, jobs: int):
        self.settings = settings
        self.jobs = max(1, jobs)
        self._context = multiprocessing.get_context("fork")
        self._workers: list[_Worker] = []

    def _start_worker(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(theirs, ours, os.getpid(), self.settings), daemon=True
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        self._workers.append(worker)
        return worker

    def _retire(self, worker: _Worker, kill: bool = False) -> None:
        self._workers.remove(worker)
        if kill:
            worker.process.kill()
        else:
            try:
                worker.connection.send(None)
            except (BrokenPipeError, OSError):
                worker.process.kill()
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.connection.close()

    def _give(self, worker: _Worker, task: Task) -> None:
        worker.task, worker.started = task, time.monotonic()
        worker.connection.send(task)

    def _failed(self, task: Task, message: str, started: float) -> FileResult:
        return FileResult(
            input=task.display, id=task.doc_id, error=message, seconds={"total": round(time.monotonic() - started, 6)}
        )

    def run(self, tasks: Iterable[Task]) -> Iterator[FileResult]:
        pending = deque(tasks)
        try:
            while pending or any(worker.task for worker in self._workers):
                while pending and len(self._workers) < self.jobs:
                    self._give(self._start_worker(), pending.popleft())
                for worker in [w for w in self._workers if w.task is None]:
                    if pending:
                        self._give(worker, pending.popleft())
                    else:
                        self._retire(worker)
                yield from self._collect()
        finally:
            self.close()

    def _collect(self) -> Iterator[FileResult]:
        busy = [worker for worker in self._workers if worker.task is not None]
        if not busy:
            return
        deadline = min(worker.started for worker in busy) + self.settings.time_limit
        waitables = [worker.connection for worker in busy] + [worker.process.sentinel for worker in busy]
        ready = wait(waitables, timeout=max(0.0, deadline - time.monotonic()))
        now = time.monotonic()
        for worker in busy:
            task = worker.task
            assert task is not None
            if worker.connection in ready:
                try:
                    result = worker.connection.recv()
                except (EOFError, OSError):
                    result = self._failed(task, self._death_message(worker), worker.started)
                    self._retire(worker, kill=True)
                    yield result
                    continue
                worker.task, worker.done = None, worker.done + 1
                if worker.done >= TASKS_PER_WORKER or (result.error or "").startswith("ran out of memory"):
                    self._retire(worker)
                yield result
            elif worker.process.sentinel in ready:
                result = self._failed(task, self._death_message(worker), worker.started)
                self._retire(worker, kill=True)
                yield result
            elif now - worker.started >= self.settings.time_limit:
                self._retire(worker, kill=True)
                yield self._failed(
                    task, f"took longer than {self.settings.time_limit:g} s (the per-document time limit); stopped",
                    worker.started,
                )

    @staticmethod
    def _death_message(worker: _Worker) -> str:
        worker.process.join(timeout=1)
        code = worker.process.exitcode
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            hint = " (out of memory?)" if -code == signal.SIGKILL else ""
            return f"the worker processing this file stopped with {name}{hint}"
        return f"the worker processing this file stopped unexpectedly (exit status {code})"

    def close(self) -> None:
        for worker in list(self._workers):
            self._retire(worker, kill=worker.task is not None)


def run_tasks(
    tasks: list[Task], settings: Settings, on_result: Callable[[FileResult], None], jobs: int | None = None
) -> None:
    """Run ``tasks`` on up to ``jobs`` workers (never more workers than tasks)."""
    if not tasks:
        return
    pool = WorkerPool(settings, min(jobs or settings.jobs, len(tasks)))
    for result in pool.run(tasks):
        on_result(result)


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
