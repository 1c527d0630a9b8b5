"""``smeproc serve``: the API under gunicorn; each worker builds its own app and engine after fork."""

import argparse
from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from api.app import create_app
        from api.cli.common import settings_from_env
        from api.retry import RetryOnLostConnection

        return RetryOnLostConnection(create_app(settings_from_env()))


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser("serve", help="运行API服务 / serve the API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    # 2 measured best here: same throughput as 4, p99 halved (bench/api_load.py; GIL hand-offs)
    parser.add_argument("--threads", type=int, default=2, help="threads per worker")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(f"smeproc serving on http://{args.host}:{args.port} ({args.workers} workers)", flush=True)
    _Server(
        {
            "bind": f"{args.host}:{args.port}",
            "workers": args.workers,
            "threads": args.threads,
            "worker_class": "gthread",
            "keepalive": 5,
            "accesslog": None,
            "graceful_timeout": 5,
        }
    ).run()
    return 0
