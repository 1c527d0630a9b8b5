"""The batch audit's hot path for the common e-mall release shape, in integers and day ordinals.

It decides, for one release, the figures, the coverage and which rules fire (performance and
mandatory terms), exactly as ``map_release`` + ``rules.audits.audit_contract`` would (tests compare
them on the corpus and on mutated releases), without building dataclasses or Finding objects.
Any release outside the shape returns None: the full path takes it. Every number the rules read
from a policy snapshot is read once per (jurisdiction, pack segment), through the rule functions.
"""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, NamedTuple

import orjson
from msgspec import UNSET

from procurement.ocds.quick_findings import FindingWriter, Payment
from procurement.ocds.quick_policy import (
    BOND_CASH_ONLY,
    BOND_OVER_CAP,
    ONE,
    WORKS_DEFECT_OVER_MAX,
    WORKS_RETENTION_OVER_CAP,
    WORKS_RETENTION_WITH_BOND,
    PolicyDays,
    Unfit,
    above,
    change_days,
)
from procurement.ocds.quick_shape import DECODER, UNREADABLE, Release
from procurement.reports.stats import ContractFigures
from rules.audits import (
    BOND_UNRETURNED,
    NOT_APPLICABLE,
    PAYMENT_OVERDUE,
    PAYMENT_OVERDUE_FORCE,
    RETENTION_OVERHELD,
    TERMS_MANDATORY,
)
from rules.money import over_cap
from rules.payment_clock import PolicyAt
from rules.vocabulary import EventKind

_CATEGORIES = frozenset({"goods", "works", "services"})
_SCALES = frozenset({"micro", "small", "medium", "sme", "large"})
_CASH_FORMS = frozenset({"cash", "cheque", "check"})
_GUARANTEE_FORMS = frozenset({"guarantee", "bankguarantee", "insurance"})
_BOND_FORMS = _CASH_FORMS | _GUARANTEE_FORMS
_DAYS_PER_MONTH = 30.4375
_NUMBER = frozenset({int, float})  # exact types: a JSON true is no amount
_FAR = 10**9

_PAYMENT_HIT = (PAYMENT_OVERDUE, PAYMENT_OVERDUE_FORCE.value)

_new = tuple.__new__


class QuickResult(NamedTuple):
    figures: ContractFigures
    # (rule, None or the reason it could not be evaluated), in ``audit_contract``'s order
    coverage: tuple[tuple[str, str | None], ...]
    hits: tuple[tuple[str, str], ...]  # (rule id, legal force) of the findings, one per finding
    # with ``want_findings`` and hits: the findings as the JSON objects the batch audit writes
    # (``key``, ``ocid``, ``contract_id`` and the rules' finding), in the rules' order
    found: list[bytes] | None = None


