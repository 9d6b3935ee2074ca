"""The bench harness: figures measured beside their reference, printed as one table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    name: str
    measured: str
    reference: str
    target: str
    ok: bool


def timings_ms(fn: Callable[[], object], repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def print_table(figures: list[Figure]) -> None:
    headers = ("figure", "measured", "reference", "target", "ok")
    rows = [(f.name, f.measured, f.reference, f.target, "yes" if f.ok else "NO")
            for f in figures]
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(5)]
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
