"""A large OCDS import in batches, each its own short write transaction, so that on SQLite no writer
waits behind a whole import (the probe: a 46 MB file held the write gate for 2.5 minutes).

The body is parsed outside any transaction, a chunk at a time (parse_body is a generator: the whole
file is never held as dicts). Releases are loaded in write transactions of bounded duration
(``BATCH_SECONDS``), each committed with its obligations; the import row, its audit entry and its
event are written last. Resumable and still
idempotent as a whole: every release is keyed (owner, ocid, contract id), so a run stopped half-way
and started again finds the committed batches unchanged and loads the rest.
"""

import time
from collections.abc import Callable, Iterator
from itertools import islice

from sqlalchemy.orm import Session

from procurement.db import begin_write
from procurement.finance.obligations import refresh_obligations
from procurement.imports.models import OcdsImport
from procurement.imports.services import Importer, Item, Outcome, finish_import, parse_body
from procurement.ocds.recorded import unrecorded_kinds
from procurement.scope import Actor

PREFETCH_RELEASES = 200  # what one round of lookups covers (a few queries for 200 releases)
# a write transaction ends once it has run this long: a concurrent writer waits at most about this
# (plus one release) for the SQLite write gate, however large the import
BATCH_SECONDS = 0.2


def _batches(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    while batch := list(islice(items, size)):
        yield batch


def import_ocds_batched(
    session_factory: Callable[[], Session],
    actor: Actor,
    *,
    data: bytes,
    media_type: str,
    filename: str = "",
    batch_seconds: float = BATCH_SECONDS,
    prefetch_size: int = PREFETCH_RELEASES,
    progress: Callable[[int], None] | None = None,
) -> OcdsImport:
    actor.require_write()
    out = Outcome()
    obligations = 0
    done = 0
    # a body that is not JSON at all raises InvalidInput here, before anything is written
    items = parse_body(data, media_type)
    unrecorded = unrecorded_kinds(data, "ocds")
    # one session throughout (its objects outlive each commit: expire_on_commit is off), one short
    # transaction at a time
    with session_factory() as session:
        for chunk in _batches(items, prefetch_size):
            # a fresh importer and identity map per chunk: memory stays that of one chunk, not of
            # every contract of the file
            session.expunge_all()
            begin_write(session)
            started = time.monotonic()
            importer = Importer(session, actor, outcome=out, unrecorded=unrecorded)
            importer.prefetch(chunk)
            touched_before = set(out.touched)
            for item in chunk:
                importer.load_release(item)
                done += 1
                if time.monotonic() - started > batch_seconds:
                    obligations += _commit(session, out.touched - touched_before)
                    if progress is not None:
                        progress(done)
                    begin_write(session)
                    started, touched_before = time.monotonic(), set(out.touched)
            obligations += _commit(session, out.touched - touched_before)
            if progress is not None:
                progress(done)
        begin_write(session)
        row = finish_import(session, actor, out, obligations, data=data, filename=filename)
        session.commit()
    return row


def _commit(session: Session, touched: set[int]) -> int:
    session.flush()
    written = refresh_obligations(session, sorted(touched))
    session.commit()
    return written
