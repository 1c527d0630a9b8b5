#!/usr/bin/env python3
"""Time the regional payments report over N contracts (default 1,000,000) in PostgreSQL.

Usage: bench/report_pg.py [N] [--url URL] [--runs R] [--keep] [--schema NAME] [--into NAME] [--derive]
                          [--jobs J]
Creates a throwaway schema, migrates it, bulk-loads (COPY) organizations, contracts, their
events and their ``contract_obligations`` rows shaped like shared/bench/ocds_corpus.py's releases
(the obligation rows as refresh_obligations derives them: statutory payment duty for SME
suppliers, cash bonds, retention), ANALYZEs, times ``region_report`` + ``report_json`` for the
whole region R times and prints the figures, then drops the schema (unless --keep). ``--schema``
times a schema kept by an earlier run instead of loading one (and leaves it). ``--derive`` loads
what an audit run reads as well: each contract's payment terms and bond as the release states them,
a fifth of the contracts entered by a platform (no ocid, bond returns recorded), and the obligation
and ``contract_audits`` rows derived from the contract's facts by the rules themselves
(``procurement.finance.obligations.derive``, as refresh_obligations does). ``--jobs`` worker
processes (default: one per core) derive and COPY disjoint batches; the data do not depend on it.
``--into NAME`` loads into a new schema of that name and keeps it.
"""

import argparse
import io
import itertools
import json
import multiprocessing
import os
import random
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from procurement import schema
from procurement.contracts.facts import bonds_of, payment_terms_of
from procurement.db import create_db_engine
from procurement.finance.derived import default_fingerprint
from procurement.finance.obligations import ObligationOwner, default_policy_at, derive
from procurement.ocds.mapping import SCALES as PUBLISHED_SCALES
from procurement.ocds.mapping import UNRECORDED as OCDS_UNRECORDED
from procurement.organizations.models import Role
from procurement.reports.db_report import region_report, report_json
from procurement.scope import Actor
from rules.contract import ContractFacts, Event
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    ContractStatus,
    DayType,
    EventKind,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)

REGIONS = ["650100", "650200", "650400", "652300", "652800", "654000", "659001"]
SCALES = ["micro", "sme", "sme", "sme", "large"]
CATEGORIES = ["goods", "goods", "goods", "services", "services", "services", "works", "works"]
PURCHASERS_PER_REGION = 500
ORG_COLUMNS = "id, name, kind, region_code, created_at, external_id"
CONTRACT_COLUMNS = (
    "id, owner_org_id, purchaser_id, region_code, external_ref, title, category, amount, currency, "
    "purchaser_type, signed_on, jurisdiction, sme_reserved, status, settlement_tied_to_audit, "
    "supplier_scale, ocid, warranty_months, version, created_at, updated_at"
)
EVENT_COLUMNS = "contract_id, kind, occurred_on, amount, note, recorded_by_org_id, created_at"
OBLIGATION_COLUMNS = (
    "contract_id, purchaser_id, region_code, signed_on, kind, ref, amount, arises_on, due_on, "
    "settled_on, settled_amount, approximate, policy_version, basis"
)
NOW = "2026-11-26 00:00:00+00"
NULL = "\\N"


TERM_COLUMNS = (
    "contract_id, position, kind, percent, trigger, days, day_type, held_months, days_agreed, amount"
)
BOND_COLUMNS = "contract_id, position, kind, percent, forms, amount"
AUDIT_COLUMNS = "contract_id, book, consistent, coverage, terms"
FORMS = {
    "cash": BondForm.CASH,
    "guarantee": BondForm.BANK_GUARANTEE,
    "insurance": BondForm.INSURANCE,
    "cheque": BondForm.CHEQUE,
}
# contracts a platform entered (no ocid): it records bond returns, so their bonds are judged
PLATFORM_SHARE = 0.2


def _d(value: date | None) -> str:
    return value.isoformat() if value is not None else NULL


