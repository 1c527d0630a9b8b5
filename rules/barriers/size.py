"""Names a threshold that only a firm above the SME ceiling of the size table can meet, and the
size classes whose band on that measure lies wholly below it (micro and small under 从业人员≥300人).

The ceilings and floors are the policy pack's size table (``rules.size_table``), handed in by the caller.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rules.barriers.catalogue import SizeTexts
from rules.barriers.normalize import Comparator, Quantity, QuantityKind
from rules.size_table import IndustryThresholds, Measure, SizeTable
from rules.vocabulary import Industry, Size

_CLASS_ZH = {Size.MICRO: "微型", Size.SMALL: "小型", Size.MEDIUM: "中型", Size.LARGE: "大型"}

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


def row_for(table: SizeTable | None, industry: str | None) -> IndustryThresholds | None:
    if table is None or industry is None:
        return None
    try:
        return table.industries.get(Industry(industry))
    except ValueError:
        return None


def class_bands(row: IndustryThresholds, measure: str) -> dict[Size, tuple[Decimal, Decimal | None]] | None:
    """Each class's range on one measure, [from, to): micro from 0 to the small floor, and so on.

    A class is decided on every measure together (medium needs both floors), so the band is what
    the class spans on this measure alone; None when the industry does not use the measure.
    """
    m = Measure(measure)
    lows = (Decimal(0), row.small_floor.get(m), row.medium_floor.get(m), row.sme_ceiling.get(m))
    if any(low is None for low in lows):
        return None
    sizes = (Size.MICRO, Size.SMALL, Size.MEDIUM, Size.LARGE)
    ups = (*lows[1:], None)
    return {size: (low, up) for size, low, up in zip(sizes, lows, ups, strict=True)}  # type: ignore[misc]


def classes_shut_out(
    row: IndustryThresholds, measure: str, threshold: Decimal
) -> tuple[list[Size], list[Size]] | None:
    """(classes whose band lies wholly below the threshold, classes that reach it) on one measure."""
    bands = class_bands(row, measure)
    if bands is None:
        return None
    shut = [size for size, (_low, up) in bands.items() if up is not None and up <= threshold]
    return shut, [size for size in bands if size not in shut]


def _classes_note(
    size: SizeTexts, industry: str, measure: str, threshold: Decimal, shut: list[Size], able: list[Size]
) -> tuple[str, str]:
    names = size.measures[measure]
    shown = format(threshold.normalize(), "f")
    shut_zh = "、".join(_CLASS_ZH[s] for s in shut) + "企业"
    able_zh = "、".join(_CLASS_ZH[s] for s in able) + "企业"
    shut_en = " and ".join(s.value for s in shut)
    able_en = " and ".join(s.value for s in able)
    zh = (
        f"按{industry}的划型标准，仅就{names['zh']}一项而言，{shut_zh}达不到{names['zh']}{shown}"
        f"{names['unit_zh']}以上的要求，{able_zh}可以达到。"
    )
    en = (
        f"On {names['en']} alone, {shut_en} firms of {industry} cannot meet {names['en']} >= {shown} "
        f"{names['unit_en']}; {able_en} firms can."
    )
    return zh, en


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
    row: IndustryThresholds | None = None,
) -> dict[str, Any] | None:
    """Compare the clause's lower bounds with the ceilings and the class bands of ``row``; None when
    no bound reaches a ceiling or shuts out a class.

    An SME is under the ceiling on at least one measure, so a clause shuts out every SME only when
    it reaches the ceiling on every measure the industry uses; reaching one names that measure.
    """
    beyond = {m: t for m, t in thresholds.items() if m in ceilings and t >= ceilings[m]}
    classes: dict[str, tuple[list[Size], list[Size]]] = {}
    for measure, threshold in thresholds.items():
        split = classes_shut_out(row, measure, threshold) if row is not None else None
        if split is not None and split[0]:
            classes[measure] = split
    if not beyond and not classes:
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
    for measure, (shut, able) in classes.items():
        if measure in beyond:
            continue  # already said: only a large enterprise reaches it
        zh, en = _classes_note(size, industry, measure, thresholds[measure], shut, able)
        texts_zh.append(zh)
        texts_en.append(en)
    return {
        "industry": industry,
        "beyond_sme_ceiling": {m: format(t.normalize(), "f") for m, t in beyond.items()},
        "sme_ceiling": {m: format(c.normalize(), "f") for m, c in ceilings.items()},
        "excludes_every_sme": excludes_all,
        "classes_shut_out": {m: [s.value for s in shut] for m, (shut, _able) in classes.items()},
        "classes_able": {m: [s.value for s in able] for m, (_shut, able) in classes.items()},
        "note_zh": "".join(texts_zh),
        "note_en": " ".join(texts_en),
    }
