"""The contract-terms findings of the batch audit's hot path, as the JSON the terms engine's give.

``rules.terms._findings`` for the shapes the hot path takes (performance bonds and a works retention
term): the same decisions, on amounts in whole fen (``rules.money.over_cap``, as the engine's
``rate_over_cap`` gives for a rate derived from a whole-fen amount), and the same texts: the
engine's templates rendered by the engine (``rules.terms._finding_texts``), its rates in Decimal
(``Decimal(bond) / Decimal(contract)``, as the mapping reads amounts), and the fixed part of each
finding (rule, category, force, citations, version) taken once per pack segment from a finding the
engine's ``_finding`` builds itself.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import orjson

from rules.findings import Finding
from rules.money import over_cap
from rules.terms import _BOND_ZH, _finding, _finding_texts, pct  # the engine's own texts
from rules.vocabulary import BondKind

_PERFORMANCE_EN = f"{BondKind.PERFORMANCE} bond"
_CACHED = 100_000

BOND_OVER_CAP = "terms.bond.over_cap"
BOND_CASH_ONLY = "terms.bond.cash_only"
WORKS_RETENTION_OVER_CAP = "terms.retention.works_over_cap"
WORKS_DEFECT_OVER_MAX = "terms.retention.works_defect_over_max"
WORKS_RETENTION_WITH_BOND = "terms.retention.with_performance_bond"
# rule id -> (the engine's template, its plan's parameter, arguments that fill the template)
_RULES: dict[str, tuple[str, str, dict[str, Any]]] = {
    BOND_OVER_CAP: ("bond.over_cap", "bond_max", {"rate": "", "cap": ""}),
    BOND_CASH_ONLY: ("bond.cash_only", "non_cash", {"bond_zh": "", "bond_en": ""}),
    WORKS_RETENTION_OVER_CAP: ("retention.works_over_cap", "ret_works_max", {"rate": "", "cap": ""}),
    WORKS_DEFECT_OVER_MAX: ("retention.works_defect_over_max", "ret_works_defect", {"months": 0, "cap": 0}),
    WORKS_RETENTION_WITH_BOND: (
        "retention.with_performance_bond",
        "ret_with_bond_banned",
        {"bond": "", "retention": ""},
    ),
}


def decimal(number: float | int) -> Decimal:
    """An OCDS amount as the mapping reads it (``procurement.ocds.mapping._amount``)."""
    return Decimal(repr(number)) if type(number) is float else Decimal(number)


def whole_fen(number: Any) -> bool:
    """Whether the amount's Decimal (``decimal``) has at most two decimals: with more, the rules'
    sums are not whole fen and only the full path gives their exact text."""
    if type(number) is not float:
        return True  # an int
    text = repr(number)
    dot = text.find(".")
    return "e" not in text and (dot < 0 or len(text) - dot <= 3)


def _fixed(f: Finding) -> tuple[bytes, bytes]:
    """A finding's JSON before its message (from ``"rule_id"``) and after its evidence."""
    head = orjson.dumps(
        {
            "rule_id": f.rule_id,
            "category": f.category,
            "legal_force": f.legal_force,
            "severity": f.severity,
            "citations": f.citations,
        }
    )
    return head[1:-1] + b",", b',"policy_version":' + orjson.dumps(f.policy_version) + b"}"


