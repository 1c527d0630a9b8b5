"""Names a threshold that only a firm above the SME ceiling of the size table can meet.

The ceilings are the policy pack's size table (``rules.size_table``), handed in by the caller.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rules.barriers.catalogue import SizeTexts
from rules.barriers.normalize import Comparator, Quantity, QuantityKind
from rules.size_table import SizeTable
from rules.vocabulary import Industry

_YUAN_PER_WAN = Decimal(10_000)


def ceilings_for(table: SizeTable | None, industry: str | None) -> Mapping[str, Decimal] | None:
    """The SME ceilings (measure -> value in the table's unit) of ``industry``, if known."""
    if table is None or industry is None:
        return None
    try:
        thresholds = table.industries.get(Industry(industry))
    except ValueError:  # not one of the 16 industries of the size table
        return None
    return None if thresholds is None else {m.value: v for m, v in thresholds.sme_ceiling.items()}


def threshold_in_table_unit(measure: str, quantity: Quantity) -> Decimal | None:
    """A clause's lower bound for ``measure`` in the size table's unit (persons or 万元)."""
    if quantity.comparator not in (Comparator.GE, Comparator.GT, None):
        return None
    if measure == "employees" and quantity.kind is QuantityKind.COUNT:
        return quantity.value
    if measure.endswith("_wan") and quantity.kind is QuantityKind.AMOUNT:
        return quantity.value / _YUAN_PER_WAN
    return None


def size_check(
    size: SizeTexts,
    industry: str,
    ceilings: Mapping[str, Decimal],
    thresholds: Mapping[str, Decimal],
) -> dict[str, Any] | None:
    """Compare the clause's lower bounds with the ceilings; None when no bound reaches one.

    An SME is under the ceiling on at least one measure, so a clause shuts out every SME only when
    it reaches the ceiling on every measure the industry uses; reaching one names that measure.
    """
    beyond = {m: t for m, t in thresholds.items() if m in ceilings and t >= ceilings[m]}
    if not beyond:
        return None
    excludes_all = set(ceilings) <= set(beyond)
    texts_zh, texts_en = [], []
    for measure, threshold in beyond.items():
        names = size.measures[measure]
        values = {
            "industry": industry,
            "threshold": format(threshold.normalize(), "f"),
            "ceiling": format(ceilings[measure].normalize(), "f"),
            "measure_zh": names["zh"],
            "measure_en": names["en"],
            "unit_zh": names["unit_zh"],
            "unit_en": names["unit_en"],
        }
        texts_zh.append(size.beyond_ceiling_zh.format(**values))
        texts_en.append(size.beyond_ceiling_en.format(**values))
    if excludes_all:
        texts_zh.append(size.excludes_all_zh.format(industry=industry))
        texts_en.append(size.excludes_all_en.format(industry=industry))
    return {
        "industry": industry,
        "beyond_sme_ceiling": {m: format(t.normalize(), "f") for m, t in beyond.items()},
        "sme_ceiling": {m: format(c.normalize(), "f") for m, c in ceilings.items()},
        "excludes_every_sme": excludes_all,
        "note_zh": "".join(texts_zh),
        "note_en": " ".join(texts_en),
    }
