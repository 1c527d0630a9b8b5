"""The one place that reads the environment: a frozen ``Settings`` built by ``from_env``."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SQLITE_PATH = Path("var") / "smeproc.sqlite3"
DEFAULT_CHECKPOINT_DIR = Path("var") / "audit-checkpoints"
DEFAULT_QUEUE_PATH = Path("var") / "queue.sqlite3"
POLICY_DIR = Path(__file__).resolve().parent / "policies"


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from exc


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    raw = environ.get(name)
    return Path(raw) if raw else None


@dataclass(frozen=True)
class Settings:
    """Everything the service can be told from outside; tests build it directly."""

    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    policy_dir: Path = POLICY_DIR
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 20 * 1_048_576
    # scanned pages one upload may have read by OCR (~2-3 s a page on one core): a longer scan
    # is refused with a clear 422 until it can run as a background job
    ocr_max_pages: int = 20
    default_page_size: int = 50
    max_page_size: int = 200
    db_pool_size: int = 5
    sql_echo: bool = False
    # the job queue: Huey on a SQLite file (embedded) or redis://host:port/db (production)
    queue_url: str = f"sqlite:///{DEFAULT_QUEUE_PATH}"
    queue_name: str = "smeproc"  # one name per deployment sharing a Redis
    worker_threads: int = 2
    # webhooks to http and to loopback/private addresses: development and tests only
    webhook_allow_private: bool = False
    # an OCDS import body larger than this is imported by the worker (202 and a job)
    import_job_bytes: int = 1_048_576
    # the audit log's HMAC key (kept outside the database; empty: entries carry no MAC)
    audit_mac_key: str = ""
    # Ed25519 private key (PEM) that signs audit-log checkpoints, and where checkpoints are written
    audit_signing_key: Path | None = None
    audit_checkpoint_dir: Path = DEFAULT_CHECKPOINT_DIR
    audit_checkpoint_seconds: int = 300  # how often `smeproc worker` signs one (when the log grew)
    # rate limits (the ``limits`` library's notation); storage memory:// (per worker) or redis://
    rate_limit_storage: str = "memory://"
    rate_limit_per_key: str = "1200/minute"
    rate_limit_per_address: str = "2400/minute"
    rate_limit_failed_auth: str = "20/minute"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "Settings":
        """Every variable smeproc reads, in one place (all prefixed ``SMEPROC_``)."""
        defaults = cls()
        return cls(
            database_url=environ.get("SMEPROC_DATABASE_URL") or defaults.database_url,
            policy_dir=Path(environ.get("SMEPROC_POLICY_DIR") or POLICY_DIR),
            max_body_bytes=_int(environ, "SMEPROC_MAX_BODY_BYTES", defaults.max_body_bytes),
            max_upload_bytes=_int(environ, "SMEPROC_MAX_UPLOAD_BYTES", defaults.max_upload_bytes),
            ocr_max_pages=_int(environ, "SMEPROC_OCR_MAX_PAGES", defaults.ocr_max_pages),
            default_page_size=_int(environ, "SMEPROC_DEFAULT_PAGE_SIZE", defaults.default_page_size),
            max_page_size=_int(environ, "SMEPROC_MAX_PAGE_SIZE", defaults.max_page_size),
            db_pool_size=_int(environ, "SMEPROC_DB_POOL_SIZE", defaults.db_pool_size),
            sql_echo=environ.get("SMEPROC_SQL_ECHO", "") in ("1", "true", "yes"),
            queue_url=environ.get("SMEPROC_QUEUE_URL") or defaults.queue_url,
            queue_name=environ.get("SMEPROC_QUEUE_NAME") or defaults.queue_name,
            worker_threads=_int(environ, "SMEPROC_WORKER_THREADS", defaults.worker_threads),
            webhook_allow_private=environ.get("SMEPROC_WEBHOOK_ALLOW_PRIVATE", "") in ("1", "true", "yes"),
            import_job_bytes=_int(environ, "SMEPROC_IMPORT_JOB_BYTES", defaults.import_job_bytes),
            audit_mac_key=environ.get("SMEPROC_AUDIT_MAC_KEY", ""),
            audit_signing_key=_path(environ, "SMEPROC_AUDIT_SIGNING_KEY"),
            audit_checkpoint_dir=_path(environ, "SMEPROC_AUDIT_CHECKPOINT_DIR") or DEFAULT_CHECKPOINT_DIR,
            audit_checkpoint_seconds=_int(
                environ, "SMEPROC_AUDIT_CHECKPOINT_SECONDS", defaults.audit_checkpoint_seconds
            ),
            rate_limit_storage=environ.get("SMEPROC_RATE_LIMIT_STORAGE") or defaults.rate_limit_storage,
            rate_limit_per_key=environ.get("SMEPROC_RATE_LIMIT_PER_KEY") or defaults.rate_limit_per_key,
            rate_limit_per_address=environ.get("SMEPROC_RATE_LIMIT_PER_ADDRESS")
            or defaults.rate_limit_per_address,
            rate_limit_failed_auth=environ.get("SMEPROC_RATE_LIMIT_FAILED_AUTH")
            or defaults.rate_limit_failed_auth,
        )
