"""A generator of tender-document text for the barrier scanner's tests, from the repository's own
clauses (tests/data/barrier_corpus.yaml, tests/data/tender_sample.txt): headings that switch the
part of the document, industry and category statements, clauses repeated with other numbers and in
full-width digits, the way templates repeat them. Deterministic for a seed."""

import random
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"
_HEADINGS = (
    "第{n}章 供应商资格要求",
    "第{n}章 评分标准",
    "第{n}章 采购需求",
    "第{n}章 合同条款",
    "第{n}章 评审因素",
)
_INDUSTRIES = ("工业", "软件和信息技术服务业", "建筑业", "零售业", "其他未列明行业")
_CATEGORIES = ("货物", "服务", "工程")
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@cache
def clauses() -> tuple[str, ...]:
    corpus = yaml.safe_load((DATA / "barrier_corpus.yaml").read_text(encoding="utf-8"))
    sample = (DATA / "tender_sample.txt").read_text(encoding="utf-8").splitlines()
    return tuple(item["text"] for item in corpus["items"]) + tuple(line for line in sample if line.strip())


def _renumber(text: str, rng: random.Random) -> str:
    """The clause with its Arabic numbers scaled (another lot, another threshold)."""
    out, digits = [], ""
    for ch in text + "\0":
        if ch.isascii() and ch.isdigit():
            digits += ch
            continue
        if digits:
            out.append(str(max(1, int(digits) * rng.choice((1, 1, 2, 3, 10)) // rng.choice((1, 2)))))
            digits = ""
        out.append(ch)
    return "".join(out[:-1])


def tender_text(lines: int, seed: int = 9) -> str:
    """About ``lines`` lines of tender text."""
    rng = random.Random(seed)
    pool = clauses()
    out: list[str] = []
    chapter = 0
    while len(out) < lines:
        roll = rng.random()
        if roll < 0.06:
            chapter += 1
            out.append(rng.choice(_HEADINGS).format(n=chapter))
        elif roll < 0.08:
            out.append(f"本项目采购标的对应的中小企业划分标准所属行业为{rng.choice(_INDUSTRIES)}。")
        elif roll < 0.09:
            out.append(f"采购类别：{rng.choice(_CATEGORIES)}")
        else:
            text = rng.choice(pool)
            if rng.random() < 0.3:
                text = _renumber(text, rng)
            if rng.random() < 0.1:
                text = text.translate(_FULLWIDTH)
            if rng.random() < 0.2:  # two clauses on one line, as a table cell or a run-on paragraph
                text += rng.choice(pool)
            out.append(f"{len(out) % 9 + 1}. {text}" if rng.random() < 0.5 else text)
    return "\n".join(out) + "\n"
