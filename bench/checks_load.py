#!/usr/bin/env python3
"""POST /v1/checks/terms under wrk, next to a bare Falcon app served the same way (issue 3 target:
at least 60% of the bare app's requests/s, p99 under 10 ms).

Usage: bench/checks_load.py [--seconds 10] [--connections 32] [--workers 2] [--threads 2]
       bench/checks_load.py --profile 2000     # cProfile of the endpoint in-process, no wrk
       bench/checks_load.py --cpu 2000         # CPU time per request in-process, against bare Falcon
Needs wrk (Debian package ``wrk``). Prints figures; never fails on them.
"""

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_load

HERE = Path(__file__).resolve().parent
BODY = {
    **api_load.CONTRACT,
    "jurisdiction": "650102",
    "supplier": {"industry": "工业", "employees": 50, "revenue_wan": "800", "declared_size": "small"},
}
PATH = "/v1/checks/terms"


def bare_command(workers: int, threads: int) -> list[str]:
    # the settings of api/cli/serve.py, on a one-resource app
    return [
        str(api_load.BIN / "gunicorn"),
        "--chdir",
        str(HERE),
        "--bind",
        "127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "5",
        "--graceful-timeout",
        "5",
        "bare_falcon:app",
    ]


def serve_command(workers: int, threads: int) -> list[str]:
    return [
        str(api_load.BIN / "smeproc"),
        "serve",
        "--port",
        "{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]


def load(args: argparse.Namespace) -> int:
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    with api_load.database(args.database_url) as url:
        env = {**os.environ, "SMEPROC_DATABASE_URL": url}
        api_load.smeproc(env, "db", "upgrade")
        key = next(
            line.split(": ", 1)[1]
            for line in api_load.smeproc(env, "demo").splitlines()
            if line.startswith("demo API key")
        )
        same = api_load.lua_post(PATH, key, BODY, None)
        # a unique title per request: every check is computed, none answered from the cache
        distinct = api_load.lua_post(PATH, key, BODY, "title")
        print(
            f"{args.workers} workers x {args.threads} threads (gthread), "
            f"wrk {args.connections} connections, {args.seconds} s"
        )
        with api_load.server(env, args.workers, serve_command(args.workers, args.threads)) as base:
            api_load.wrk(f"{base}{PATH}", 2, args.connections, same)  # warm the workers up
            repeated = api_load.wrk(f"{base}{PATH}", args.seconds, args.connections, same)
            api_load.report(f"smeproc POST {PATH} (same body)", repeated)
            computed = api_load.wrk(f"{base}{PATH}", args.seconds, args.connections, distinct)
            api_load.report(f"smeproc POST {PATH} (distinct bodies)", computed)
        with api_load.server(env, args.workers, bare_command(args.workers, args.threads)) as base:
            api_load.wrk(f"{base}{PATH}", 2, args.connections, same)
            bare = api_load.wrk(f"{base}{PATH}", args.seconds, args.connections, same)
        api_load.report(f"bare Falcon POST {PATH}", bare)
    for label, real in (("same body", repeated), ("distinct bodies", computed)):
        ratio = real["rps"] / bare["rps"] if bare["rps"] else float("nan")
        met = ratio >= 0.60 and real["p99_ms"] < 10 and not real["errors"]
        print(
            f"{label}: {ratio:.0%} of bare Falcon (target >= 60%), p99 {real['p99_ms']:.2f} ms "
            f"(target < 10 ms; bare Falcon p99 {bare['p99_ms']:.2f} ms): {'met' if met else 'NOT met'}"
        )
    return 0


def profile(requests: int) -> int:
    """The endpoint in-process through falcon.testing: where the time of one check goes."""
    from falcon import testing

    from api.app import create_app
    from api.middleware import ActorCache
    from config.settings import Settings
    from procurement import schema
    from procurement.db import create_db_engine, create_session_factory
    from procurement.demo import load_demo

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/profile.sqlite3"
        schema.upgrade(url)
        engine = create_db_engine(url)
        with create_session_factory(engine)() as session, session.begin():
            key = load_demo(session).platform_key
        app = create_app(Settings(database_url=url), actor_cache=ActorCache(60))
        client = testing.TestClient(app)
        headers = {"Authorization": f"Bearer {key}"}
        assert client.simulate_post(PATH, json=BODY, headers=headers).status_code == 200
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(requests):
            client.simulate_post(PATH, json=BODY, headers=headers)
        profiler.disable()
        elapsed = time.perf_counter() - started
        print(f"{requests} requests in-process: {elapsed / requests * 1e6:.0f} us each (with the profiler)")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())
        engine.dispose()
    return 0


def cpu(requests: int) -> int:
    """CPU time per request of each app called in-process as WSGI (no sockets, no wrk): a figure
    that a busy machine disturbs far less than requests/s."""
    import json

    import bare_falcon
    from falcon import testing

    from api.app import create_app
    from api.middleware import ActorCache
    from config.settings import Settings
    from procurement import schema
    from procurement.db import create_db_engine, create_session_factory
    from procurement.demo import load_demo

    def per_request(app: object, bodies: Callable[[int], list[bytes]], headers: dict[str, str]) -> float:
        """The best of three runs; ``bodies(run)`` gives each run its own bodies (or the same)."""

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            assert status.startswith("200"), status

        def call(body: bytes) -> None:
            environ = testing.create_environ(PATH, method="POST", body=body, headers=headers)
            b"".join(app(environ, start_response))  # type: ignore[operator]

        for body in bodies(-1)[:50]:  # warm up
            call(body)
        best = float("inf")
        for run in range(3):
            batch = bodies(run)
            started = time.process_time()
            for body in batch:
                call(body)
            best = min(best, (time.process_time() - started) / len(batch))
        return best * 1e6

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/cpu.sqlite3"
        schema.upgrade(url)
        engine = create_db_engine(url)
        with create_session_factory(engine)() as session, session.begin():
            key = load_demo(session).platform_key
        app = create_app(Settings(database_url=url), actor_cache=ActorCache(600))
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        same_body = json.dumps(BODY).encode()

        def same(run: int) -> list[bytes]:
            return [same_body] * requests

        def distinct(run: int) -> list[bytes]:
            return [json.dumps({**BODY, "title": f"R{run}-{i}"}).encode() for i in range(requests)]

        bare = per_request(bare_falcon.app, same, headers)
        repeated = per_request(app, same, headers)
        computed = per_request(app, distinct, headers)
        engine.dispose()
    print("in-process WSGI calls (environ building included), CPU time; no HTTP server, no sockets")
    print(f"bare Falcon                 {bare:8.0f} us CPU per request")
    for label, cost in (("same body", repeated), ("distinct bodies", computed)):
        print(f"smeproc, {label:<18} {cost:8.0f} us CPU per request: {bare / cost:.0%} of bare Falcon's rate")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--profile", type=int, metavar="N", help="profile N requests in-process instead")
    parser.add_argument("--cpu", type=int, metavar="N", help="CPU time per request in-process, N requests")
    args = parser.parse_args()
    if args.profile:
        return profile(args.profile)
    if args.cpu:
        return cpu(args.cpu)
    return load(args)


if __name__ == "__main__":
    sys.exit(main())
