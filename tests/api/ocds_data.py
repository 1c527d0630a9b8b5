"""OCDS test data: the generated corpus of bench/ocds_corpus.py and the real samples in tests/data."""

import json
import random
from pathlib import Path
from typing import Any

from tests.data_files import OCDS_SAMPLES, ocds_corpus_module

SAMPLES = OCDS_SAMPLES
NDJSON = "application/x-ndjson"


corpus_module = ocds_corpus_module


def corpus(count: int, seed: int = 12) -> list[dict[str, Any]]:
    """``count`` releases as ocds_corpus.py writes them for ``seed``."""
    module = corpus_module()
    rnd = random.Random(seed)
    return [module.release(i, rnd) for i in range(count)]


def as_lines(releases: list[Any]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in releases).encode()


def sample_files() -> list[Path]:
    files = sorted(SAMPLES.glob("*.json"))
    assert files, f"no OCDS samples in {SAMPLES}"
    return files
