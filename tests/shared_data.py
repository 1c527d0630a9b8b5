"""Where the team's shared material lies: ``shared/`` beside the repository (as on every machine and
in CI), holding the benchmark generators and the real OCDS samples."""

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
OCDS_SAMPLES = SHARED / "ocds-samples"
OCDS_CORPUS_SCRIPT = SHARED / "bench" / "ocds_corpus.py"


def ocds_corpus_module() -> ModuleType:
    """The generator ``shared/bench/ocds_corpus.py`` as a module (its ``release(i, rnd)``)."""
    if not OCDS_CORPUS_SCRIPT.is_file():
        pytest.skip(f"{OCDS_CORPUS_SCRIPT} not found")
    spec = importlib.util.spec_from_file_location("ocds_corpus", OCDS_CORPUS_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
