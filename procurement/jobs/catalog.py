"""Every module that defines job kinds: the worker and ``enqueue_job`` import them all."""

from importlib import import_module

from procurement.jobs.registry import JobKind, registered_kind

# add a module here when it defines a @job_kind
JOB_MODULES: tuple[str, ...] = (
    "procurement.imports.jobs",
    "procurement.dashboard.overview",
    "procurement.finance.jobs",
    "procurement.barrier_audits.scan_jobs",
)


def load_kinds() -> None:
    for name in JOB_MODULES:
        import_module(name)


def kind_named(name: str) -> JobKind | None:
    load_kinds()
    return registered_kind(name)
