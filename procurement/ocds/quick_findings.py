"""The findings of the batch audit's hot path, written as the JSON lines the rules' findings give.

The hot path (``procurement.ocds.quick``) decides which rules fire on a release of the common shape
without mapping it. When the findings are to be written, ``FindingWriter`` turns its decisions into
the bytes ``procurement.batch_audit.evaluating`` writes for the rules' ``Finding`` objects, byte for
byte (``tests/unit/test_batch_golden.py``, ``tests/unit/test_quick_findings.py``), at a fraction of
their cost:

- an overdue payment (``rules.audits.payment_finding``) is formatted from whole fen and day
  ordinals, in integers; what the policy says on a day (citations, version, interest rate) and the
  finding's fixed texts are encoded once per pack segment;
- the contract-terms findings are built by the terms engine's own finding functions, fed the same
  Decimal amounts as the mapping (``procurement.ocds.quick_terms``).

Whatever it cannot build exactly (an amount that is not whole fen in Decimal, a hit it does not
know, amounts too large for the integer shortcuts) it declines with None, and the release takes the
full path.
"""

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from procurement.ocds.quick_terms import decimal, terms_findings, whole_fen
from rules.audits import PAYMENT_OVERDUE, payment_finding
from rules.findings import Finding
from rules.payment_clock import Obligation, PaymentStatus, PolicyAt, late_interest, statutory_days
from rules.terms import _plan
from rules.vocabulary import PaymentKind, Severity, Trigger

_KINDS = {"prepayment": PaymentKind.PREPAYMENT, "postpayment": PaymentKind.FINAL}
_CACHED = 100_000  # entries per cache: bounded whatever the file
# below these, float -> fen and the rules' Decimal arithmetic agree with the integer shortcuts
_MAX_FEN = 10**14
_MAX_DAYS = 10**6


class Payment:
    """What the hot path knows of one payment obligation with a due date (day ordinals, fen)."""

    __slots__ = ("amount", "due", "index", "kind", "paid", "paid_on", "start")

    def __init__(
        self, index: int, kind: str, amount: Any, start: int, due: int, paid: int, paid_on: int | None
    ):
        self.index, self.kind, self.amount = index, kind, amount
        self.start, self.due, self.paid, self.paid_on = start, due, paid, paid_on


_WHOLE: dict[float, bool] = {}


def _whole_fen(number: Any) -> bool:
    """``quick_terms.whole_fen``, kept per float: the same amounts recur."""
    if type(number) is not float:
        return True  # an int
    found = _WHOLE.get(number)
    if found is None:
        found = whole_fen(number)
        if len(_WHOLE) < _CACHED:
            _WHOLE[number] = found
    return found


def _yuan(fen: int) -> str:
    """``str`` of a non-negative Decimal amount with two decimals, from whole fen."""
    return f"{fen // 100}.{fen % 100:02d}"


def _money(fen: int) -> str:
    """``rules.audits._money`` (``f"{amount:,.2f}"``) from non-negative whole fen."""
    return f"{fen // 100:,}.{fen % 100:02d}"


def _payment_template() -> Finding:
    """A finding of ``payment_finding`` itself: its fixed parts (category, remedy, force) are read
    from it, so the texts stay the rules' own."""
    day = date(2000, 1, 1)
    zero = Decimal("0.00")
    o = Obligation(0, PaymentKind.FINAL, zero, Trigger.ACCEPTANCE, day, day)
    return payment_finding(PaymentStatus(o, zero, None, zero, 1, zero, zero))


