"""Background jobs: a row per job (state, progress, errors) run by Huey consumers in ``smeproc worker``.

Define a kind with ``@job_kind`` in a module listed in ``catalog.JOB_MODULES``; start one with
``services.enqueue_job(session, ...)`` in the caller's transaction; report with ``ctx.progress``.
"""
