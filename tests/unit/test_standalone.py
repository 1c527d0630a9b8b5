"""The suite stands alone on a clone of the repository: no test reads the team's workspace."""

import re
from pathlib import Path

from tests.data_files import OCDS_CORPUS_SCRIPT, OCDS_SAMPLES, ROOT

# a path out of the repository to the workspace's shared/ folder, however it is spelled
OUTSIDE = re.compile(r"""["']shared["']|\.\./shared|/work/shared""")


def test_no_test_refers_to_the_shared_workspace() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if path.name != Path(__file__).name and OUTSIDE.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_data_the_tests_need_is_in_the_repository() -> None:
    assert OCDS_CORPUS_SCRIPT.is_file()
    samples = sorted(p.name for p in OCDS_SAMPLES.glob("*.json"))
    assert len(samples) == 5
    readme = (OCDS_SAMPLES / "README.md").read_text(encoding="utf-8")
    assert all(name[:12] in readme for name in samples)
    assert "licence" in readme.lower()
