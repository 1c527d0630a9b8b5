"""The findings of the batch audit's hot path, written as the JSON lines the rules' findings give.

The hot path (``procurement.ocds.quick``) decides which rules fire on a release of the common shape
without mapping it. When the findings are to be written, ``FindingWriter`` turns its decisions into
the bytes ``procurement.batch_audit.evaluating`` writes for the rules' ``Finding`` objects, byte for
byte (``tests/unit/test_batch_golden.py``, ``tests/unit/test_quick_findings.py``), at a fraction of
their cost:

- an overdue payment (``rules.audits.payment_finding``) is formatted from whole fen and day
  ordinals, in integers; what the policy says on a day (citations, version, interest rate) and the
  finding's fixed texts are encoded once per pack segment;
- the contract-terms findings likewise, with the terms engine's texts and Decimal rates
  (``procurement.ocds.quick_terms``).

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

from procurement.ocds.quick_terms import TermsWriter, whole_fen
from rules.audits import PAYMENT_OVERDUE, payment_finding
from rules.findings import Finding
from rules.payment_clock import Obligation, PaymentStatus, PolicyAt, late_interest, statutory_days
from rules.terms import _plan
from rules.vocabulary import PaymentKind, Trigger

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


def _yuan(fen: int) -> bytes:
    """``str`` of a non-negative Decimal amount with two decimals, from whole fen."""
    return b"%d.%02d" % divmod(fen, 100)


def _money(fen: int) -> bytes:
    """``rules.audits._money`` (``f"{amount:,.2f}"``) from non-negative whole fen."""
    return f"{fen // 100:,}.{fen % 100:02d}".encode()


# ``rules.audits.payment_finding``'s message and evidence, as bytes: the findings are written in
# UTF-8, and joining bytes never widens a string to hold the Chinese text
_PAYMENT = (
    '"message":{"zh":"应于 %b 支付的款项 %b 元逾期 %d 天（%b），逾期利息 %b 元",'
    '"en":"payment of %b due on %b is %d days late (%b); late interest %b"},"remedy":%b,'
    '"evidence":{"record":%b,"term_index":%d,"kind":%b,"amount":"%b","trigger":"%b",'
    '"clock_start_on":"%b","agreed_due_on":null,"legal_due_on":"%b","due_on":"%b","paid_on":%b,'
    '"outstanding":"%b","days_late":%d,"late_interest":"%b","daily_rate":"%b",'
    '"acceptance_late":false,"approximate":false}'
).encode()
_PAID_ZH = "于 %b 付清".encode()
_OWED_ZH = "尚欠 %b 元".encode()
_FINDING = b'{"key":%b,"ocid":%b,"contract_id":%b,%b'
_KIND_JSON = {code: orjson.dumps(kind.value) for code, kind in _KINDS.items()}


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
        self._clock: dict[Any, tuple[bytes, bytes]] = {}  # (region, span, trigger) -> head, tail
        self._rates: dict[Any, tuple[Decimal, int, int, bool, bytes]] = {}
        self._plans: dict[Any, Any] = {}
        self._days: dict[int, bytes] = {}
        t = _payment_template()
        self._remedy = orjson.dumps({"zh": t.remedy_zh, "en": t.remedy_en})
        fixed = {"rule_id": t.rule_id, "category": t.category, "legal_force": t.legal_force}
        self._fixed = orjson.dumps({**fixed, "severity": t.severity})[1:-1] + b","

    def _span(self, on: int) -> int:
        changes = self.changes
        return bisect_right(changes, on) if changes is not None else on

    def _iso(self, on: int) -> bytes:
        found = self._days.get(on)
        if found is None:
            found = date.fromordinal(on).isoformat().encode()
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
        ocid_json = orjson.dumps(ocid)
        # (rule id, subject as ``procurement.findings.identity.subject_of`` names it, the rest)
        found: list[tuple[str, str, bytes]] = []
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
            found += terms
        if [rule for rule, _, _ in found] != [rule for rule, _ in hits]:
            return None  # not what the hot path decided: the full path decides
        scope = f"ocds:{ocid}:{contract_id}"
        contract_json = orjson.dumps(contract_id)
        out: list[bytes] = []
        seen: dict[str, int] = {}
        for rule, subject, body in found:
            key = f"{scope}:{rule}:{subject}"
            n = seen[key] = seen.get(key, 0) + 1  # as ``identity.keyed`` tells repeats apart
            if n > 1:
                key = f"{key}#{n}"
            out.append(_FINDING % (orjson.dumps(key), ocid_json, contract_json, body))
        return out

    def _payment(self, p: Payment, ocid_json: bytes, region: str, accepted: bool, as_of: int) -> bytes | None:
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
                self._fixed + b'"citations":' + orjson.dumps(citations) + b",",
                b',"policy_version":' + orjson.dumps(snap.version) + b"}",
            )
        rate_key = (region, self._span(p.due))
        rate = self._rates.get(rate_key)
        if rate is None:
            value = Decimal(str(self.policy_at(region, date.fromordinal(p.due)).value(_RATE)))
            numerator, denominator = value.as_integer_ratio()
            # the integer shortcut is exact while the Decimal product keeps every digit
            exact = numerator >= 0 and len(value.as_tuple().digits) <= 7
            rate = self._rates[rate_key] = (value, numerator, denominator, exact, str(value).encode())
        daily_rate, numerator, denominator, exact, rate_text = rate
        outstanding = amount - p.paid
        base = amount if p.paid_on is not None else outstanding
        if exact:
            interest = (2 * base * numerator * late + denominator) // (2 * denominator)  # half up
            interest_text, interest_money = _yuan(interest), _money(interest)
        else:  # a rate the integer shortcut does not cover: the rules' own Decimal arithmetic
            value = late_interest(Decimal(base).scaleb(-2), late, daily_rate)
            interest_text, interest_money = str(value).encode(), f"{value:,.2f}".encode()
        due = self._iso(p.due)
        amount_text = _yuan(amount)
        if p.paid_on is not None:
            paid_on = self._iso(p.paid_on)
            state_zh, state_en, paid_json = _PAID_ZH % paid_on, b"paid on " + paid_on, b'"%b"' % paid_on
        else:
            state_zh = _OWED_ZH % _money(outstanding)
            state_en, paid_json = _yuan(outstanding) + b" outstanding", b"null"
        head, tail = clock
        return (
            head
            + _PAYMENT
            % (
                due,
                _money(amount),
                late,
                state_zh,
                interest_money,
                amount_text,
                due,
                late,
                state_en,
                interest_text,
                self._remedy,
                ocid_json,
                p.index,
                _KIND_JSON[p.kind],
                amount_text,
                trigger.value.encode(),
                self._iso(p.start),
                due,
                due,
                paid_json,
                _yuan(outstanding),
                late,
                interest_text,
                rate_text,
            )
            + tail
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
        writer = self._plans.get((region, span))
        if writer is None:
            snapshot: Any = self.policy_at(region, date.fromordinal(signed))  # a rules.policy snapshot
            writer = self._plans[(region, span)] = TermsWriter(_plan(snapshot))
        return writer.findings(amount, round(amount * 100), bonds, retention, retention_index)


_RATE = "payment.late_interest.default_daily_rate"
