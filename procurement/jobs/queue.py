"""The Huey queue that carries job ids to workers: SQLite storage embedded, Redis in production.

Only the job id travels through the queue; the job's state lives in the jobs table, so a lost or
repeated message is harmless (the sweeper re-dispatches, the claim runs a job once).
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy.orm import Session, sessionmaker

from procurement.jobs.models import Job, JobState
from procurement.jobs.services import QUEUE_INFO, run_job

QUEUE_NAME = "smeproc"
# a retried job waits 30 s, 60 s, 120 s ... after each failure
RETRY_BASE_SECONDS = 30


def build_huey(queue_url: str, *, name: str = QUEUE_NAME) -> Huey:
    """``sqlite:///path`` (embedded, the default), ``redis://host:port/db``, or ``memory://`` (one
    process only: the consumer must run in the process that enqueues)."""
    scheme = urlsplit(queue_url).scheme
    if scheme == "sqlite":
        path = Path(queue_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name=name, filename=str(path), results=False)
    if scheme in ("redis", "rediss", "unix"):
        return RedisHuey(name=name, url=queue_url, results=False)
    if scheme == "memory":
        return MemoryHuey(name=name, results=False)
    raise ValueError(f"SMEPROC_QUEUE_URL must be sqlite:///..., redis://... or memory://, not {queue_url!r}")


class JobQueue:
    """Dispatches job ids to Huey and, in a worker, runs them against ``session_factory``."""

    def __init__(self, huey: Huey, session_factory: Callable[[], Session]) -> None:
        self.huey = huey
        self._factory = session_factory

        def run(job_id: int) -> None:
            state = run_job(self._factory, job_id)
            if state is JobState.QUEUED:  # failed with attempts left: try again after a while
                self._task.schedule(args=(job_id,), delay=self._retry_delay(job_id))

        self._task: Any = huey.task(name="smeproc.run_job")(run)

    def dispatch(self, job_id: int) -> None:
        self._task(job_id)

    def attach(self, *factories: "sessionmaker[Session]") -> None:
        """Sessions from these factories dispatch the jobs they enqueue once they commit."""
        for factory in factories:
            factory.configure(info={QUEUE_INFO: self})

    def _retry_delay(self, job_id: int) -> int:
        with self._factory() as session:
            job = session.get(Job, job_id)
            attempts = job.attempts if job is not None else 1
        return int(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))
