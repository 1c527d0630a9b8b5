"""Stream OCDS releases from a file: JSON lines of compiled releases, a release package, a record
package (its compiled releases) or one bare release; each item says where it came from.

JSON lines are read one line at a time (constant memory); a package is one JSON text and is
parsed whole, which suits the sizes packages are published in.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class Item:
    """One release, or the error that stood in its place; ``where`` is "line 12" or "releases[3]"."""

    where: str
    line: int | None
    release: Any = None
    error: str | None = None


def detect_format(path: Path) -> str:
    """``jsonl`` when the first non-empty line is a whole JSON release, else ``package``."""
    with path.open("rb") as f:
        for raw in f:
            if not raw.strip():
                continue
            try:
                first = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return "package"  # a JSON text spread over many lines
            if isinstance(first, dict) and ("releases" in first or "records" in first):
                return "package"
            return "jsonl"
    return "jsonl"


def read_jsonl(path: Path) -> Iterator[Item]:
    with path.open("rb") as f:
        for number, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                yield Item(f"line {number}", number, orjson.loads(raw))
            except orjson.JSONDecodeError as err:
                yield Item(f"line {number}", number, error=f"invalid JSON 无效的 JSON: {err}")


def releases_of_package(document: Any) -> Iterator[Item]:
    """The releases of a release package, the compiled releases of a record package, or a release."""
    if not isinstance(document, dict):
        yield Item("document", None, error="not a JSON object 不是 JSON 对象")
        return
    if isinstance(document.get("releases"), list):
        for i, release in enumerate(document["releases"]):
            yield Item(f"releases[{i}]", None, release)
    elif isinstance(document.get("records"), list):
        for i, record in enumerate(document["records"]):
            compiled = record.get("compiledRelease") if isinstance(record, dict) else None
            if compiled is None:
                yield Item(
                    f"records[{i}]",
                    None,
                    error="record without compiledRelease (linked releases only) 记录缺少合并发布",
                )
            else:
                yield Item(f"records[{i}].compiledRelease", None, compiled)
    else:
        yield Item("release", None, document)


def read_releases(path: Path) -> Iterator[Item]:
    """Every release in the file, whatever of the supported forms it is."""
    if detect_format(path) == "jsonl":
        yield from read_jsonl(path)
        return
    try:
        document = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as err:
        yield Item(f"line {err.lineno}", err.lineno, error=f"invalid JSON 无效的 JSON: {err}")
        return
    yield from releases_of_package(document)