def _m(value: Decimal | None) -> str:
    return str(value) if value is not None else NULL


# json.dumps with these arguments builds an encoder per call; one encoder writes the same text
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _json(value: object) -> str:
    # COPY text format: a backslash in the JSON text must be doubled
    return _ENCODE(value).replace("\\", "\\\\")


def _obligation_line(row: dict[str, Any]) -> str:
    values = (
        str(row["contract_id"]), str(row["purchaser_id"]), row["region_code"], _d(row["signed_on"]),
        row["kind"].value, row["ref"], str(row["amount"]), _d(row["arises_on"]), _d(row["due_on"]),
        _d(row["settled_on"]), _m(row["settled_amount"]), "t" if row["approximate"] else "f",
        row["policy_version"], _json(row["basis"]),
    )  # fmt: skip
    return "\t".join(values)


class Contract(NamedTuple):
    """The values ``generate`` draws for one contract (percentages 0-100)."""

    id: int
    purchaser: int
    region: str
    scale: str
    category: str
    amount: Decimal
    signed: date
    prepay: int
    retention: int
    bond: int
    form: str
    delivered: date
    accepted: date
    paid_on: date | None
    ocid: str


class Draws(NamedTuple):
    """The deriver's own draws for one contract (``Deriver.draw``), made in contract order."""

    platform: bool
    prepaid_after: int | None  # days after signing the prepayment was paid
    returned_after: int | None  # days after acceptance the bond came back (platform contracts)