class Quick(PolicyDays):
    """Per-process state of the hot path: date and policy caches (``PolicyDays``).

    ``terms_reason`` is None to evaluate the mandatory-term rules, else the coverage reason
    reported for them (``not_requested``, ``terms_engine_missing``). ``changes`` (from
    ``change_days``) lets one policy lookup serve a whole segment; without it, one per day.
    """

    def __init__(
        self,
        policy_at: PolicyAt,
        as_of: date,
        *,
        terms_reason: str | None = None,
        changes: Iterable[int] | None = None,
        payments_unrecorded: bool = False,
        want_findings: bool = False,
    ) -> None:
        super().__init__(policy_at, changes)
        # build the findings of a release with hits (``procurement.ocds.quick_findings``)
        self.want_findings = want_findings
        self.writer = FindingWriter(policy_at, self.changes) if want_findings else None
        # the file records no payment at all (``procurement.batch_audit.unrecorded_in``)
        self.payments_unrecorded = payments_unrecorded
        self.as_of = as_of.toordinal()
        self.terms_reason = terms_reason

    def audit(self, release: dict[str, Any]) -> QuickResult | None:
        """``audit_line`` of a release already read (tests, packages)."""
        return self.audit_line(orjson.dumps(release))

    def audit_line(self, raw: bytes) -> QuickResult | None:
        """The figures, coverage and fired rules of one JSON release, or None if not the common shape."""
        try:
            return self._audit(DECODER.decode(raw))
        except UNREADABLE:
            return None
        except (Unfit, KeyError, ValueError, TypeError, AttributeError, IndexError, OverflowError):
            # whatever the mapping would note or reject, the full path decides
            return None

    def _audit(self, r: Release) -> QuickResult | None:
        contracts = r.contracts
        if contracts is None or len(contracts) != 1 or type(r.ocid) is not str:
            return None
        c = contracts[0]
        if c.status == "cancelled":
            return None  # left out of the figures: the full path reports it
        tender = r.tender
        if tender is None:
            return None
        category = tender.mainProcurementCategory
        if type(category) is not str or category not in _CATEGORIES:
            return None
        works = category == "works"
        buyer_id = r.buyer.id if r.buyer is not None else None
        award_id = c.awardID
        if type(buyer_id) is not str or not buyer_id or type(award_id) is not str:
            return None
        award = None
        for a in r.awards or ():
            if a.id == award_id:
                award = a  # the mapping keeps the last award of an id
        if award is None:
            return None
        suppliers = award.suppliers
        if suppliers is None or len(suppliers) != 1:
            return None
        supplier_id = suppliers[0].id
        if type(supplier_id) is not str or not supplier_id:
            return None
        buyer = supplier = None
        for p in r.parties or ():
            pid = p.id
            if pid is not None and type(pid) is not str:
                return None  # the mapping keys parties by str(id): leave such files to it
            if pid == buyer_id:
                buyer = p  # last one of an id, as the mapping's dict keeps
            if pid == supplier_id:
                supplier = p
        if buyer is None or supplier is None:
            return None
        address = buyer.address  # not an object: not decoded, the full path takes the release
        region = address.region if address is not None else None
        if type(region) is not str or len(region) != 6 or not region.isdigit():
            return None
        details = supplier.details
        scale = details.scale if details is not None else None
        if scale is not None and (type(scale) is not str or scale not in _SCALES):
            return None
        value = c.value
        if value is None:
            return None
        amount: Any = value.amount
        currency = value.currency
        if type(amount) not in _NUMBER or (currency is not UNSET and currency != "CNY") or amount <= 0:
            return None
        amount_fen = round(amount * 100)
        if abs(amount * 100 - amount_fen) > 1e-6:
            return None
        day = self.day
        as_of = self.as_of
        signed_text = c.dateSigned
        if not signed_text:
            return None
        signed = day(signed_text)
        segment = self.segment
        plan = segment(region, signed)  # the terms engine's snapshot; prepayments start here too

        # implementation: the same events the mapping keeps (met milestones, dated payments)
        impl = c.implementation
        delivered = accepted = None
        has_acceptance = False
        for m in (impl.milestones if impl is not None else None) or ():
            mtype = m.type
            title = m.title
            if title and type(title) is not str:
                return None
            if mtype == "assessment" or mtype == "acceptance" or (title and "验收" in title):
                has_acceptance = True
                if m.status in (None, "met") and m.dateMet:
                    on = day(m.dateMet)
                    accepted = on if accepted is None or on < accepted else accepted
            elif mtype == "delivery":
                if m.status in (None, "met") and m.dateMet:
                    on = day(m.dateMet)
                    delivered = on if delivered is None or on < delivered else delivered
            else:
                return None
        payments: list[tuple[int, int]] = []
        paid_total = 0
        transactions = (impl.transactions if impl is not None else None) or ()
        for t in transactions:
            tv: Any = t.value.amount if t.value is not None else None
            if type(tv) not in _NUMBER or not t.date:
                return None
            on = day(t.date)
            if on < signed:
                return None  # the rules raise the error with its message
            fen = round(tv * 100)
            if abs(tv * 100 - fen) > 1e-6:
                return None  # sub-cent amounts: the rules' Decimal rounding decides
            paid_total += fen
            if on <= as_of:
                payments.append((on, fen))
        if paid_total >= amount_fen + len(transactions):
            return None  # overpaid (the rules raise) or too close to tell in whole fen
        if len(payments) > 1:
            if len(payments) == 2:  # the usual case, without a sort (stable: equal dates keep order)
                if payments[1][0] < payments[0][0]:
                    payments.reverse()
            else:
                payments.sort(key=lambda x: x[0])
        acc_trigger = accepted if accepted is not None and accepted <= as_of else None
        del_trigger = delivered if delivered is not None and delivered <= as_of else None

        # payment terms: [sort key, amount, due or None, clock start or None, missing,
        #                 milestone index, stated amount, code]
        obligations: list[list[Any]] = []
        retention: tuple[int, int | None, float | int] | None = None
        retention_index = -1
        for index, pm in enumerate(c.milestones or ()):
            code = pm.code
            mv: Any = pm.value.amount if pm.value is not None else None
            if type(mv) not in _NUMBER or mv < 0 or above(mv, amount, ONE):
                return None  # the terms rules reject a rate outside 0-100%
            fen = round(mv * 100)
            if abs(mv * 100 - fen) > 1e-6:
                return None
            if code == "retention":
                if retention is not None:
                    return None
                due_after = pm.dueAfterDate
                months = None
                if due_after and accepted is not None:
                    months = round((day(due_after) - accepted) / _DAYS_PER_MONTH)
                    if months < 0:
                        return None
                retention = (fen, months, mv)
                retention_index = index
            elif code == "prepayment":
                obligations.append([signed, fen, None, signed, "no_agreed_term", index, mv, code])
            elif code == "postpayment":
                start = acc_trigger if has_acceptance else del_trigger
                if start is None:
                    missing = "no_acceptance_date" if has_acceptance else "no_delivery_date"
                    obligations.append([None, fen, None, None, missing, index, mv, code])
                    continue
                due = start + segment(region, start).payment_days
                if not segment(region, due).interest_known:
                    return None
                obligations.append([due, fen, due, start, None, index, mv, code])
            else:
                return None

        hits: list[tuple[str, str]] = []
        late_terms: list[Payment] = []
        want = self.writer is not None
        force = plan.forces
        cov_payment: str | None
        pay_due = on_time = paid_n = days_to_pay = overdue_fen = overdue_n = 0
        if scale is None:
            cov_payment = "no_scale"
        elif scale == "large":
            cov_payment = "not_sme_public_body"
        elif self.payments_unrecorded:
            cov_payment = NOT_APPLICABLE[EventKind.PAID]
        elif not obligations:
            cov_payment = "no_payment_terms"
        else:
            cov_payment = obligations[0][4]
            for o in obligations:
                if o[2] is not None:
                    cov_payment = None
                    break
            # allocate payments earliest due (or clock start) first, as the rules do
            n = len(obligations)
            order: list[int]
            if n == 1:
                order = [0]
            elif n == 2:  # the usual prepayment + final, without a sort
                k0, k1 = obligations[0][0], obligations[1][0]
                order = [1, 0] if (_FAR if k1 is None else k1) < (_FAR if k0 is None else k0) else [0, 1]
            else:
                order = sorted(
                    range(n), key=lambda i: (obligations[i][0] if obligations[i][0] is not None else _FAR, i)
                )
            paid = [0] * n
            done: list[int | None] = [None] * n
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
                    hits.append(_PAYMENT_HIT)
                    if want:
                        late_terms.append(Payment(o[5], o[7], o[6], o[3], due, paid[i], paid_on))
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
        bonds: list[tuple[float | int, str]] = []
        cov_bond: str | None
        guarantees = c.guarantees or ()
        if not guarantees:
            cov_bond = "no_bond"
        else:  # OCDS records no bond returns (``mapping.UNRECORDED``): bonds are only read here
            held = 0
            for g in guarantees:
                gtype = g.type
                form = g.form
                gv: Any = g.value.amount if g.value is not None else None
                if type(gtype) is not str or type(form) is not str or type(gv) not in _NUMBER:
                    return None
                form = form.lower()
                if gtype.lower() != "performancebond" or form not in _BOND_FORMS:
                    return None
                if gv < 0 or above(gv, amount, ONE) or abs(gv * 100 - round(gv * 100)) > 1e-6:
                    return None  # the terms rules reject a rate outside 0-100%
                bonds.append((gv, form))
                held += form not in _GUARANTEE_FORMS
            cov_bond = NOT_APPLICABLE[EventKind.BOND_RETURNED] if held else "guarantee_not_cash"

        # OCDS records no retention release either (a release is a payment, judged above)
        cov_retention = "no_retention" if retention is None else NOT_APPLICABLE[EventKind.RETENTION_RELEASED]

        # mandatory terms (``rules.terms.mandatory_findings``), on the pack in force at signing
        cov_terms = self.terms_reason
        if cov_terms is None:
            for gv, form in bonds:
                if plan.bond_cap is not None and over_cap(round(gv * 100), amount_fen, plan.bond_cap.value):
                    hits.append((BOND_OVER_CAP, force[BOND_OVER_CAP]))
                if plan.cash_bond_banned and form == "cash" and gv > 0:
                    hits.append((BOND_CASH_ONLY, force[BOND_CASH_ONLY]))
            if works and retention is not None:
                fen, months, _ = retention
                retention_cap = plan.works_retention_cap
                if retention_cap is not None and over_cap(fen, amount_fen, retention_cap.value):
                    hits.append((WORKS_RETENTION_OVER_CAP, force[WORKS_RETENTION_OVER_CAP]))
                cap = plan.works_defect_months
                if cap is not None and months is not None and months > cap:
                    hits.append((WORKS_DEFECT_OVER_MAX, force[WORKS_DEFECT_OVER_MAX]))
                if (
                    plan.retention_with_bond_banned
                    and fen > 0
                    and any(round(gv * 100) > 0 for gv, _ in bonds)
                ):
                    hits.append((WORKS_RETENTION_WITH_BOND, force[WORKS_RETENTION_WITH_BOND]))

        # tuple.__new__ skips the named tuples' Python-level __new__: the same objects, cheaper
        figures = _new(
            ContractFigures,
            (
                buyer_id,
                "" if buyer.name is UNSET else str(buyer.name),
                region,
                amount_fen,
                scale,
                pay_due,
                on_time,
                paid_n,
                days_to_pay,
                overdue_fen,
                overdue_n,
                0,  # unreturned bonds and over-held retention: not judged on OCDS (see above)
                0,
                0,
                0,
            ),
        )
        coverage = (
            (PAYMENT_OVERDUE, cov_payment),
            (BOND_UNRETURNED, cov_bond),
            (RETENTION_OVERHELD, cov_retention),
            (TERMS_MANDATORY, cov_terms),
        )
        found = None
        writer = self.writer
        if writer is not None and hits:
            found = writer.build(
                ocid=r.ocid,
                contract_id="0" if c.id is UNSET else str(c.id),
                region=region,
                amount=amount,
                signed=signed,
                accepted=has_acceptance,
                as_of=as_of,
                payments=late_terms,
                paid_amounts=[t.value.amount for t in transactions if t.value is not None],
                bonds=bonds,
                retention=retention if works else None,
                retention_index=retention_index,
                hits=hits,
            )
            if found is None:
                return None  # the full path builds them
        return _new(QuickResult, (figures, coverage, tuple(hits), found))


QuickAudit = Callable[[dict[str, Any]], QuickResult | None]

__all__ = ["Quick", "QuickAudit", "QuickResult", "change_days"]
