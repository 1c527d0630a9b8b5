"""OCDS test data: the generated corpus of /work/shared/bench/ocds_corpus.py and the real samples."""

import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SHARED = Path("/work/shared")
SAMPLES = SHARED / "ocds-samples"
CORPUS_SCRIPT = SHARED / "bench" / "ocds_corpus.py"
NDJSON = "application/x-ndjson"


def corpus_module() -> ModuleType:
    if not CORPUS_SCRIPT.exists():
        pytest.skip(f"{CORPUS_SCRIPT} not found")
    spec = importlib.util.spec_from_file_location("ocds_corpus", CORPUS_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def corpus(count: int, seed: int = 12) -> list[dict[str, Any]]:
    """``count`` releases as ocds_corpus.py writes them for ``seed``."""
    module = corpus_module()
    rnd = random.Random(seed)
    return [module.release(i, rnd) for i in range(count)]


def as_lines(releases: list[Any]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in releases).encode()


def sample_files() -> list[Path]:
    files = sorted(SAMPLES.glob("*.json"))
    if not files:
        pytest.skip(f"no OCDS samples in {SAMPLES}")
    return files
