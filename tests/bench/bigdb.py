"""The big demo clinic for the benchmarks: built once into tests/bench/.cache and reused.

A cached file is reused while its name matches: generator version, schema
head, the shipped protocol texts (courses pin them: a changed preset makes an
old clinic's pins differ from the files), seed, size and the fixed build day
(so the data, and the Today board of that day, are the same in every run).
The clinic is not a demo (``demo=False``: no ``user.add_demo`` accounts, so printouts
carry no DEMO mark, as on a real clinic) and signs as a clinic does (signatures, addenda,
signed notes); the passwords are still "demo".
Older cache files are deleted when a new one is built. Benchmarks that write
(sign-in, chart views, readings) work on a copy made per run
(:func:`working_copy`), never on the cached file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path

from kapdesk.demo.bulk import GENERATOR_VERSION, build_big_clinic
from kapdesk.domain.protocol import builtin_protocols
from kapdesk.storage.migrate import head_revision

CACHE = Path(__file__).resolve().with_name(".cache")
TODAY = date(2026, 3, 4)  # a Wednesday
END_TIME = clock_time(11, 0)  # the clinic's "now": sessions in every stage on the board


@dataclass(frozen=True)
class Clinic:
    path: Path
    patients: int
    years: int
    build_seconds: float  # when it was built (maybe in an earlier run)
    size_mb: float
    counts: dict[str, int]
    end: datetime
    reused: bool


def _protocols_key() -> str:
    """Eight hex digits of the shipped protocol texts' hashes."""
    digest = hashlib.sha256()
    for protocol in sorted(builtin_protocols().values(), key=lambda p: p.id):
        digest.update(protocol.sha256.encode())
    return digest.hexdigest()[:8]


def _name(patients: int, years: int, seed: int) -> str:
    return (
        f"clinic-g{GENERATOR_VERSION}-r{head_revision()}-p{_protocols_key()}"
        f"-s{seed}-p{patients}-y{years}-{TODAY}"
    )


def ensure_clinic(patients: int, years: int, seed: int = 1, log=print) -> Clinic:  # type: ignore[no-untyped-def]
    CACHE.mkdir(exist_ok=True)
    stem = _name(patients, years, seed)
    path, manifest = CACHE / f"{stem}.sqlite", CACHE / f"{stem}.json"
    if path.exists() and manifest.exists():
        info = json.loads(manifest.read_text())
        return Clinic(path, patients, years, info["seconds"], info["size_mb"], info["counts"],
                      datetime.fromisoformat(info["end"]), True)  # fmt: skip
    for old in CACHE.glob(f"clinic-*-s{seed}-p{patients}-y{years}-*"):
        old.unlink()
    partial = CACHE / f"{stem}.building.sqlite"
    for leftover in CACHE.glob(f"{stem}.building.sqlite*"):
        leftover.unlink()
    log(f"building the {patients}-patient, {years}-year clinic (once; cached in {CACHE}) ...")
    started = time.perf_counter()
    result = build_big_clinic(
        partial, patients=patients, years=years, seed=seed, today=TODAY, end_time=END_TIME,
        progress=lambda line: log(f"  {line}"), demo=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    partial.replace(path)
    size_mb = path.stat().st_size / 1e6
    manifest.write_text(
        json.dumps(
            {"seconds": seconds, "size_mb": size_mb, "counts": result.counts,
             "end": result.end.isoformat(), "generator_version": GENERATOR_VERSION},
            indent=1,
        )
    )  # fmt: skip
    log(f"  built in {seconds:.0f} s, {size_mb:.0f} MB")
    return Clinic(path, patients, years, seconds, size_mb, result.counts, result.end, False)


def working_copy(clinic: Clinic, name: str = "work.sqlite") -> Path:
    """A fresh copy of the cached file for benchmarks that write (the file has no WAL)."""
    target = CACHE / name
    for old in (target, target.with_name(name + "-wal"), target.with_name(name + "-shm")):
        old.unlink(missing_ok=True)
    shutil.copyfile(clinic.path, target)
    return target
