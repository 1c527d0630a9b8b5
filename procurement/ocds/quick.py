"""The batch audit's hot path for the common e-mall release shape, in integers and day ordinals.

It decides, for one release, the figures, the coverage and which performance rules fire, exactly as
``map_release`` + ``rules.audits.audit_contract`` would (a test compares them on the corpus), but
without building dataclasses. Any release outside the shape returns None: the full path takes it.
The periods come from the same rule functions (``statutory_days``, ``return_period``), cached.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from procurement.ocds.mapping import BOND_FORMS, CATEGORIES, SCALES
from procurement.reports.stats import ContractFigures
from rules.audits import BOND_UNRETURNED, PAYMENT_OVERDUE, RETENTION_OVERHELD
from rules.contract import BondTerm, ContractFacts, PaymentTerm
from rules.ledger import return_period
from rules.payment_clock import PolicyAt, add_months, statutory_days
from rules.vocabulary import BondKind, DayType, PaymentKind, PurchaserType, Trigger

_CATEGORIES = frozenset({"goods", "works", "services"})
_SCALES = frozenset({"micro", "small", "medium", "sme", "large"})
_CASH_FORMS = frozenset({"cash", "cheque", "check"})
_GUARANTEE_FORMS = frozenset({"guarantee", "bankguarantee", "insurance"})
_DAYS_PER_MONTH = 30.4375
_NUMBER = (int, float)
_CATEGORY = CATEGORIES


class Periods(NamedTuple):
    """The days a pack allows on one date, for one jurisdiction (None: no period in the pack)."""

    payment_days: int
    performance_return_days: int | None
    goods_services_release_days: int | None
    works_return_days: int | None


class QuickResult(NamedTuple):
    figures: ContractFigures
    coverage: tuple[tuple[str, str | None], ...]
    hits: tuple[str, ...]  # rule ids of the findings, one per finding
    # the contract's terms (no events) as ``map_release`` gives them, for the terms engine
    facts: ContractFacts | None = None


def _decimal(number: float | int) -> Decimal:
    return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


class Quick:
    """Per-process state of the hot path: date and policy caches."""

    def __init__(self, policy_at: PolicyAt, as_of: date, *, build_facts: bool = False) -> None:
        self.policy_at = policy_at
        self.build_facts = build_facts
        self.as_of = as_of.toordinal()
        self._dates: dict[str, int] = {}
        self._periods: dict[tuple[str, int], Periods] = {}

    def day(self, text: Any) -> int:
        """Day ordinal of an OCDS date-time; raises KeyError/ValueError/TypeError when unreadable."""
        found = self._dates.get(text)
        if found is None:
            found = date.fromisoformat(text[:10]).toordinal()
            if len(self._dates) < 100_000:
                self._dates[text] = found
        return found

    def periods(self, jurisdiction: str, on: int) -> Periods:
        key = (jurisdiction, on)
        found = self._periods.get(key)
        if found is None:
            snap = self.policy_at(jurisdiction, date.fromordinal(on))
            days, _ = statutory_days(snap, Trigger.ACCEPTANCE, False, True)
            assert days is not None

            def period(name: str) -> int | None:
                got = return_period(snap, name, DayType.CALENDAR, None, DayType.CALENDAR)
                return got[0] if got else None

            found = Periods(
                days,
                period("bond.performance.return_days"),
                period("retention.goods_services.release_days"),
                period("retention.works.return_days"),
            )
            if len(self._periods) < 100_000:
                self._periods[key] = found
        return found

    def audit(self, r: dict[str, Any]) -> QuickResult | None:
        """The figures, coverage and fired rules of one release, or None if not the common shape."""
        contracts = r.get("contracts")
        if not contracts or len(contracts) != 1:
            return None
        c = contracts[0]
        day = self.day
        as_of = self.as_of
        tender = r.get("tender")
        if not tender or tender.get("mainProcurementCategory") not in _CATEGORIES:
            return None
        works = tender["mainProcurementCategory"] == "works"
        buyer_id = (r.get("buyer") or {}).get("id")
        buyer = supplier = None
        award_id = c.get("awardID")
        awards = r.get("awards") or ()
        award = None
        for a in awards:
            if a.get("id") == award_id:
                award = a
                break
        if award is None:
            return None
        suppliers = award.get("suppliers") or ()
        supplier_id = suppliers[0].get("id") if suppliers else None
        for p in r.get("parties") or ():
            pid = p.get("id")
            if pid == buyer_id:
                buyer = p
            if pid == supplier_id and supplier is None:
                supplier = p
        if buyer is None or supplier is None or len(suppliers) != 1:
            return None
        region = (buyer.get("address") or {}).get("region")
        if not (isinstance(region, str) and len(region) == 6 and region.isdigit()):
            return None
        scale = (supplier.get("details") or {}).get("scale")
        if scale is not None and scale not in _SCALES:
            return None
        value = c.get("value") or {}
        amount = value.get("amount")
        if not isinstance(amount, _NUMBER) or value.get("currency", "CNY") != "CNY" or amount <= 0:
            return None
        amount_fen = round(amount * 100)
        if abs(amount * 100 - amount_fen) > 1e-6:
            return None
        signed = day(c["dateSigned"]) if c.get("dateSigned") else None
        if signed is None:
            return None

        # implementation: the same events the mapping keeps (met milestones, dated payments)
        impl = c.get("implementation") or {}
        delivered = accepted = None
        has_acceptance = False
        for m in impl.get("milestones") or ():
            mtype = m.get("type")
            if mtype == "assessment" or mtype == "acceptance" or "验收" in (m.get("title") or ""):
                has_acceptance = True
                if m.get("status") in (None, "met") and m.get("dateMet"):
                    on = day(m["dateMet"])
                    accepted = on if accepted is None or on < accepted else accepted
            elif mtype == "delivery":
                if m.get("status") in (None, "met") and m.get("dateMet"):
                    on = day(m["dateMet"])
                    delivered = on if delivered is None or on < delivered else delivered
            else:
                return None
        payments: list[tuple[int, int]] = []
        paid_total = 0
        for t in impl.get("transactions") or ():
            tv = (t.get("value") or {}).get("amount")
            if not isinstance(tv, _NUMBER) or not t.get("date"):
                return None
            on = day(t["date"])
            fen = round(tv * 100)
            if on < signed:
                return None  # the rules raise the error with its message
            paid_total += fen
            if on <= as_of:
                payments.append((on, fen))
        if paid_total > amount_fen + len(impl.get("transactions") or ()):
            return None
        payments.sort(key=lambda x: x[0])
        acc_trigger = accepted if accepted is not None and accepted <= as_of else None
        del_trigger = delivered if delivered is not None and delivered <= as_of else None

        # payment terms: [sort key, amount, due or None, clock start or None, missing]
        obligations: list[list[Any]] = []
        terms: list[tuple[PaymentKind, Trigger, float | int, int | None]] = []
        final_trigger = Trigger.ACCEPTANCE if has_acceptance else Trigger.DELIVERY
        retention: tuple[int, int | None] | None = None
        for m in c.get("milestones") or ():
            code = m.get("code")
            mv = (m.get("value") or {}).get("amount")
            if not isinstance(mv, _NUMBER):
                return None
            fen = round(mv * 100)
            if code == "retention":
                if retention is not None:
                    return None
                due_after = m.get("dueAfterDate")
                months = None
                if due_after and accepted is not None:
                    months = round((day(due_after) - accepted) / _DAYS_PER_MONTH)
                retention = (fen, months)
                terms.append((PaymentKind.RETENTION, Trigger.WARRANTY_END, mv, months))
            elif code == "prepayment":
                obligations.append([signed, fen, None, signed, "no_agreed_term"])
                terms.append((PaymentKind.PREPAYMENT, Trigger.SIGNING, mv, None))
            elif code == "postpayment":
                terms.append((PaymentKind.FINAL, final_trigger, mv, None))
                start = acc_trigger if has_acceptance else del_trigger
                if start is None:
                    missing = "no_acceptance_date" if has_acceptance else "no_delivery_date"
                    obligations.append([None, fen, None, None, missing])
                    continue
                due = start + self.periods(region, start).payment_days
                obligations.append([due, fen, due, start, None])
            else:
                return None

        hits: list[str] = []
        cov_payment: str | None
        pay_due = on_time = paid_n = days_to_pay = overdue_fen = overdue_n = 0
        if scale is None:
            cov_payment = "no_scale"
        elif scale == "large":
            cov_payment = "not_sme_public_body"
        elif not obligations:
            cov_payment = "no_payment_terms"
        else:
            evaluable = [o for o in obligations if o[2] is not None]
            cov_payment = None if evaluable else obligations[0][4]
            # allocate payments earliest due (or clock start) first, as the rules do
            order = sorted(
                range(len(obligations)),
                key=lambda i: (obligations[i][0] if obligations[i][0] is not None else 10**9, i),
            )
            paid = [0] * len(obligations)
            done: list[int | None] = [None] * len(obligations)
            for on, fen in payments:
                remaining = fen
                for i in order:
                    if remaining <= 0:
                        break
                    gap = obligations[i][1] - paid[i]
                    if gap <= 0:
                        continue
                    used = gap if gap < remaining else remaining
                    paid[i] += used
                    remaining -= used
                    if paid[i] >= obligations[i][1]:
                        done[i] = on
            for i, o in enumerate(obligations):
                due = o[2]
                if due is None:
                    continue
                paid_on = done[i]
                late = (paid_on if paid_on is not None else as_of) - due
                if late > 0:
                    hits.append(PAYMENT_OVERDUE)
                if paid_on is None and due >= as_of:
                    continue
                pay_due += 1
                if paid_on is not None:
                    paid_n += 1
                    on_time += paid_on <= due
                    days_to_pay += paid_on - o[3]
                elif late > 0:
                    overdue_fen += o[1] - paid[i]
                    overdue_n += 1

        # bonds: only performance bonds take the quick path
        bonds_fen = bonds_n = 0
        bond_terms: list[tuple[float | int, str]] = []
        cov_bond: str | None
        guarantees = c.get("guarantees") or ()
        if not guarantees:
            cov_bond = "no_bond"
        else:
            held = known = 0
            reason: str | None = None
            for g in guarantees:
                gtype = str(g.get("type") or "").lower()
                form = str(g.get("form") or "").lower()
                gv = (g.get("value") or {}).get("amount")
                if (
                    gtype != "performancebond"
                    or not isinstance(gv, _NUMBER)
                    or not (form in _CASH_FORMS or form in _GUARANTEE_FORMS)
                ):
                    return None
                bond_terms.append((gv, form))
                if form in _GUARANTEE_FORMS:
                    continue
                held += 1
                if acc_trigger is None:
                    reason = reason or "no_acceptance_date"
                    continue
                days = self.periods(region, acc_trigger).performance_return_days
                if days is None:
                    reason = reason or "no_return_term"
                    continue
                known += 1
                if as_of > acc_trigger + days:
                    hits.append(BOND_UNRETURNED)
                    bonds_fen += round(gv * 100)
                    bonds_n += 1
            cov_bond = None if known else ("guarantee_not_cash" if not held else reason)

        retention_fen = retention_n = 0
        cov_retention: str | None
        if retention is None:
            cov_retention = "no_retention"
        else:
            fen, months = retention
            base = acc_trigger if acc_trigger is not None else del_trigger
            if months is None or base is None:
                cov_retention = "no_warranty_end"
            else:
                end = add_months(date.fromordinal(base), months).toordinal()
                p = self.periods(region, end)
                days = p.works_return_days if works else p.goods_services_release_days
                if days is None:
                    cov_retention = "no_return_term"
                else:
                    cov_retention = None
                    if as_of > end + days:
                        hits.append(RETENTION_OVERHELD)
                        retention_fen += fen
                        retention_n += 1

        figures = ContractFigures(
            str(buyer_id),
            str(buyer.get("name", "")),
            region,
            amount_fen,
            scale,
            pay_due,
            on_time,
            paid_n,
            days_to_pay,
            overdue_fen,
            overdue_n,
            bonds_fen,
            bonds_n,
            retention_fen,
            retention_n,
        )
        coverage = (
            (PAYMENT_OVERDUE, cov_payment),
            (BOND_UNRETURNED, cov_bond),
            (RETENTION_OVERHELD, cov_retention),
        )
        facts = None
        if self.build_facts:
            amount_d = _decimal(amount)
            warranty = retention[1] if retention is not None else None
            facts = ContractFacts(
                category=_CATEGORY[tender["mainProcurementCategory"]],
                amount=amount_d,
                purchaser_type=PurchaserType.PUBLIC_BODY,
                supplier_size=SCALES[scale] if scale is not None else None,
                signed_on=date.fromordinal(signed),
                jurisdiction=region,
                payment_terms=tuple(
                    PaymentTerm(k, _decimal(v) / amount_d, t, 0, held_months=m, days_agreed=False)
                    for k, t, v, m in terms
                ),
                bonds=tuple(
                    BondTerm(BondKind.PERFORMANCE, _decimal(v) / amount_d, frozenset((BOND_FORMS[f],)))
                    for v, f in bond_terms
                ),
                warranty_months=warranty,
            )
        return QuickResult(figures, coverage, tuple(hits), facts)


QuickAudit = Callable[[dict[str, Any]], QuickResult | None]
