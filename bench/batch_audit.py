#!/usr/bin/env python3
"""Time ``smeproc audit`` against ``ocdscardinal.coverage`` on the same corpus; print peak memory.

Usage: bench/batch_audit.py [N] [--corpus PATH] [--keep]
Generates N releases (default 100,000) with shared/bench/ocds_corpus.py unless --corpus names a
file, runs the Open Contracting Partnership's Rust tool and the audit (a real process, every
core), and prints both wall times, their ratio and the peak memory of the audit summed over its
processes (proportional set size, so pages the forked workers share are not counted twice).
"""

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT.parent / "shared" / "bench" / "ocds_corpus.py"
BOOT = (
    "import argparse, sys\n"
    "from api.cli import audit\n"
    "p = argparse.ArgumentParser(prog='smeproc')\n"
    "audit.register(p.add_subparsers(dest='command', required=True))\n"
    "a = p.parse_args(sys.argv[1:])\n"
    "sys.exit(a.func(a))\n"
)


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            pids += [p for c in child.read_text().split() for p in _tree(int(c))]
    return pids


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(argv: list[str]) -> tuple[float, int, subprocess.CompletedProcess[bytes]]:
    """Wall seconds, peak summed PSS in KiB, and the finished process."""
    peak = 0
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, sum(_pss_kib(p) for p in _tree(proc.pid)))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return seconds, peak, subprocess.CompletedProcess(argv, proc.returncode, out, err)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=100_000)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus")
    args = parser.parse_args()
    corpus = args.corpus
    if corpus is None:
        handle, name = tempfile.mkstemp(suffix=".jsonl")
        corpus = Path(name)
        with os.fdopen(handle, "wb") as out:
            subprocess.run([sys.executable, str(GENERATOR), str(args.count)], stdout=out, check=True)
    size_mb = corpus.stat().st_size / 2**20
    print(f"corpus: {corpus} ({size_mb:.0f} MB)")

    cardinal = (
        "import sys, time, ocdscardinal\n"
        "t = time.perf_counter(); ocdscardinal.coverage(sys.argv[1])\n"
        "print(time.perf_counter() - t)\n"
    )
    rust_wall, _, rust = run_measured([sys.executable, "-c", cardinal, str(corpus)])
    rust_inner = float(rust.stdout.decode().strip() or "nan")
    print(f"ocdscardinal.coverage: {rust_wall:.2f} s wall ({rust_inner:.2f} s in the call)")

    audit = [sys.executable, "-c", BOOT, "audit", str(corpus), "--as-of", "2026-11-26"]
    wall, peak, done = run_measured(audit)
    if done.returncode not in (0, 1):
        sys.exit(done.stderr.decode())
    print(f"smeproc audit:         {wall:.2f} s wall, peak memory {peak / 1024:.0f} MB (all processes)")
    print(f"ratio audit / cardinal (wall): {wall / rust_wall:.2f}")
    wall_n, peak_n, _ = run_measured([*audit, "--no-terms"])
    print(
        f"smeproc audit --no-terms: {wall_n:.2f} s wall, peak memory {peak_n / 1024:.0f} MB, "
        f"ratio {wall_n / rust_wall:.2f}"
    )

    with tempfile.NamedTemporaryFile(suffix=".jsonl") as findings:
        wall_f, peak_f, _ = run_measured([*audit, "--jsonl", findings.name])
        lines = Path(findings.name).read_bytes().count(b"\n")
    print(
        f"smeproc audit --jsonl: {wall_f:.2f} s wall, peak memory {peak_f / 1024:.0f} MB, "
        f"{lines} findings written"
    )
    print("summary of the audit:")
    print(done.stdout.decode())
    if args.corpus is None and not args.keep:
        corpus.unlink()


if __name__ == "__main__":
    main()
