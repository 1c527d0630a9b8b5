"""Barrier audit of procurement documents (measure 2: no thresholds against SMEs).

``BarrierScanner.scan`` finds barrier clauses in text; ``scan_requirements`` checks structured
qualification and scoring items. The rules themselves are data: config/barriers.yaml.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from rules.barriers.catalogue import Catalogue, CatalogueError, ClauseKind, load_catalogue
from rules.barriers.engine import BarrierScanner, ScanContext
from rules.findings import Finding

__all__ = [
    "BarrierScanner",
    "Catalogue",
    "CatalogueError",
    "ClauseKind",
    "Requirement",
    "ScanContext",
    "load_catalogue",
    "scan_requirements",
]


@dataclass(frozen=True, slots=True)
class Requirement:
    """One qualification requirement or scoring item as a platform sends it."""

    text: str
    kind: ClauseKind = ClauseKind.UNKNOWN
    points: Decimal | None = None


def scan_requirements(
    items: Iterable[Requirement],
    *,
    industry: str | None = None,
    document: str = "",
    scanner: BarrierScanner | None = None,
) -> list[Finding]:
    """Findings for each item; its location is ``{"item": index}`` and the kind given is kept.

    An item of kind ``unknown`` is classified like document text (scoring markers decide).
    """
    scanner = scanner or BarrierScanner()
    findings: list[Finding] = []
    for index, item in enumerate(items):
        context = ScanContext(document=document, industry=industry)
        location: dict[str, object] = {"item": index}
        if item.points is not None:
            location["points"] = format(item.points, "f")
        forced = None if item.kind is ClauseKind.UNKNOWN else item.kind
        findings.extend(scanner.scan(item.text, context, location=location, kind=forced))
    return findings
