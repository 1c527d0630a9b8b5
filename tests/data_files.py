"""Test data inside the repository, so the suite runs on a bare clone: the real OCDS samples in
``tests/data/ocds-samples/`` (source and licence in their README) and the project's own generator
``bench/ocds_corpus.py``."""

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
OCDS_SAMPLES = ROOT / "tests" / "data" / "ocds-samples"
OCDS_CORPUS_SCRIPT = ROOT / "bench" / "ocds_corpus.py"


def ocds_corpus_module() -> ModuleType:
    """The generator ``bench/ocds_corpus.py`` as a module (its ``release(i, rnd)``)."""
    spec = importlib.util.spec_from_file_location("ocds_corpus", OCDS_CORPUS_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
