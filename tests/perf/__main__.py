"""Run the benchmarks: `python -m tests.perf [NAME ...]` runs tests/perf/bench_NAME.py (all by default)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = [m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")]
    chosen = argv or sorted(names)
    unknown = [n for n in chosen if n not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(sorted(names))}")
        return 2
    status = 0
    for name in chosen:
        print(f"=== benchmark {name} ===", flush=True)
        module = importlib.import_module(f"tests.perf.bench_{name}")
        status |= int(module.main() or 0)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