class TermsWriter:
    """The terms findings of one pack segment's plan (``rules.terms._plan``), with the texts the
    engine renders kept by their arguments (rates recur to two decimals)."""

    def __init__(self, plan: Any) -> None:
        self.plan = plan
        self._fixed: dict[str, tuple[bytes, bytes]] = {}
        self._texts: dict[tuple[str, tuple[tuple[str, Any], ...]], bytes] = {}

    def _head_tail(self, rule: str) -> tuple[bytes, bytes]:
        found = self._fixed.get(rule)
        if found is None:
            template, name, args = _RULES[rule]
            param = getattr(self.plan, name)
            plan = self.plan
            sample = _finding(rule, template, param.legal_force, param.citations, plan.version, {}, **args)
            found = self._fixed[rule] = _fixed(sample)
        return found

    def _body(self, rule: str, evidence: bytes, args: tuple[tuple[str, Any], ...]) -> bytes:
        """JSON from ``"rule_id"`` to the closing brace; ``evidence`` is already JSON."""
        key = (rule, args)
        texts = self._texts.get(key)
        if texts is None:
            zh, en, remedy_zh, remedy_en = _finding_texts(_RULES[rule][0], args)
            message = orjson.dumps({"zh": zh, "en": en})
            texts = b'"message":%b,"remedy":%b,' % (message, orjson.dumps({"zh": remedy_zh, "en": remedy_en}))
            if len(self._texts) < _CACHED:
                self._texts[key] = texts
        head, tail = self._head_tail(rule)
        return b'%b%b"evidence":%b%b' % (head, texts, evidence, tail)

    def findings(
        self,
        amount: float | int,
        amount_fen: int,
        bonds: Sequence[tuple[float | int, str]],
        retention: tuple[int, int | None, float | int] | None,
        retention_index: int,
    ) -> list[tuple[str, str, bytes]] | None:
        """(rule id, subject, JSON from ``"rule_id"`` on) of each finding in the engine's order,
        or None where the engine's Decimal texts are not those of whole-fen amounts."""
        plan = self.plan
        out: list[tuple[str, str, bytes]] = []
        whole = decimal(amount)
        non_cash = plan.non_cash is not None and plan.non_cash.value
        bond_max = plan.bond_max
        bond_fens = []
        for i, (gv, form) in enumerate(bonds):
            if not whole_fen(gv):
                return None
            gv_fen = round(gv * 100)
            bond_fens.append(gv_fen)
            if bond_max is not None and over_cap(gv_fen, amount_fen, bond_max.value):
                rate, cap = decimal(gv) / whole, bond_max.value
                field = f"bonds[{i}].rate"
                evidence = f'{{"field":"{field}","rate":"{rate}","cap":"{cap}"}}'.encode()
                body = self._body(BOND_OVER_CAP, evidence, (("rate", pct(rate)), ("cap", pct(cap))))
                out.append((BOND_OVER_CAP, field, body))
            if non_cash and form == "cash" and gv > 0:
                field = f"bonds[{i}].forms"
                args = (("bond_zh", _BOND_ZH[BondKind.PERFORMANCE]), ("bond_en", _PERFORMANCE_EN))
                evidence = b'{"field":"bonds[%d].forms","forms":["cash"]}' % i
                out.append((BOND_CASH_ONLY, field, self._body(BOND_CASH_ONLY, evidence, args)))
        if retention is None:
            return out
        ret_fen, months, ret_amount = retention
        if not whole_fen(ret_amount):
            return None
        works_cap = plan.ret_works_max
        if works_cap is not None and over_cap(ret_fen, amount_fen, works_cap.value):
            rate, cap = decimal(ret_amount) / whole, works_cap.value
            field = f"payment_terms[{retention_index}].rate"
            evidence = f'{{"field":"{field}","rate":"{rate}","cap":"{cap}"}}'.encode()
            body = self._body(WORKS_RETENTION_OVER_CAP, evidence, (("rate", pct(rate)), ("cap", pct(cap))))
            out.append((WORKS_RETENTION_OVER_CAP, field, body))
        defect = plan.ret_works_defect
        if defect is not None and months is not None and months > defect.value:
            field = f"payment_terms[{retention_index}].held_months"
            evidence = f'{{"field":"{field}","months":{months}}}'.encode()
            body = self._body(WORKS_DEFECT_OVER_MAX, evidence, (("months", months), ("cap", defect.value)))
            out.append((WORKS_DEFECT_OVER_MAX, field, body))
        banned = plan.ret_with_bond_banned
        if banned is not None and banned.value and ret_fen > 0:
            bond = next((i for i, f in enumerate(bond_fens) if f > 0), None)
            if bond is not None:
                bond_rate, rate = decimal(bonds[bond][0]) / whole, decimal(ret_amount) / whole
                field = f"bonds[{bond}]"
                evidence = (
                    f'{{"field":"{field}","bond_rate":"{bond_rate}",'
                    f'"retention_field":"payment_terms[{retention_index}]","retention_rate":"{rate}"}}'
                ).encode()
                args = (("bond", pct(bond_rate)), ("retention", pct(rate)))
                out.append(
                    (WORKS_RETENTION_WITH_BOND, field, self._body(WORKS_RETENTION_WITH_BOND, evidence, args))
                )
        return out
