"""Benchmark of the contract-terms engine: prints evaluations per second on one core.

Run: .venv/bin/python bench/terms_engine.py [N]
"""

import gc
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from rules.contract import BondTerm, ContractFacts, PaymentTerm
from rules.policy import default_policy_book
from rules.terms import evaluate_terms, mandatory_findings
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)


def contracts(count: int, seed: int = 7) -> list[ContractFacts]:
    """A mix of compliant and non-compliant drafts over sizes, categories, regions and dates."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        category = rng.choice(list(Category))
        prepaid = Decimal(rng.choice(["0", "0.1", "0.3", "0.4"]))
        retention = Decimal(rng.choice(["0", "0.03", "0.05", "0.1"]))
        terms = [
            PaymentTerm(
                PaymentKind.FINAL,
                1 - prepaid - retention,
                Trigger.ACCEPTANCE,
                rng.choice([10, 15, 30, 60, 90]),
            )
        ]
        if prepaid:
            terms.insert(0, PaymentTerm(PaymentKind.PREPAYMENT, prepaid, Trigger.SIGNING, 15))
        if retention:
            terms.append(
                PaymentTerm(
                    PaymentKind.RETENTION,
                    retention,
                    Trigger.WARRANTY_END,
                    rng.choice([14, 30, 60]),
                    held_months=rng.choice([12, 24, 36]),
                )
            )
        forms = rng.choice(
            [
                frozenset({BondForm.CASH}),
                frozenset({BondForm.CASH, BondForm.BANK_GUARANTEE, BondForm.INSURANCE}),
            ]
        )
        bonds = (
            BondTerm(
                BondKind.PERFORMANCE,
                Decimal(rng.choice(["0.02", "0.05", "0.1", "0.12"])),
                forms,
                rng.choice([None, 30]),
            ),
        )
        out.append(
            ContractFacts(
                category=category,
                amount=Decimal(rng.randrange(10_000, 10_000_000)).quantize(Decimal("0.01")),
                purchaser_type=rng.choice(list(PurchaserType)),
                supplier_size=rng.choice([*Size, None]),
                signed_on=date(2019, 1, 1) + timedelta(days=rng.randrange(2500)),
                jurisdiction=rng.choice(["650102", "650100", "110101", "cn", "cn-65"]),
                sme_reserved=rng.random() < 0.2,
                payment_terms=tuple(terms),
                bonds=bonds if rng.random() < 0.7 else (),
                acceptance_period_days=rng.choice([None, 10]),
                settlement_tied_to_audit=rng.random() < 0.1,
            )
        )
    return out


def best_rate(label: str, count: int, run: Callable[[], object], repeats: int = 3) -> None:
    """Best of ``repeats`` runs in CPU seconds of this process (other load on the host does not count)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    print(f"{label:<40} {count / best:>10,.0f} evaluations/s")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    book = default_policy_book()
    facts = contracts(count)
    dated = [(f, f.signed_on or date.min) for f in facts]
    snapshots = [book.at(f.jurisdiction, on) for f, on in dated]
    pairs = list(zip(facts, snapshots, strict=True))
    adjustments = sum(len(evaluate_terms(f, s).adjustments) for f, s in pairs)
    print(f"contracts: {count}, adjustments per contract: {adjustments / count:.2f}")

    gc.freeze()  # the inputs are long-lived; results are dropped at once, as in a streaming audit

    def engine() -> None:
        for f, s in pairs:
            evaluate_terms(f, s)

    def with_lookup() -> None:
        for f, on in dated:
            evaluate_terms(f, book.at(f.jurisdiction, on))

    def audits() -> None:
        for f, on in dated:
            mandatory_findings(f, book.at(f.jurisdiction, on))

    sample = pairs[: max(1, count // 10)]

    def rendered() -> None:
        for f, s in sample:
            evaluate_terms(f, s).as_dict()

    best_rate("evaluate_terms (snapshot given)", count, engine)
    best_rate("evaluate_terms incl. PolicyBook.at", count, with_lookup)
    best_rate("mandatory_findings incl. PolicyBook.at", count, audits)
    best_rate("evaluate_terms + as_dict (texts rendered)", len(sample), rendered)


if __name__ == "__main__":
    main()