class Deriver:
    """A generated contract's terms, bonds and events as ocds_corpus.py's release states them, and
    the obligation and ``contract_audits`` rows the rules derive from its facts (the functions
    refresh_obligations calls, on the facts ``stored_facts`` would read back).

    ``draw`` makes the random draws (in contract order: the data stay the same whoever derives);
    ``rows`` only computes, so worker processes can derive disjoint batches."""

    def __init__(self) -> None:
        self.policy_at = default_policy_at()
        self.book = default_fingerprint()

    @staticmethod
    def draw(rnd: random.Random, c: Contract) -> Draws:
        platform = rnd.random() < PLATFORM_SHARE
        prepaid_after = rnd.choice([5, 10, 40]) if c.prepay else None
        returned_after = None
        if platform and c.bond and rnd.random() < 0.7:
            returned_after = 30 + rnd.choice([-10, 0, 5, 60])
        return Draws(platform, prepaid_after, returned_after)

    def rows(self, c: Contract, draws: Draws) -> "Rows":
        cent = Decimal("0.01")
        platform = draws.platform
        ocid = None if platform else c.ocid
        # a platform records the size class; a release may publish only "sme" (an SME of unknown class)
        scale = ("small" if c.scale == "sme" else c.scale) if platform else c.scale
        rest = 100 - c.prepay - c.retention
        terms: list[dict[str, Any]] = []
        for kind, percent, trigger, months in (
            (PaymentKind.PREPAYMENT, c.prepay, Trigger.SIGNING, None),
            (PaymentKind.FINAL, rest, Trigger.ACCEPTANCE, None),
            (PaymentKind.RETENTION, c.retention, Trigger.WARRANTY_END, 12),
        ):
            if percent:
                # OCDS milestones state amounts and no agreed days: the statutory term applies
                terms.append(
                    {
                        "kind": kind,
                        "percent": Decimal(percent),
                        "trigger": trigger,
                        "days": 0,
                        "day_type": DayType.CALENDAR,
                        "held_months": months,
                        "days_agreed": False,
                        "amount": (c.amount * percent / 100).quantize(cent),
                    }
                )
        bonds: list[dict[str, Any]] = []
        if c.bond:
            amount = (c.amount * c.bond / 100).quantize(cent)
            bonds.append(
                {
                    "kind": BondKind.PERFORMANCE,
                    "percent": Decimal(c.bond),
                    "forms": [FORMS[c.form]],
                    "amount": amount,
                }
            )
        events = [Event(EventKind.DELIVERED, c.delivered), Event(EventKind.ACCEPTED, c.accepted)]
        if draws.prepaid_after is not None:
            on = c.signed + timedelta(days=draws.prepaid_after)
            events.append(Event(EventKind.PAID, on, terms[0]["amount"]))
        if c.paid_on is not None:
            events.append(Event(EventKind.PAID, c.paid_on, (c.amount * rest / 100).quantize(cent)))
        if draws.returned_after is not None:
            events.append(Event(EventKind.BOND_RETURNED, c.accepted + timedelta(days=draws.returned_after)))
        if ocid is not None:
            size = PUBLISHED_SCALES.get(scale)
            unrecorded = OCDS_UNRECORDED - {e.kind for e in events}
        else:
            size, unrecorded = Size(scale), frozenset()
        facts = ContractFacts(
            category=Category(c.category),
            amount=c.amount,
            purchaser_type=PurchaserType.PUBLIC_BODY,
            supplier_size=size,
            signed_on=c.signed,
            jurisdiction=c.region,
            payment_terms=payment_terms_of(terms, c.amount),
            bonds=bonds_of(bonds, c.amount),
            warranty_months=12 if c.retention else None,
            events=tuple(sorted(events, key=lambda e: e.on)),
            unrecorded=frozenset(unrecorded),
        )
        owner = ObligationOwner(c.id, c.purchaser, c.region, c.signed, ContractStatus.COMPLETED)
        i = c.id
        contract = "\t".join(
            (
                str(i), "1", str(c.purchaser), c.region, f"{c.ocid}-c1", "采购合同", c.category,
                str(c.amount), "CNY", "public_body", c.signed.isoformat(), c.region, "f", "completed", "f",
                scale, ocid or NULL, "12" if c.retention else NULL, "1", NOW, NOW,
            )
        )  # fmt: skip
        obligations, audit = derive(owner, facts, self.policy_at, self.book)
        return Rows(
            contract,
            [
                f"{i}\t{e.kind.value}\t{e.on}\t{_m(e.amount)}\t{'OCDS' if ocid else '平台'}\t1\t{NOW}"
                for e in events
            ],
            [_obligation_line(row) for row in obligations],
            [
                f"{i}\t{n}\t{t['kind'].value}\t{t['percent']}\t{t['trigger'].value}\t0\tcalendar\t"
                f"{t['held_months'] if t['held_months'] is not None else NULL}\tf\t{t['amount']}"
                for n, t in enumerate(terms)
            ],
            [
                f"{i}\t{n}\t{b['kind'].value}\t{b['percent']}\t{_json([f.value for f in b['forms']])}\t"
                f"{b['amount']}"
                for n, b in enumerate(bonds)
            ],
            [
                "\t".join(
                    (
                        str(i),
                        audit["book"],
                        "t" if audit["consistent"] else "f",
                        _json(audit["coverage"]),
                        _json(audit["terms"]),
                    )
                )
            ],
        )


class Rows(NamedTuple):
    """One contract's COPY text lines per table (terms, bonds and audits only when derived)."""

    contract: str
    events: list[str]
    obligations: list[str]
    terms: list[str] = []
    bonds: list[str] = []
    audits: list[str] = []


