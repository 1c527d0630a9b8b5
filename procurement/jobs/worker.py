"""``smeproc worker``'s engine: Huey consumer threads run jobs; a pump thread runs periodic chores
(the job sweeper, and whatever else registers, such as the webhook outbox) every few seconds."""

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session

from procurement.jobs.catalog import load_kinds
from procurement.jobs.queue import JobQueue
from procurement.jobs.services import STALE_AFTER, sweep
from procurement.orm import utcnow

log = logging.getLogger("smeproc.worker")
# a queued job nobody took for this long is dispatched again (lost message, retry, restart)
REDISPATCH_AFTER = timedelta(seconds=60)
SWEEP_SECONDS = 10.0

# a chore returns True when it did work (the pump then runs again at once instead of sleeping)
Chore = Callable[[], bool]


def sweep_jobs(
    queue: JobQueue,
    session_factory: Callable[[], Session],
    *,
    redispatch_after: timedelta = REDISPATCH_AFTER,
    stale_after: timedelta = STALE_AFTER,
) -> bool:
    now = utcnow()
    ids = sweep(session_factory, queued_before=now - redispatch_after, stale_before=now - stale_after)
    for job_id in ids:
        queue.dispatch(job_id)
    return bool(ids)


def every(seconds: float, chore: Chore) -> Chore:
    """``chore`` at most once per ``seconds`` (the pump itself turns several times a second)."""
    due = [0.0]

    def run() -> bool:
        now = time.monotonic()
        if now < due[0]:
            return False
        due[0] = now + seconds
        return chore()

    return run


class Pump:
    """Runs each chore in turn on one thread; sleeps ``idle_seconds`` when none had work."""

    # idle 0.2 s: an event committed while the pump sleeps waits at most that long to be sent
    def __init__(self, chores: list[Chore], idle_seconds: float = 0.2) -> None:
        self._chores = chores
        self._idle = idle_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="smeproc-pump", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy = False
            for chore in self._chores:
                try:
                    busy = chore() or busy
                except Exception:  # a chore's failure must not stop the others; it runs again
                    log.exception("worker chore %s failed", getattr(chore, "__name__", chore))
            if not busy:
                self._stop.wait(self._idle)


def run_worker(
    queue: JobQueue, session_factory: Callable[[], Session], *, threads: int, chores: list[Chore]
) -> None:
    """Consume until SIGINT/SIGTERM (Huey's consumer handles the signals; call from the main thread)."""
    load_kinds()
    pump = Pump([every(SWEEP_SECONDS, lambda: sweep_jobs(queue, session_factory)), *chores])
    pump.start()
    # max_delay: an idle consumer on SQLite storage polls at least every second
    consumer = queue.huey.create_consumer(
        workers=threads, worker_type="thread", periodic=False, max_delay=1.0
    )
    try:
        consumer.run()
    finally:
        pump.stop()
