"""Region names beside region codes, from the national 行政区划 table (config/regions/adcodes.csv)."""

import csv
from functools import lru_cache
from importlib import resources
from pathlib import Path

import config

UNKNOWN_REGION = "unknown"  # a buyer whose source gives no administrative region code
UNKNOWN_REGION_NAME = "未知地区 (unknown region)"


def _table_path() -> Path:
    try:
        return Path(str(resources.files("config").joinpath("regions", "adcodes.csv")))
    except NotADirectoryError:  # an editable install can make ``config`` a namespace package
        return Path(next(iter(config.__path__))) / "regions" / "adcodes.csv"


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    with _table_path().open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def region_name(code: str) -> str:
    """The name of a region code ("乌鲁木齐市" for 650100); the code itself when the table lacks it."""
    if code == UNKNOWN_REGION:
        return UNKNOWN_REGION_NAME
    return region_names().get(code, code)
