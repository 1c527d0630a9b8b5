"""``smeproc openapi [--output FILE]``: write the OpenAPI document as YAML (the committed openapi.yaml)."""

import argparse
import sys


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("openapi", help="OpenAPI document as YAML")
    parser.add_argument("--output", help="file to write (default: standard output)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from api.openapi import as_yaml, build_spec
    from api.routes import ROUTES

    text = as_yaml(build_spec(op for route in ROUTES for op in route.operations))
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0
