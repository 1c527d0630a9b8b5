#!/usr/bin/env python3
"""Time ``smeproc audit`` against ``ocdscardinal.coverage`` on the same corpus; print peak memory.

Usage: bench/batch_audit.py [N] [--corpus PATH] [--keep] [--rounds R] [--quick]
Generates N releases (default 100,000) with bench/ocds_corpus.py unless --corpus names a
file, runs the Open Contracting Partnership's Rust tool and the audit (a real process, every
core) R times in turn (the machine is shared: load moves wall times between runs), and prints
each wall and CPU time, their ratios, the median ratio, the load average and the peak memory of
the audit summed over its processes (proportional set size, so pages the forked workers share
are not counted twice). --quick leaves out the --no-terms and --jsonl runs.
"""

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "bench" / "ocds_corpus.py"
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(argv: list[str]) -> tuple[float, int, subprocess.CompletedProcess[bytes], float]:
    """Wall seconds, peak summed PSS in KiB, the finished process, and its CPU seconds."""
    peak = 0
    cpu_before = _children_cpu()
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
    cpu = _children_cpu() - cpu_before  # the child and the workers it reaped
    return seconds, peak, subprocess.CompletedProcess(argv, proc.returncode, out, err), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=100_000)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus")
    parser.add_argument("--rounds", type=int, default=3, help="cardinal/audit pairs to time")
    parser.add_argument("--quick", action="store_true", help="only the cardinal/audit pairs")
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
    audit = [sys.executable, "-c", BOOT, "audit", str(corpus), "--as-of", "2026-11-26"]
    ratios: list[float] = []
    peaks: list[int] = []
    for n in range(args.rounds):
        load = os.getloadavg()[0]
        rust_wall, _, rust, rust_cpu = run_measured([sys.executable, "-c", cardinal, str(corpus)])
        rust_inner = float(rust.stdout.decode().strip() or "nan")
        wall, peak, done, cpu = run_measured(audit)
        if done.returncode not in (0, 1):
            sys.exit(done.stderr.decode())
        ratios.append(wall / rust_wall)
        peaks.append(peak)
        print(
            f"round {n + 1} (load {load:.1f}): ocdscardinal.coverage {rust_wall:.2f} s wall "
            f"({rust_inner:.2f} s in the call, {rust_cpu:.2f} s CPU); smeproc audit {wall:.2f} s wall "
            f"({cpu:.2f} s CPU, peak memory {peak / 1024:.0f} MB); ratio wall {wall / rust_wall:.2f}, "
            f"CPU {cpu / rust_cpu:.2f}"
        )
    print(
        f"ratio audit / cardinal (wall), median of {len(ratios)}: {statistics.median(ratios):.2f}; "
        f"peak memory {max(peaks) / 1024:.0f} MB; load now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    if not args.quick:
        wall_n, peak_n, _, cpu_n = run_measured([*audit, "--no-terms"])
        print(
            f"smeproc audit --no-terms: {wall_n:.2f} s wall ({cpu_n:.2f} s CPU), "
            f"peak memory {peak_n / 1024:.0f} MB"
        )
        with tempfile.NamedTemporaryFile(suffix=".jsonl") as findings:
            wall_f, peak_f, _, cpu_f = run_measured([*audit, "--jsonl", findings.name])
            lines = Path(findings.name).read_bytes().count(b"\n")
        print(
            f"smeproc audit --jsonl: {wall_f:.2f} s wall ({cpu_f:.2f} s CPU), "
            f"peak memory {peak_f / 1024:.0f} MB, {lines} findings written"
        )
    print("summary of the audit:")
    print(done.stdout.decode())
    if args.corpus is None and not args.keep:
        corpus.unlink()


if __name__ == "__main__":
    main()