class FindingWriter:
    """Per-process caches of the hot path's findings; ``changes`` are the pack change days
    (``quick.change_days``): what the policy says is kept per segment between them."""

    def __init__(self, policy_at: PolicyAt, changes: tuple[int, ...] | None = None) -> None:
        self.policy_at = policy_at
        self.changes = changes
        self._clock: dict[Any, tuple[str, str]] = {}  # (region, span, trigger) -> head, tail of a line
        self._rates: dict[Any, tuple[Decimal, int, int, str]] = {}
        self._plans: dict[Any, Any] = {}
        self._days: dict[int, str] = {}
        t = _payment_template()
        self._remedy = orjson.dumps({"zh": t.remedy_zh, "en": t.remedy_en}).decode()
        self._fixed = (
            f'"rule_id":"{PAYMENT_OVERDUE}","category":{orjson.dumps(t.category).decode()},'
            f'"legal_force":"{t.legal_force.value}","severity":"{Severity.of(t.legal_force).value}",'
        )

    def _span(self, on: int) -> int:
        changes = self.changes
        return bisect_right(changes, on) if changes is not None else on

    def _iso(self, on: int) -> str:
        found = self._days.get(on)
        if found is None:
            found = date.fromordinal(on).isoformat()
            if len(self._days) < _CACHED:
                self._days[on] = found
        return found

    def build(
        self,
        *,
        ocid: str,
        contract_id: str,
        region: str,
        amount: float | int,
        signed: int,
        accepted: bool,
        as_of: int,
        payments: Sequence[Payment],
        paid_amounts: Sequence[Any],
        bonds: Sequence[tuple[float | int, str]],
        retention: tuple[int, int | None, float | int] | None,
        retention_index: int,
        hits: Sequence[tuple[str, str]],
    ) -> list[bytes] | None:
        """The findings of ``hits`` in the rules' order as JSON objects (``key``, ``ocid``,
        ``contract_id`` and the finding's ``as_dict``), or None when they cannot be built exactly.

        ``payments`` are the overdue obligations (in term order), ``paid_amounts`` every payment of
        the release, ``bonds`` its performance bonds (amount, form), ``retention`` its retention
        term (fen, months held, amount) at milestone ``retention_index``.
        """
        if not _whole_fen(amount) or not all(_whole_fen(p) for p in paid_amounts):
            return None
        if round(amount * 100) >= _MAX_FEN:
            return None
        ocid_json = orjson.dumps(ocid).decode()
        # (rule id, subject as ``procurement.findings.identity.subject_of`` names it, the rest)
        found: list[tuple[str, str, str]] = []
        for p in payments:
            if not _whole_fen(p.amount):
                return None
            body = self._payment(p, ocid_json, region, accepted, as_of)
            if body is None:
                return None
            found.append((PAYMENT_OVERDUE, f"term:{p.index}", body))
        if len(found) < len(hits):
            terms = self._terms_of(region, signed, amount, bonds, retention, retention_index)
            if terms is None:
                return None
            found += [(rule, subject, body.decode()) for rule, subject, body in terms]
        if [rule for rule, _, _ in found] != [rule for rule, _ in hits]:
            return None  # not what the hot path decided: the full path decides
        scope = f"ocds:{ocid}:{contract_id}"
        head = f',"ocid":{ocid_json},"contract_id":{orjson.dumps(contract_id).decode()},'
        out: list[bytes] = []
        seen: dict[str, int] = {}
        for rule, subject, body in found:
            key = f"{scope}:{rule}:{subject}"
            n = seen[key] = seen.get(key, 0) + 1  # as ``identity.keyed`` tells repeats apart
            if n > 1:
                key = f"{key}#{n}"
            out.append(f'{{"key":{orjson.dumps(key).decode()}{head}{body}'.encode())
        return out

    def _payment(self, p: Payment, ocid_json: str, region: str, accepted: bool, as_of: int) -> str | None:
        """``payment_finding`` of an overdue obligation, from ``"rule_id"`` to the closing brace."""
        amount = round(p.amount * 100)
        late = (p.paid_on if p.paid_on is not None else as_of) - p.due
        if not 0 <= p.paid <= amount < _MAX_FEN or not 0 < late < _MAX_DAYS:
            return None
        if p.kind == "prepayment":
            trigger = Trigger.SIGNING
        else:
            trigger = Trigger.ACCEPTANCE if accepted else Trigger.DELIVERY
        clock_key = (region, self._span(p.start), trigger)
        clock = self._clock.get(clock_key)
        if clock is None:
            snap: Any = self.policy_at(region, date.fromordinal(p.start))
            _, citations = statutory_days(snap, trigger, False, True)
            if not citations:
                citations = tuple(snap.param("payment.sme.max_days").citations)
            clock = self._clock[clock_key] = (
                f'{self._fixed}"citations":{orjson.dumps(citations).decode()},',
                f',"policy_version":{orjson.dumps(snap.version).decode()}}}',
            )
        rate_key = (region, self._span(p.due))
        rate = self._rates.get(rate_key)
        if rate is None:
            value = Decimal(str(self.policy_at(region, date.fromordinal(p.due)).value(_RATE)))
            numerator, denominator = value.as_integer_ratio()
            rate = self._rates[rate_key] = (value, numerator, denominator, str(value))
        daily_rate, numerator, denominator, rate_text = rate
        outstanding = amount - p.paid
        base = amount if p.paid_on is not None else outstanding
        product = base * numerator * late
        if numerator >= 0 and len(daily_rate.as_tuple().digits) <= 7:
            interest = (2 * product + denominator) // (2 * denominator)  # exact: half up, as quantize
            interest_text, interest_money = _yuan(interest), _money(interest)
        else:  # a rate the integer shortcut does not cover: the rules' own Decimal arithmetic
            exact = late_interest(Decimal(base).scaleb(-2), late, daily_rate)
            interest_text, interest_money = str(exact), f"{exact:,.2f}"
        due = self._iso(p.due)
        amount_text = _yuan(amount)
        if p.paid_on is not None:
            paid_on = self._iso(p.paid_on)
            state_zh, state_en, paid_json = f"于 {paid_on} 付清", f"paid on {paid_on}", f'"{paid_on}"'
        else:
            state_zh = f"尚欠 {_money(outstanding)} 元"
            state_en, paid_json = f"{_yuan(outstanding)} outstanding", "null"
        head, tail = clock
        return (
            f'{head}"message":{{"zh":"应于 {due} 支付的款项 {_money(amount)} 元'
            f"逾期 {late} 天（{state_zh}），逾期利息 {interest_money} 元"
            f'","en":"payment of {amount_text} due on {due} is {late} days late ({state_en}); '
            f'late interest {interest_text}"}},"remedy":{self._remedy},"evidence":{{"record":{ocid_json},'
            f'"term_index":{p.index},"kind":"{_KINDS[p.kind].value}","amount":"{amount_text}",'
            f'"trigger":"{trigger.value}","clock_start_on":"{self._iso(p.start)}","agreed_due_on":null,'
            f'"legal_due_on":"{due}","due_on":"{due}","paid_on":{paid_json},'
            f'"outstanding":"{_yuan(outstanding)}","days_late":{late},"late_interest":"{interest_text}",'
            f'"daily_rate":"{rate_text}","acceptance_late":false,"approximate":false}}{tail}'
        )

    def _terms_of(
        self,
        region: str,
        signed: int,
        amount: float | int,
        bonds: Sequence[tuple[float | int, str]],
        retention: tuple[int, int | None, float | int] | None,
        retention_index: int,
    ) -> list[tuple[str, str, bytes]] | None:
        """The terms findings as (rule id, subject, JSON from ``"rule_id"`` on)."""
        span = self._span(signed)
        plan = self._plans.get((region, span))
        if plan is None:
            snapshot: Any = self.policy_at(region, date.fromordinal(signed))  # a rules.policy snapshot
            plan = self._plans[(region, span)] = _plan(snapshot)
        findings = terms_findings(plan, decimal(amount), bonds, retention, retention_index)
        if findings is None:
            return None
        return [(f.rule_id, str(f.evidence["field"]), _rest(f)) for f in findings]


_RATE = "payment.late_interest.default_daily_rate"


def _rest(f: Finding) -> bytes:
    """A terms finding's ``as_dict`` as JSON without its opening brace (``"rule_id"`` on)."""
    return orjson.dumps(
        {
            "rule_id": f.rule_id,
            "category": f.category,
            "legal_force": f.legal_force,
            "severity": f.severity,
            "citations": f.citations,
            "message": {"zh": f.message_zh, "en": f.message_en},
            "remedy": {"zh": f.remedy_zh, "en": f.remedy_en},
            "evidence": dict(f.evidence),
            "policy_version": f.policy_version,
        },
        default=str,
    )[1:]
