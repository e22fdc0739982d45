"""What every benchmark returns: rows of metric, median, floor, ratio, target, verdict."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

MIN_RUNS = 5


@dataclass(frozen=True)
class Row:
    metric: str
    median: float  # in ``unit``
    floor: float | None  # the same-run floor it is compared with, in ``unit``
    floor_name: str  # what the floor is
    unit: str  # "ms", "s" or "MB"
    runs: int
    target: str  # e.g. "<= 200 ms", "ratio <= 1.3", "" for information only
    ok: bool | None  # None: no target
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return None if not self.floor else self.median / self.floor


def row(
    metric: str,
    samples: Sequence[float],
    floor: Sequence[float] | float | None,
    floor_name: str,
    *,
    unit: str = "ms",
    limit: float | None = None,
    ratio_limit: float | None = None,
    note: str = "",
) -> Row:
    """A row from samples; ``limit`` is an absolute target in ``unit``, ``ratio_limit`` one
    on median / floor (both may be given: both must hold)."""
    median = statistics.median(samples)
    if isinstance(floor, int | float) or floor is None:
        floor_median = floor
    else:
        floor_median = statistics.median(floor)
    targets, ok = [], None
    if limit is not None:
        targets.append(f"<= {limit:g} {unit}")
        ok = median <= limit
    if ratio_limit is not None and floor_median:
        targets.append(f"ratio <= {ratio_limit:g}")
        ok = (ok is not False) and median / floor_median <= ratio_limit
    return Row(metric, median, floor_median, floor_name, unit, len(samples), ", ".join(targets),
               ok, note)  # fmt: skip


def timed(fn: Callable[[], object], runs: int, *, warmup: int = 1) -> list[float]:
    """Wall-clock milliseconds of ``runs`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def dump(rows: Sequence[Row]) -> str:
    return json.dumps([asdict(r) for r in rows])


def load(text: str) -> list[Row]:
    return [Row(**r) for r in json.loads(text)]


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"


def render(rows: Sequence[Row]) -> str:
    head = ("metric", "median", "runs", "floor", "ratio", "target", "")
    lines = [
        (
            r.metric,
            _num(r.median, r.unit),
            str(r.runs),
            _num(r.floor, r.unit),
            "-" if r.ratio is None else f"{r.ratio:.2f}",
            r.target or "(info)",
            "" if r.ok is None else ("ok" if r.ok else "MISSED"),
        )
        for r in rows
    ]
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths).rstrip())
    for line in lines:
        out.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    floors = [f"  {r.metric}: floor = {r.floor_name}" for r in rows if r.floor_name]
    notes = [f"  {r.metric}: {r.note}" for r in rows if r.note]
    if floors:
        out += ["", "floors (measured in this run, same machine, same files):", *floors]
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)