def contracts(n: int, seed: int) -> Iterator[Contract]:
    """The shared draws of contracts 1..n (the plain and the derived data draw them alike)."""
    rnd = random.Random(seed)
    base = date(2024, 1, 1)
    cent = Decimal("0.01")
    for i in range(1, n + 1):
        region_index = rnd.randrange(len(REGIONS))
        region = REGIONS[region_index]
        purchaser = 2 + region_index * PURCHASERS_PER_REGION + rnd.randrange(PURCHASERS_PER_REGION)
        scale = rnd.choice(SCALES)
        amount = Decimal(rnd.choice([8_000, 45_000, 120_000, 480_000, 1_900_000, 3_600_000, 12_000_000]))
        amount = (amount * Decimal(rnd.uniform(0.6, 1.4))).quantize(cent)
        signed = base + timedelta(days=rnd.randrange(0, 700))
        prepay = rnd.choice([0, 0, 10, 20, 30, 40, 50])
        retention = rnd.choice([0, 0, 3, 5, 10])
        bond = rnd.choice([0, 2, 5, 5, 10, 15])
        form = rnd.choice(["cash", "guarantee", "insurance", "cheque"])
        delivered = signed + timedelta(days=20 + rnd.randrange(0, 90))
        accepted = delivered + timedelta(days=rnd.choice([3, 5, 7, 15, 30]))
        paid_on = accepted + timedelta(days=rnd.choice([10, 20, 28, 30, 45, 60, 90, 150]))
        paid = rnd.random() < 0.9
        category = rnd.choice(CATEGORIES)
        ocid = f"ocds-xj0001-{region}-{i:09d}"
        yield Contract(
            i, purchaser, region, scale, category, amount, signed, prepay, retention, bond, form,
            delivered, accepted, paid_on if paid else None, ocid,
        )  # fmt: skip


def plain_rows(c: Contract) -> Rows:
    """A contract's rows without terms and bonds, its obligations written out as the rules derive
    them for these shapes (fast: no rules run)."""
    i, purchaser, region, amount, signed, accepted = (
        c.id,
        c.purchaser,
        c.region,
        c.amount,
        c.signed,
        c.accepted,
    )
    cent = Decimal("0.01")
    paid = c.paid_on is not None
    rest = 100 - c.prepay - c.retention
    contract = "\t".join(
        (
            str(i), "1", str(purchaser), region, f"{c.ocid}-c1", "采购合同", c.category,
            str(amount), "CNY", "public_body", signed.isoformat(), region, "f", "completed", "f",
            c.scale, c.ocid, NULL, "1", NOW, NOW,
        )
    )  # fmt: skip
    events = [
        f"{i}\tdelivered\t{c.delivered}\t{NULL}\tOCDS\t1\t{NOW}",
        f"{i}\taccepted\t{accepted}\t{NULL}\tOCDS\t1\t{NOW}",
    ]
    rest_amount = (amount * rest / 100).quantize(cent)
    if paid:
        events.append(f"{i}\tpaid\t{c.paid_on}\t{rest_amount}\tOCDS\t1\t{NOW}")
    common = f"{i}\t{purchaser}\t{region}\t{signed}"
    obligations = []
    if c.scale != "large":
        if c.prepay:
            pre = (amount * c.prepay / 100).quantize(cent)
            obligations.append(f"{common}\tpayment\t0\t{pre}\t{signed}\t{NULL}\t{NULL}\t0\tf\txj\t{{}}")
        due = accepted + timedelta(days=30)
        obligations.append(
            f"{common}\tpayment\t1\t{rest_amount}\t{accepted}\t{due}\t{_d(c.paid_on)}\t"
            f"{rest_amount if paid else 0}\tf\txj\t{{}}"
        )
    if c.bond:
        bond_amount = (amount * c.bond / 100).quantize(cent)
        due_bond = accepted + timedelta(days=30) if c.form in ("cash", "cheque") else None
        obligations.append(
            f"{common}\tbond_return\tperformance\t{bond_amount}\t{signed}\t{_d(due_bond)}\t{NULL}\t"
            f"{NULL}\tf\txj\t{{}}"
        )
    if c.retention:
        ret = (amount * c.retention / 100).quantize(cent)
        due_ret = accepted + timedelta(days=365 + 30)
        obligations.append(
            f"{common}\tretention_release\t{1 + bool(c.prepay)}\t{ret}\t{accepted}\t{due_ret}\t{NULL}\t"
            f"{NULL}\tf\txj\t{{}}"
        )
    return Rows(contract, events, obligations)


