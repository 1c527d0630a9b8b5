#!/usr/bin/env python3
"""Throughput and peak memory of the barrier pipeline (decode, segment, prefilter, rules) on
generated Chinese tender text, for a couple of sizes; each size runs in a fresh process.

Usage: .venv/bin/python bench/barrier_throughput.py [MEGABYTES ...] [--corpus PATH_TO_tender_corpus.py]
MB/s is per core: megabytes over the process's CPU seconds (best of --repeat runs); wall time too.
Each run starts with an empty clause-verdict cache (the scanner's memory of clauses it has judged),
so a repeat measures the first reading of the text, not a replay. The load average is printed too:
on a shared machine CPU seconds stretch with contention.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "bench" / "tender_corpus.py"


def measure(path: Path, repeat: int) -> dict[str, float]:
    from procurement.documents.services import default_scanner, scan_text_stream

    scanner = default_scanner()  # compiling the catalogue is start-up, not throughput
    best_cpu = best_wall = float("inf")
    findings = 0
    size = path.stat().st_size
    for _ in range(repeat):
        scanner.forget()  # every run starts cold: no clause verdict carried over from the last
        cpu, wall = time.process_time(), time.perf_counter()
        with path.open("rb") as stream:
            _info, found = scan_text_stream(stream, path.name)
            findings = sum(1 for _ in found)  # consumed as they come: memory stays flat
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    megabytes = size / 1_048_576
    return {
        "megabytes": megabytes,
        "findings": findings,
        "mb_per_cpu_second": megabytes / best_cpu,
        "mb_per_wall_second": megabytes / best_wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("sizes", nargs="*", type=float, default=[10.0, 50.0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.repeat)))
        return
    print("load average (1, 5, 15 min):", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{'MB':>6} {'findings':>9} {'MB/s (cpu)':>11} {'MB/s (wall)':>12} {'peak RSS MB':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for megabytes in args.sizes:
            path = Path(tmp) / f"tender-{megabytes:g}.txt"
            with path.open("wb") as out:
                subprocess.run([sys.executable, str(args.corpus), str(megabytes)], stdout=out, check=True)
            child = [sys.executable, __file__, "--child", str(path), "--repeat", str(args.repeat)]
            row = json.loads(subprocess.run(child, capture_output=True, check=True, text=True).stdout)
            print(
                f"{row['megabytes']:6.1f} {row['findings']:9d} {row['mb_per_cpu_second']:11.1f}"
                f" {row['mb_per_wall_second']:12.1f} {row['peak_rss_mb']:12.1f}"
            )
            path.unlink()


if __name__ == "__main__":
    main()
