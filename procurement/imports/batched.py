"""A large OCDS import in batches, each its own short write transaction, so that on SQLite no writer
waits behind a whole import (the probe: a 46 MB file held the write gate for 2.5 minutes).

The body is parsed outside any transaction, a batch at a time (parse_body is a generator: the whole
file is never held as dicts). Each batch of ``batch_size`` releases is loaded and committed with its
obligations; the import row, its audit entry and its event are written last. Resumable and still
idempotent as a whole: every release is keyed (owner, ocid, contract id), so a run stopped half-way
and started again finds the committed batches unchanged and loads the rest.
"""

from collections.abc import Callable, Iterator
from itertools import islice

from sqlalchemy.orm import Session

from procurement.db import begin_write
from procurement.finance.obligations import refresh_obligations
from procurement.imports.models import OcdsImport
from procurement.imports.services import Importer, Item, Outcome, finish_import, parse_body
from procurement.scope import Actor

BATCH_RELEASES = 200  # ~0.1-0.3 s of writing on SQLite: a concurrent writer waits at most that


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
    batch_size: int = BATCH_RELEASES,
    progress: Callable[[int], None] | None = None,
) -> OcdsImport:
    actor.require_write()
    out = Outcome()
    obligations = 0
    done = 0
    # a body that is not JSON at all raises InvalidInput here, before anything is written
    items = parse_body(data, media_type)
    for batch in _batches(items, batch_size):
        with session_factory() as session, session.begin():
            begin_write(session)
            importer = Importer(session, actor, outcome=out)
            importer.prefetch(batch)
            touched_before = set(out.touched)
            for item in batch:
                importer.load_release(item)
            session.flush()
            obligations += refresh_obligations(session, sorted(out.touched - touched_before))
        done += len(batch)
        if progress is not None:
            progress(done)
    with session_factory() as session, session.begin():
        begin_write(session)
        row = finish_import(session, actor, out, obligations, data=data, filename=filename)
        session.flush()
        session.expunge(row)
    return row
