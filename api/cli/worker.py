"""``smeproc worker``: run background jobs and deliver webhooks from the outbox until interrupted."""

import argparse
import logging

from api.cli.common import settings_from_env

# how often the worker looks for payments that fell overdue (they do so by the day)
OVERDUE_CHECK_SECONDS = 600.0


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("worker", help="运行后台任务 / run background jobs")
    parser.add_argument("--threads", type=int, help="job threads (default SMEPROC_WORKER_THREADS, 2)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from procurement.db import create_db_engine, create_session_factory
    from procurement.events.overdue import notify_overdue
    from procurement.jobs.queue import JobQueue, build_huey
    from procurement.jobs.worker import Chore, every, run_worker
    from procurement.terms.services import today_in_china
    from procurement.webhooks.delivery import Dispatcher
    from procurement.webhooks.sender import HttpSender

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = settings_from_env()
    engine = create_db_engine(settings.database_url, pool_size=settings.db_pool_size)
    # writing transactions declare it (begin_write) so SQLite locks at BEGIN; reads stay lock-free
    factory = create_session_factory(engine)
    queue = JobQueue(build_huey(settings.queue_url, name=settings.queue_name), factory)
    queue.attach(factory)  # jobs that start jobs
    threads = args.threads or settings.worker_threads
    print(f"smeproc worker: {threads} threads, queue {settings.queue_url}", flush=True)
    sender = HttpSender(allow_private=settings.webhook_allow_private)
    webhooks = Dispatcher(factory, sender)
    try:

        def overdue_payments() -> bool:
            told = 0
            while (batch := notify_overdue(factory, today=today_in_china())) > 0:
                told += batch
            return told > 0

        overdue = every(OVERDUE_CHECK_SECONDS, overdue_payments)
        chores: list[Chore] = [webhooks.run_once, overdue]
        if settings.audit_signing_key is not None:  # signed audit-log checkpoints, outside the database
            from procurement.auditlog.checkpoints import PeriodicCheckpoint, load_private_key

            chores.append(
                PeriodicCheckpoint(
                    factory,
                    load_private_key(settings.audit_signing_key),
                    settings.audit_checkpoint_dir,
                    settings.audit_checkpoint_seconds,
                )
            )
        run_worker(queue, factory, threads=threads, chores=chores)
    finally:
        sender.close()
        engine.dispose()
    return 0
