"""The ``smeproc`` command: each subcommand lives in its own module with ``register(sub)``."""

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module

# modules under api.cli, each adding its subcommand(s) and setting ``func`` to a run(args) -> int
COMMAND_MODULES = (
    "serve",
    "worker",
    "db",
    "keys",
    "demo",
    "auditlog",
    "openapi",
    "scan",
    "audit",
    "classify",
    "terms",
    "policy",
    "evaluation",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smeproc", description="政府采购促进中小企业发展 / SME-fair government procurement"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(f"api.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