Work = tuple[Contract, "Draws | None"]


def work(n: int, seed: int, derive: bool = False) -> Iterator[Work]:
    """Every contract with the deriver's draws (``derive``), drawn in contract order."""
    rnd = random.Random(seed + 1)  # the shared draws stay those of the plain data
    for c in contracts(n, seed):
        yield c, Deriver.draw(rnd, c) if derive else None


def generate(n: int, seed: int, derive: bool = False) -> Iterator[Rows]:
    """Per contract its rows; ``derive``: also its terms and bonds, and its obligations and
    ``contract_audits`` row derived from them by the rules (``procurement.finance.obligations.derive``,
    which refresh_obligations runs)."""
    deriver = Deriver() if derive else None
    for c, draws in work(n, seed, derive):
        yield plain_rows(c) if deriver is None or draws is None else deriver.rows(c, draws)


TABLES = (
    ("contracts", CONTRACT_COLUMNS),
    ("contract_events", EVENT_COLUMNS),
    ("contract_obligations", OBLIGATION_COLUMNS),
    ("payment_terms", TERM_COLUMNS),
    ("bonds", BOND_COLUMNS),
    ("contract_audits", AUDIT_COLUMNS),
)


def copy_rows(conn: psycopg.Connection[Any], rows: Iterable[Rows]) -> tuple[int, int, int]:
    """COPY one batch of contracts' rows (contracts first: the others refer to them);
    returns (contracts, events, obligations)."""
    bufs = [io.StringIO() for _ in TABLES]
    contracts_, events, obligations = 0, 0, 0
    for row in rows:
        bufs[0].write(row.contract + "\n")
        for buf, lines in zip(bufs[1:], row[1:], strict=True):
            for line in lines:
                buf.write(line + "\n")
        contracts_ += 1
        events += len(row.events)
        obligations += len(row.obligations)
    with conn.cursor() as cur:
        for (table, columns), buf in zip(TABLES, bufs, strict=True):
            if buf.tell() == 0:
                continue
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(buf.getvalue())
    return contracts_, events, obligations


# a worker process's state (``_start_worker``): its own connection and deriver
_worker: dict[str, Any] = {}


def _start_worker(conninfo: str, schema_name: str, derive: bool) -> None:
    conn = psycopg.connect(conninfo, autocommit=True)
    conn.execute(f'SET search_path TO "{schema_name}"')
    # the rows refer only to rows loaded before them (organizations, then each batch's contracts
    # first): the foreign-key triggers, half of COPY's cost, would check what holds by construction.
    # The schema has no other trigger (a superuser setting; the bench connects as one)
    conn.execute("SET session_replication_role = replica")
    _worker.update(conn=conn, deriver=Deriver() if derive else None)


def _load_batch(batch: list[Work]) -> tuple[int, int, int]:
    deriver: Deriver | None = _worker["deriver"]
    rows = (plain_rows(c) if deriver is None or d is None else deriver.rows(c, d) for c, d in batch)
    return copy_rows(_worker["conn"], rows)


