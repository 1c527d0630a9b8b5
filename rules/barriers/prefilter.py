"""The keyword prefilter: every trigger word of the catalogue found in one pass over the text.

With the ``ahocorasick_rs`` package installed it is a real Aho-Corasick automaton (Rust); without
it, a trie turned into one compiled regex of nested alternations (Python's ``re`` does not merge
the common prefixes of ``a|b|c`` by itself). Both prefer the longest keyword at a position.
"""

import importlib
import re
from collections.abc import Iterable
from typing import Any

from rules.barriers.cn_numbers import FULLWIDTH_TO_ASCII


def _automaton_module() -> Any:
    """ahocorasick_rs when installed (an optional speed-up), else None."""
    try:
        return importlib.import_module("ahocorasick_rs")
    except ImportError:
        return None


_END = ""
_Trie = dict[str, "_Trie"]
Match = tuple[int, int, str]  # start, end, keyword


def variants(word: str) -> set[str]:
    """The word as written and with its ASCII characters in full width (ＡＡＡ for AAA)."""
    to_full = {ascii_: full for full, ascii_ in FULLWIDTH_TO_ASCII.items()}
    return {word, word.translate(to_full)}


def _pattern(node: _Trie) -> str:
    branches = [re.escape(ch) + _pattern(child) for ch, child in sorted(node.items()) if ch != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # a keyword that is a prefix of a longer one: the longer one is tried first (greedy ?)
    return "(?:" + body + ")?" if _END in node else body


def keyword_regex(words: Iterable[str]) -> re.Pattern[str]:
    """A regex that matches any of ``words``, preferring the longest at each position."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return re.compile(_pattern(trie) or r"(?!x)x")


class Prefilter:
    """Finds all keywords (leftmost-longest, non-overlapping) in a text, in order."""

    def __init__(self, words: Iterable[str], *, use_automaton: bool = True) -> None:
        self.words = sorted({v for w in words for v in variants(w)})
        self._automaton: Any = None
        self._regex: re.Pattern[str] | None = None
        module = _automaton_module() if use_automaton else None
        if module is not None:
            self._automaton = module.AhoCorasick(self.words, matchkind=module.MatchKind.LeftmostLongest)
        else:
            self._regex = keyword_regex(self.words)

    @property
    def backend(self) -> str:
        return "aho-corasick" if self._automaton is not None else "regex-trie"

    def find(self, text: str) -> list[Match]:
        if self._automaton is not None:
            words = self.words
            return [(s, e, words[i]) for i, s, e in self._automaton.find_matches_as_indexes(text)]
        assert self._regex is not None
        return [(m.start(), m.end(), m.group()) for m in self._regex.finditer(text)]
