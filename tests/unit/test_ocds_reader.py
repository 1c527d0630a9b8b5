"""Reading releases: JSON lines with line numbers, release and record packages, a bare release."""

from pathlib import Path

import orjson

from procurement.ocds.reader import detect_format, read_releases


def test_json_lines_keep_line_numbers_and_a_bad_line_does_not_stop_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"ocid":"a"}\n\n{"ocid": oops\n{"ocid":"c"}\n')
    items = list(read_releases(path))
    assert [(i.where, i.error is None) for i in items] == [
        ("line 1", True),
        ("line 3", False),
        ("line 4", True),
    ]
    assert items[2].release == {"ocid": "c"}
    assert "invalid JSON" in (items[1].error or "")


def test_release_package_over_many_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(orjson.dumps({"releases": [{"ocid": "a"}, {"ocid": "b"}]}, option=orjson.OPT_INDENT_2))
    assert detect_format(path) == "package"
    assert [i.where for i in read_releases(path)] == ["releases[0]", "releases[1]"]


def test_record_package_yields_compiled_releases_and_flags_linked_only_records(tmp_path: Path) -> None:
    path = tmp_path / "rec.json"
    records = [
        {"ocid": "a", "compiledRelease": {"ocid": "a"}},
        {"ocid": "b", "releases": [{"url": "http://x"}]},
    ]
    path.write_bytes(orjson.dumps({"records": records}, option=orjson.OPT_INDENT_2))
    items = list(read_releases(path))
    assert items[0].where == "records[0].compiledRelease" and items[0].release == {"ocid": "a"}
    assert items[1].error is not None and "compiledRelease" in items[1].error


def test_bare_release_document(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_bytes(orjson.dumps({"ocid": "a", "tag": ["award"]}, option=orjson.OPT_INDENT_2))
    (item,) = read_releases(path)
    assert item.where == "release" and item.release["ocid"] == "a"


def test_broken_package_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'{\n  "releases": [\n    {"ocid": }\n  ]\n}\n')
    (item,) = read_releases(path)
    assert item.line == 3 and item.where == "line 3"
