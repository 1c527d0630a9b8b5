"""The OCDS 1.1 release schema with the extensions the export declares (JSON merge patches), as a
validator for releases and release packages."""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DATA = Path(__file__).resolve().parents[1] / "data" / "ocds"
EXTENSION = Path(__file__).resolve().parents[2] / "procurement" / "ocds" / "extension" / "release-schema.json"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@cache
def release_schema() -> dict[str, Any]:
    schema = json.loads((DATA / "release-schema-1.1.5.json").read_text())
    for patch in (DATA / "partyDetails_scale-release-schema.json", EXTENSION):
        schema = merge_patch(schema, json.loads(patch.read_text()))
    return schema


@cache
def release_validator() -> Draft4Validator:
    return Draft4Validator(release_schema(), format_checker=Draft4Validator.FORMAT_CHECKER)


@cache
def package_validator() -> Draft4Validator:
    package = json.loads((DATA / "release-package-schema-1.1.5.json").read_text())
    release = copy.deepcopy(release_schema())
    registry = Registry().with_resource(
        release["id"], Resource.from_contents(release, default_specification=DRAFT4)
    )
    return Draft4Validator(package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def errors_in(document: Any, *, package: bool = False) -> list[str]:
    validator = package_validator() if package else release_validator()
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
