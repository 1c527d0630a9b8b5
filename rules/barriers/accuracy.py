"""Precision and recall per barrier category over labelled clauses (the corpus test and bench)."""

from collections.abc import Iterable
from dataclasses import dataclass

OVERALL = "(overall)"


@dataclass(slots=True)
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return 1.0 if flagged == 0 else self.true_positives / flagged

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return 1.0 if expected == 0 else self.true_positives / expected


def category_scores(cases: Iterable[tuple[set[str], set[str]]]) -> dict[str, Score]:
    """``cases`` are (expected categories, found categories) per clause; OVERALL sums them all."""
    scores: dict[str, Score] = {OVERALL: Score()}
    for expected, found in cases:
        for category in expected | found:
            score = scores.setdefault(category, Score())
            for target in (score, scores[OVERALL]):
                if category in expected and category in found:
                    target.true_positives += 1
                elif category in found:
                    target.false_positives += 1
                else:
                    target.false_negatives += 1
    return scores