def _batches(items: Iterator[Work], size: int) -> Iterator[list[Work]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def load(
    conninfo: str, schema_name: str, n: int, seed: int, derive: bool = False, jobs: int | None = None
) -> dict[str, int]:
    """Load n contracts; ``jobs`` worker processes (default: one per core) derive and COPY disjoint
    batches, each on its own connection, while this one draws (in order: the same data for any
    ``jobs``). ``jobs=0`` does everything here."""
    counts = {"contracts": 0, "events": 0, "obligations": 0}
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema_name}"')
        orgs = io.StringIO()
        orgs.write(f"1\t平台\tplatform\t650000\t{NOW}\t{NULL}\n")
        for r, region in enumerate(REGIONS):
            for p in range(PURCHASERS_PER_REGION):
                org_id = 2 + r * PURCHASERS_PER_REGION + p
                orgs.write(f"{org_id}\t某{region}单位{p}\tpurchaser\t{region}\t{NOW}\tCN-{region}-{p}\n")
        with conn.cursor() as cur, cur.copy(f"COPY organizations ({ORG_COLUMNS}) FROM STDIN") as copy:
            copy.write(orgs.getvalue())
        batches = _batches(work(n, seed, derive), 5_000 if jobs else 50_000)
        done_batches: Iterator[tuple[int, int, int]]
        if jobs:
            pool = multiprocessing.get_context("fork").Pool(
                jobs, _start_worker, (conninfo, schema_name, derive)
            )
            done_batches = pool.imap_unordered(_load_batch, batches)
        else:
            _start_worker(conninfo, schema_name, derive)
            done_batches = map(_load_batch, batches)
        try:
            for contracts_, events, obligations in done_batches:
                counts["contracts"] += contracts_
                counts["events"] += events
                counts["obligations"] += obligations
                print(f"  loaded {counts['contracts']:,} contracts", file=sys.stderr, end="\r")
        finally:
            if jobs:
                pool.close()
                pool.join()
            else:
                _worker.pop("conn").close()
        # a bare ANALYZE reads every schema of the database (other kept benches too): only this one's
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema_name,))
        for (table,) in tables.fetchall():
            conn.execute(f'ANALYZE "{schema_name}"."{table}"')
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--as-of", default="2026-11-26")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--schema", help="time this kept schema; load nothing, drop nothing")
    parser.add_argument("--into", help="load into a new schema of this name (implies --keep)")
    parser.add_argument(
        "--derive", action="store_true", help="also terms and bonds, obligations derived by the rules"
    )
    parser.add_argument("--jobs", type=int, help="worker processes loading (default: one per core)")
    args = parser.parse_args()
    schema_name = args.schema or args.into or f"smeproc_bench_{uuid.uuid4().hex[:8]}"
    args.keep = args.keep or bool(args.into)
    url = make_url(args.url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    if not args.schema:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema_name}"')
    scoped = url.update_query_dict({"options": f"-csearch_path={schema_name}"}).render_as_string(
        hide_password=False
    )
    try:
        if not args.schema:
            schema.upgrade(scoped)
            started = time.perf_counter()
            counts = load(conninfo, schema_name, args.count, args.seed, args.derive, args.jobs)
            loaded = time.perf_counter() - started
            print(
                f"loaded {counts['contracts']:,} contracts, {counts['events']:,} events, "
                f"{counts['obligations']:,} obligations in {loaded:.1f} s "
                f"({counts['contracts'] / loaded:,.0f} contracts/s, COPY incl. generation and ANALYZE; "
                f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})"
            )
            if args.keep:
                print(f"schema kept: {schema_name}")
        engine = create_db_engine(scoped)
        actor = Actor(api_key_id=0, organization_id=1, role=Role.AUDITOR, region_code="650000")
        as_of = date.fromisoformat(args.as_of)
        times = []
        body = {}
        for _ in range(args.runs):
            with Session(engine) as session:
                t0 = time.perf_counter()
                report = region_report(
                    session, actor, region_code="650000", period_from=None, period_to=None, as_of=as_of
                )
                body = report_json(report)
                times.append(time.perf_counter() - t0)
        engine.dispose()
        print("regional report (JSON, 650000):", ", ".join(f"{t:.2f} s" for t in times))
        print(f"best {min(times):.2f} s, median {sorted(times)[len(times) // 2]:.2f} s (target < 2 s)")
        print(f"{len(body['purchasers'])} purchasers, {len(body['regions'])} regions; total:")
        for key, value in body["total"].items():
            print(f"  {key}: {value}")
    finally:
        if not (args.keep or args.schema):
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema_name}" CASCADE')


if __name__ == "__main__":
    main()
